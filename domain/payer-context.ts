/**
 * The payer's browser or app as 3-D Secure asks for it (the EMV 3DS browser fields), in no provider's wording: each
 * adapter that needs it maps it to its own wire shape (Trustist: activities/trustist/browser-data.ts).
 */
export interface PayerDevice {
  channel: 'Browser' | 'Application';
  ip: string;
  userAgent: string;
  acceptHeader: string;
  language: string;
  timeZone: string;
  colorDepth: number;
  screenHeight: number;
  screenWidth: number;
  javaEnabled: boolean;
  javascriptEnabled: boolean;
  challengeWindowSize: string;
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
