import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';

/** Typed keys of the custom search attributes (registered by infra/search-attribute-types.ts). */
export const PaymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);
export const PaymentProviderKey = defineSearchAttributeKey('PaymentProvider', SearchAttributeType.KEYWORD);
export const MerchantReferenceKey = defineSearchAttributeKey('MerchantReference', SearchAttributeType.KEYWORD);
export const MerchantIdKey = defineSearchAttributeKey('MerchantId', SearchAttributeType.KEYWORD);
export const AmountMinorKey = defineSearchAttributeKey('AmountMinor', SearchAttributeType.INT);
export const CurrencyKey = defineSearchAttributeKey('Currency', SearchAttributeType.KEYWORD);
export const CheckinDateKey = defineSearchAttributeKey('CheckinDate', SearchAttributeType.DATETIME);
export const ReservationStatusKey = defineSearchAttributeKey('ReservationStatus', SearchAttributeType.KEYWORD);
/** What reconciliation last found about a payment (see workflows/reconciliation-types.ts). */
export const ReconStatusKey = defineSearchAttributeKey('ReconStatus', SearchAttributeType.KEYWORD);

/** What a payment workflow starts with: findable in the Web UI by status, provider, merchant, reference and amount. */
export function initialPaymentSearchAttributes(request: {
  provider: string;
  reference: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
}): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: PaymentStatusKey, value: 'CREATED' },
    { key: PaymentProviderKey, value: request.provider },
    { key: MerchantReferenceKey, value: request.reference },
    { key: MerchantIdKey, value: request.merchantId },
    { key: AmountMinorKey, value: request.amountMinor },
    { key: CurrencyKey, value: request.currency },
  ]);
}
