import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CancelPaymentInput,
  ChallengeCompletedSignal,
  FirstOutcome,
  PaymentView,
  ProviderEventSignal,
  RefundPaymentInput,
} from './payment-types';

/** Answers as soon as the first outcome is known (COMPLETE, DECLINED, PENDING_ACTION...): the start call's reply. */
export const firstOutcomeUpdate = defineUpdate<FirstOutcome>('firstOutcome');
export const paymentStateQuery = defineQuery<PaymentView>('paymentState');
export const providerEventSignal = defineSignal<[ProviderEventSignal]>('providerEvent');
export const challengeCompletedSignal = defineSignal<[ChallengeCompletedSignal]>('challengeCompleted');
export const cancelPaymentUpdate = defineUpdate<PaymentView, [CancelPaymentInput]>('cancelPayment');
export const refundPaymentUpdate = defineUpdate<PaymentView, [RefundPaymentInput]>('refundPayment');
