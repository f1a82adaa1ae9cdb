import type { z } from 'zod';
import type { PayerDevice } from '../domain/payer-context';
import type { browserDataSchema } from './payment-schemas';

/** The merchant's `browserData` (field names kept as published) as the provider-neutral payer device. */
export function toPayerDevice(browserData: z.infer<typeof browserDataSchema>): PayerDevice {
  return {
    channel: browserData.deviceChannel,
    ip: browserData.browserIP,
    userAgent: browserData.browserUserAgent,
    acceptHeader: browserData.browserAcceptHeader,
    language: browserData.browserLanguage,
    timeZone: browserData.browserTZ,
    colorDepth: browserData.browserColorDepth,
    screenHeight: browserData.browserScreenHeight,
    screenWidth: browserData.browserScreenWidth,
    javaEnabled: browserData.browserJavaEnabled,
    javascriptEnabled: browserData.browserJavascriptEnabled,
    challengeWindowSize: browserData.challengeWindowSize,
  };
}
