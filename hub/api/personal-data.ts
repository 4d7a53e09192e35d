/**
 * Display masking of personal data in free text (GB/T 35273-2020). Connectors already replace the
 * structured identity fields with a keyed hash and a masked form before anything reaches Kafka, but
 * citizens write their phone and ID numbers into the text of a complaint. The API masks those by
 * default everywhere; the unmasked text is shown only through the audited unmask path.
 */

// 18-digit resident ID (last digit may be X), mainland mobile numbers, landlines with an area code
const ID_NUMBER = /(?<![0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const MOBILE = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;
const LANDLINE = /(?<!\d)(0\d{2,3}-)(\d{3,4})(\d{4})(?!\d)/g;

export function maskText(s: string): string;
export function maskText(s: string | null): string | null;
export function maskText(s: string | null): string | null {
  if (s === null) return null;
  return s
    .replace(ID_NUMBER, (_m, a: string, _b: string, c: string) => `${a}********${c.slice(-4)}`)
    .replace(MOBILE, (_m, a: string, _b: string, c: string) => `${a}****${c}`)
    .replace(LANDLINE, (_m, a: string, b: string, c: string) => `${a}${'*'.repeat(b.length)}${c}`);
}

/** Whether the text holds anything maskText would hide (so an unmask can say what it revealed). */
export function holdsPersonalData(s: string | null): boolean {
  return s !== null && maskText(s) !== s;
}
