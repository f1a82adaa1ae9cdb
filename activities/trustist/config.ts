export interface TrustistConfig {
  apiUrl: string;
  /** Hawk credentials (key id and secret). */
  keyId: string;
  key: string;
  timeoutMs?: number;
}
