/**
 * A provider's name. Providers are plugins (activities/provider-registry.ts): any registered name is valid, checked
 * against the registry at runtime (the API's schemas, the activities' adapter lookup).
 */
export type ProviderName = string;

