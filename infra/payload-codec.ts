import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  /** 32 bytes for AES-256. */
  key: Buffer;
}

/**
 * Encrypts every payload at rest with AES-256-GCM. The key id travels in the payload's metadata, so after a
 * rotation (new active key, old keys kept for decoding) old histories still decode.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  constructor(keys: PayloadKey[], private readonly activeKeyId: string) {
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    for (const { id, key } of keys) if (key.length !== 32) throw new Error(`payload key ${id} must be 32 bytes, got ${key.length}`);
    if (!this.keys.has(activeKeyId)) throw new Error(`active payload key ${activeKeyId} is not among the configured keys`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.activeKeyId) as Buffer;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          encoding: new TextEncoder().encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: new TextEncoder().encode(this.activeKeyId),
        },
        data: Buffer.concat([iv, encrypted, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || new TextDecoder().decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? new TextDecoder().decode(keyIdBytes) : '';
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with unknown key id "${keyId}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** "k1:<base64>,k2:<base64>" as configured in PAYLOAD_KEYS. */
export function parsePayloadKeys(value: string): PayloadKey[] {
  return value.split(',').map((entry) => {
    const [id, material] = entry.trim().split(':');
    if (!id || !material) throw new Error('each payload key must be "<id>:<base64 of 32 bytes>"');
    return { id, key: Buffer.from(material, 'base64') };
  });
}
