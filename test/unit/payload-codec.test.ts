import { randomBytes } from 'node:crypto';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../infra/payload-codec';

const key = (id: string) => ({ id, key: randomBytes(32) });
const payload = (text: string) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(text) });

describe('AES-256-GCM payload codec', () => {
  test('round trip: the encoded bytes hide the plaintext and carry the key id', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')], 'k1');
    const [encoded] = await codec.encode([payload('{"reference":"order-1"}')]);
    expect(Buffer.from(encoded!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('order-1');
    const [decoded] = await codec.decode([encoded!]);
    expect(Buffer.from(decoded!.data!).toString()).toBe('{"reference":"order-1"}');
  });

  test('rotation: after a new active key, payloads of the old key still decode; new ones use the new key', async () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const [old] = await new AesGcmPayloadCodec([k1], 'k1').encode([payload('old')]);
    const rotated = new AesGcmPayloadCodec([k1, k2], 'k2');
    expect(Buffer.from((await rotated.decode([old!]))[0]!.data!).toString()).toBe('old');
    const [fresh] = await rotated.encode([payload('new')]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('k2');
  });

  test('an unknown key id or tampered bytes fail loudly; unencrypted payloads pass through', async () => {
    const [encoded] = await new AesGcmPayloadCodec([key('k1')], 'k1').encode([payload('secret')]);
    await expect(new AesGcmPayloadCodec([key('k9')], 'k9').decode([encoded!])).rejects.toThrow(/unknown key id "k1"/);
    const tampered = { ...encoded!, data: Buffer.from(encoded!.data!).fill(0, 20, 21) };
    await expect(new AesGcmPayloadCodec([key('k1')], 'k1').decode([tampered])).rejects.toThrow();
    const plain = payload('plain');
    expect(await new AesGcmPayloadCodec([key('k1')], 'k1').decode([plain])).toEqual([plain]);
    expect(() => new AesGcmPayloadCodec([{ id: 'short', key: randomBytes(16) }], 'short')).toThrow(/32 bytes/);
  });
});
