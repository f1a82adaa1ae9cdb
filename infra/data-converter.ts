import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, type PayloadKey } from './payload-codec';

export interface PayloadEncryptionConfig {
  keys: PayloadKey[];
  activeKeyId: string;
}

/** The same converter on every client and worker, so all of them read and write encrypted payloads. */
export function createDataConverter(encryption: PayloadEncryptionConfig): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(encryption.keys, encryption.activeKeyId)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}
