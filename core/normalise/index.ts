/** Pure normalisation and validation helpers for connector mappings. */
export { normaliseUscc, validateUscc, usccCheckChar, usccKind, USCC_ALPHABET } from './uscc.js';
export type { UsccKind, UsccKindName } from './uscc.js';

export { validateResidentId, normaliseResidentId, residentIdCheckChar, residentIdInfo } from './resident-id.js';
export type { ResidentIdInfo, ResidentIdOptions } from './resident-id.js';

export { normaliseMobile, normaliseLandline, validateMobile, validateLandline, validatePhone } from './phone.js';
export type { MobileNumber, LandlineNumber, PhoneNumber } from './phone.js';

export {
  protectResidentId,
  protectPhone,
  maskName,
  maskResidentId,
  maskMobile,
  keyedHash,
  PERSONAL_DATA_HASH_ALGORITHM,
  MIN_KEY_BYTES,
} from './personal-data.js';
export type { ProtectedValue, PersonalDataKey, PersonalDataHashAlgorithm } from './personal-data.js';

export { toCanonical, transformToWgs84, transformFromWgs84 } from './coords.js';
export type { Crs, SourcePoint, BBox, CanonicalPoint } from './coords.js';

export { parseTimestamp, formatShanghai } from './time.js';
export type { ParsedTime, ParseTimeOptions } from './time.js';

export { cleanText, normaliseCode, normaliseName, looksLikeInjection, assertNotMisdecoded } from './text.js';
export type { CleanTextOptions } from './text.js';
