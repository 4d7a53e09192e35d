/**
 * What the gazetteer adds to a report's matching features: its address keys, and — when the
 * platform gave no usable position — the geocoded one, with origin `geocoded:<level>` and the
 * level's uncertainty; a report without a division code takes the town/village the gazetteer
 * found. The record itself is not changed (the hub stores what the department sent).
 */
import type { ReportFeatures } from '../merge/matter-matcher.js';
import { isUsablePoint } from '../merge/geo.js';
import { buildingAsDoor, parseAddress } from '../merge/addresses.js';
import type { RegionIndex } from '../merge/regions.js';
import type { Gazetteer, Geocode, GeocodeLevel } from './geocode.js';

/** Levels precise enough to trust when the place was read from free text rather than an address field. */
const FROM_TEXT: ReadonlySet<GeocodeLevel> = new Set(['door', 'road-segment', 'compound', 'landmark', 'crossing', 'village-group']);

export function geocodeFeatures(f: ReportFeatures, gazetteer: Gazetteer, regions?: RegionIndex): ReportFeatures {
  return withCentroidOrigin(geocodeAddress(f, gazetteer, regions), gazetteer);
}

/**
 * A platform's position on a village's or town's centre is a pin dropped where the platform could
 * not place the report: origin `centroid:<level>` with the level's uncertainty, so distance gives
 * no evidence either way (two reports pinned on one village centre are not "0 m apart").
 */
function withCentroidOrigin(f: ReportFeatures, gazetteer: Gazetteer): ReportFeatures {
  if (!isUsablePoint(f.location) || f.locationOrigin) return f;
  const c = gazetteer.centreAt(f.location);
  return c ? { ...f, locationOrigin: `centroid:${c.level}`, locationUncertaintyM: c.uncertaintyM } : f;
}

function geocodeAddress(f: ReportFeatures, gazetteer: Gazetteer, regions?: RegionIndex): ReportFeatures {
  // without a division code, the town (or village) a 12345 operator writes at the start of the
  // text (巴拉贡镇建设路小学门口…) tells which town's 建设路 the address means
  const divisionCode = f.divisionCode ?? (f.description && regions ? parseAddress(f.description, { regions }).divisionCode : null);
  const opts = { divisionCode, ...(regions ? { regions } : {}) };
  let g: Geocode | null;
  if (f.address && f.address.trim() !== '') g = gazetteer.geocode(f.address, opts);
  else {
    // a work order whose address field is empty often names the place in its text
    // (新城街道文昌北路78号：来电人称…): geocoded from the text, kept only at a precise level and
    // not inside a compound (its buildings share the compound's keys; which one the text means
    // cannot be compared without an address)
    const parsed = f.description ? parseAddress(f.description, regions ? { regions } : {}) : null;
    // (新华路24栋 outside a compound is door 24 of the road: buildingAsDoor; a unit says a compound's block)
    const door = parsed && parsed.unit === null ? buildingAsDoor(parsed) : null;
    g = door && door.compound === null && door.building === null ? gazetteer.geocode(f.description, { ...opts, parsed: door }) : null;
    if (g && !FROM_TEXT.has(g.level)) g = null;
  }
  if (!g) {
    // a door on a road whose name several towns have, and no town to choose (水南路184号 from a
    // caller who named no town): the keys of that door on each of those roads, no position and no
    // division — candidate search meets the matters at any of them, the addresses decide
    const text = f.address && f.address.trim() !== '' ? f.address : f.description;
    const keys = text ? gazetteer.ambiguousDoorKeys(text, opts) : [];
    return keys.length ? { ...f, addressKeys: keys } : f;
  }
  const located = isUsablePoint(f.location);
  return {
    ...f,
    addressKeys: g.keys,
    ...(located ? {} : { location: g.point, locationOrigin: `geocoded:${g.level}`, locationUncertaintyM: g.uncertaintyM }),
    ...(f.divisionCode ? {} : { divisionCode: g.villageCode ?? (g.townCode ? `${g.townCode}000` : null) }),
  };
}
