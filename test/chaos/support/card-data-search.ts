import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TEST_CARDS as SANDBOX_TEST_CARDS } from '../../../sandbox';
import { TEST_CARDS, TEST_CVC } from '../../support/test-cards';

/** Every PAN the tests and the sandboxes know, and the CVC in the forms it would take in JSON, logs or query strings. */
export const ALL_TEST_PANS = [...new Set([...Object.values(TEST_CARDS), ...SANDBOX_TEST_CARDS.map((card) => card.number)])];
export const CVC_FORMS = [`"${TEST_CVC}"`, `cvc=${TEST_CVC}`, `cvc: ${TEST_CVC}`, `"cvc":${TEST_CVC}`, `cvc%22%3A%22${TEST_CVC}`];

/** The card data found in `text` (empty when clean). */
export function cardDataIn(text: string): string[] {
  return [...ALL_TEST_PANS.filter((pan) => text.includes(pan)), ...CVC_FORMS.filter((form) => text.includes(form))];
}

/** Raw history bytes and every payload decrypted, of one workflow. */
export async function historyTexts(client: Client, codec: PayloadCodec, workflowId: string): Promise<{ raw: string; decoded: string; payloads: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
  const payloads = collectPayloads(history);
  const decoded = (await codec.decode(payloads)).map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
  return { raw, decoded, payloads: payloads.length };
}

function collectPayloads(value: unknown, found: Payload[] = [], seen = new Set<unknown>()): Payload[] {
  if (!value || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return found;
  seen.add(value);
  const candidate = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
  if (candidate.metadata && typeof candidate.metadata === 'object' && candidate.data instanceof Uint8Array && candidate.metadata.encoding) {
    found.push(candidate as Payload);
    return found;
  }
  for (const inner of Object.values(value)) collectPayloads(inner, found, seen);
  return found;
}
