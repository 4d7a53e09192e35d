/** The environment department's adapters, one object per connector (manifest + mapping). */
import { mapAlarm } from './alarms-mapping.js';
import { mapComplaint } from './complaints-mapping.js';
import { alarmsManifest, complaintsManifest } from './manifest.js';

export { alarmsManifest, complaintsManifest, mapAlarm, mapComplaint };
export { parseHj212, hj212Crc16, hj212CrcHex } from './hj212.js';

export const alarms = { manifest: alarmsManifest, mapping: mapAlarm };
export const complaints = { manifest: complaintsManifest, mapping: mapComplaint };

/** Both connectors of the department (found by the worker through this folder's manifest). */
export const adapters = [alarms, complaints];
