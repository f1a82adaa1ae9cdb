import type { LocalSandbox } from './local-sandbox';
import { localTrustistSandbox } from './trustist/local';
import { localTurnstaySandbox } from './turnstay/local';

/** The sandboxes `npm start` runs, one per built-in provider: a new provider's sandbox folder adds one entry here. */
export const LOCAL_SANDBOXES: readonly LocalSandbox[] = [localTurnstaySandbox, localTrustistSandbox];
