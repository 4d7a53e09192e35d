/**
 * What the gazetteer adds to a report's matching features: its address keys, and — when the
 * platform gave no usable position — the geocoded one, with origin `geocoded:<level>` and the
 * level's uncertainty; a report without a division code takes the town/village the gazetteer
 * found. The record itself is not changed (the hub stores what the department sent).
 */
import type { ReportFeatures } from '../merge/matter-matcher.js';
import { isUsablePoint } from '../merge/geo.js';
import { parseAddress } from '../merge/addresses.js';
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
    g = parsed && parsed.compound === null && parsed.building === null ? gazetteer.geocode(f.description, { ...opts, parsed }) : null;
    if (g && !FROM_TEXT.has(g.level)) g = null;
  }
  if (!g) return f;
  const located = isUsablePoint(f.location);
  return {
    ...f,
    addressKeys: g.keys,
    ...(located ? {} : { location: g.point, locationOrigin: `geocoded:${g.level}`, locationUncertaintyM: g.uncertaintyM }),
    ...(f.divisionCode ? {} : { divisionCode: g.villageCode ?? (g.townCode ? `${g.townCode}000` : null) }),
  };
}
