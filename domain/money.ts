/** Amounts travel in minor units (integers) everywhere; only a provider that wants decimals gets them, at its edge. */
const MINOR_UNIT_EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

export function minorUnitExponent(currency: string): number {
  return MINOR_UNIT_EXPONENTS[currency.toUpperCase()] ?? 2;
}

export function toMajorUnits(amountMinor: number, currency: string): number {
  const exponent = minorUnitExponent(currency);
  return Number((amountMinor / 10 ** exponent).toFixed(exponent));
}

export function toMinorUnits(amountMajor: number, currency: string): number {
  return Math.round(amountMajor * 10 ** minorUnitExponent(currency));
}
