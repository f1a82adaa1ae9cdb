export const PROVIDER_NAMES = ['turnstay', 'trustist'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
