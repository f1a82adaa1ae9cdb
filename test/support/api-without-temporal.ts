import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { createApiApp, type ApiDependencies } from '../../api/app';
import { createLogger } from '../../infra/logger';
import { CardVault } from '../../worker/card-vault';
import { AesGcmPayloadCodec } from '../../infra/payload-codec';
import { testPayloadEncryption } from './payment-stack';
import { testApiProviders } from './api-providers';

/**
 * The real API app with no Temporal behind it, for what must answer before Temporal is involved (validation, sign-in,
 * the codec): a request that got that far would hit the empty client and answer 500.
 */
export function apiAppWithoutTemporal(overrides: Partial<ApiDependencies> = {}): Express {
  const encryption = testPayloadEncryption();
  return createApiApp({
    client: {} as Client,
    namespace: 'default',
    taskQueue: 'unused',
    vault: new CardVault(),
    cardVaultTaskQueue: 'unused',
    cardVaultWorker: {} as ApiDependencies['cardVaultWorker'],
    keepCardOnFile: () => Promise.reject(new Error('no provider without Temporal')),
    codec: new AesGcmPayloadCodec(encryption.keys, encryption.activeKeyId),
    merchantKeys: [],
    operatorKeyHashes: [],
    providers: testApiProviders({ turnstayWebhookSecret: 'whsec_unused', trustistWebhookPathSecret: 'unused-unused-unused-unused' }),
    webhookToleranceSeconds: 300,
    codecAllowedOrigins: [],
    log: createLogger('api-without-temporal', { level: 'silent' }),
    ...overrides,
  });
}

export async function startApiWithoutTemporal(overrides: Partial<ApiDependencies>): Promise<{ baseUrl: string; server: Server }> {
  const app = apiAppWithoutTemporal(overrides);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
