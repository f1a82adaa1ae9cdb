/** ApplicationFailure types the workflow branches on. All are non-retryable: retrying cannot change them. */
export const PaymentFailureType = {
  /** The issuer or provider declined the card (details: { code }). */
  CardDeclined: 'CardDeclined',
  /** The provider rejected the request as invalid (a 4xx other than a decline). */
  InvalidRequest: 'InvalidRequest',
  /** The provider answered with a body that does not match its documented schema. */
  MalformedProviderResponse: 'MalformedProviderResponse',
  /** Our credentials were refused: retrying will not help, an operator must fix the configuration. */
  ProviderAuthenticationFailed: 'ProviderAuthenticationFailed',
  /** The process holding the card data no longer has it: the card must be re-submitted. */
  CardDataUnavailable: 'CardDataUnavailable',
  /** The provider refused to refund or cancel (e.g. already refunded, over-refund). */
  OperationRefused: 'OperationRefused',
} as const;

export const NON_RETRYABLE_PAYMENT_FAILURES = Object.values(PaymentFailureType);
