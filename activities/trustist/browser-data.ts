import type { PayerDevice } from '../../domain/payer-context';

/** Trustist's `browserData` (its S2S document's field names), required with every card payment for 3-D Secure. */
export interface TrustistBrowserData {
  browserJavaEnabled: boolean;
  browserJavascriptEnabled: boolean;
  browserLanguage: string;
  browserColorDepth: number;
  browserScreenHeight: number;
  browserScreenWidth: number;
  browserTZ: string;
  browserUserAgent: string;
  browserAcceptHeader: string;
  browserIP: string;
  browserJavaEnabledString: 'true' | 'false';
  challengeWindowSize: string;
  deviceChannel: 'Browser' | 'Application';
}

export function toTrustistBrowserData(device: PayerDevice): TrustistBrowserData {
  return {
    browserJavaEnabled: device.javaEnabled,
    browserJavascriptEnabled: device.javascriptEnabled,
    browserLanguage: device.language,
    browserColorDepth: device.colorDepth,
    browserScreenHeight: device.screenHeight,
    browserScreenWidth: device.screenWidth,
    browserTZ: device.timeZone,
    browserUserAgent: device.userAgent,
    browserAcceptHeader: device.acceptHeader,
    browserIP: device.ip,
    browserJavaEnabledString: device.javaEnabled ? 'true' : 'false',
    challengeWindowSize: device.challengeWindowSize,
    deviceChannel: device.channel,
  };
}
