/** 3-D Secure browser data (Trustist requires it; field names as its S2S document). */
export interface BrowserData {
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

export interface BillingAddress {
  firstName?: string;
  lastName?: string;
  lineOne?: string;
  lineTwo?: string;
  city?: string;
  country?: string;
  postalCode?: string;
  region?: string;
}
