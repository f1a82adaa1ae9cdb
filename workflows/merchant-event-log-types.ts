import type { MerchantEvent } from '../domain/merchant-event';

/** How the event log delivers: a bound per endpoint, and a retry backoff that lasts at least three days. */
export interface DeliverySettings {
  /** Deliveries in flight to one endpoint at a time (the rest wait in the log's queue, in order). */
  maxInFlightPerEndpoint: number;
  initialRetryMs: number;
  maxRetryMs: number;
  /** How long one delivery keeps being retried before it is given up (at least three days). */
  retryForMs: number;
  /** Events kept for catch-up and redelivery (the oldest leave the window first). */
  windowSize: number;
  /** Continue as new past this many history events (besides the server's own suggestion). */
  continueAsNewAfterEvents: number;
}

/**
 * History events per run of a log at most: one that is evicted from its cache replays its run in well under a
 * workflow task's timeout (a 6,500-event log replayed for 5-7.6 s per task).
 */
export const EVENT_LOG_HISTORY_BOUND = 2_000;

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  maxInFlightPerEndpoint: 4,
  initialRetryMs: 5_000,
  maxRetryMs: 3_600_000,
  retryForMs: 3 * 86_400_000 + 3_600_000,
  windowSize: 1_000,
  continueAsNewAfterEvents: EVENT_LOG_HISTORY_BOUND,
};

/** An event as the log keeps it: its place in the merchant's order, and where it goes. */
export interface LoggedEvent {
  /** Position in the merchant's log, from 1: `GET /v1/events?after=<cursor>` lists what came after it. */
  cursor: number;
  event: MerchantEvent;
  /** Configured endpoint ids when the event was published: its deliveries and redeliveries go to these. */
  endpointIds: string[];
  /** Per endpoint: delivered (2xx), failed (given up after the retry window) or pending. */
  deliveries: Record<string, 'pending' | 'delivered' | 'failed'>;
}

/** One event to one endpoint; it carries the event, so an event that has left the window is still delivered. */
export interface Delivery {
  event: MerchantEvent;
  endpointId: string;
}

export interface MerchantEventLogInput {
  merchantId: string;
  settings: DeliverySettings;
  /** Carried over continue-as-new: the window, the next cursor, and deliveries not yet made. */
  carried?: { nextCursor: number; window: LoggedEvent[]; pending: Delivery[] };
}

/** What a payment or reservation publishes: the event, and the merchant's endpoints configured at that time. */
export interface PublishedEvent {
  event: MerchantEvent;
  endpointIds: string[];
}

export interface EventsAfterInput {
  after: number;
  limit: number;
}

export interface EventsPage {
  events: (MerchantEvent & { cursor: number })[];
  /** Pass as `after` to read on (the last listed cursor, or `after` itself when nothing is newer). */
  nextCursor: number;
  hasMore: boolean;
  /** Oldest cursor still in the window: a receiver that was away longer than the window missed what came before. */
  oldestCursor?: number;
}
