export interface TurnstayConfig {
  apiUrl: string;
  /** Secure Card Service origin: card data is only ever sent here, whatever URL a response names. */
  scsUrl: string;
  apiKey: string;
  accountId: number;
  timeoutMs?: number;
}
