/**
 * The built-in providers' names. Providers are plugins (activities/provider-registry.ts): any registered name is
 * valid, checked at runtime against the registry. The type stays this union, and the list stays here, only while
 * workflow code indexes a label map by it and sweeps this list in reconciliation (workflows/payment.ts,
 * workflows/reconciliation.ts); once workflows take both from their input, ProviderName becomes `string`.
 */
export const PROVIDER_NAMES = ['turnstay', 'trustist'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** A name the registry has validated (see above for why the type is still the built-in union). */
export function registeredProviderName(name: string): ProviderName {
  return name as ProviderName;
}
