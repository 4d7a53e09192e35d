/**
 * What the gazetteer adds to a report's matching features: its address keys, and — when the
 * platform gave no usable position — the geocoded one, with origin `geocoded:<level>` and the
 * level's uncertainty; a report without a division code takes the town/village the gazetteer
 * found. The record itself is not changed (the hub stores what the department sent).
 */
import type { ReportFeatures } from '../merge/matter-matcher.js';
import { isUsablePoint } from '../merge/geo.js';
import type { RegionIndex } from '../merge/regions.js';
import type { Gazetteer } from './geocode.js';

export function geocodeFeatures(f: ReportFeatures, gazetteer: Gazetteer, regions?: RegionIndex): ReportFeatures {
  if (!f.address || f.address.trim() === '') return f;
  const g = gazetteer.geocode(f.address, { divisionCode: f.divisionCode, ...(regions ? { regions } : {}) });
  if (!g) return f;
  const located = isUsablePoint(f.location);
  return {
    ...f,
    addressKeys: g.keys,
    ...(located ? {} : { location: g.point, locationOrigin: `geocoded:${g.level}`, locationUncertaintyM: g.uncertaintyM }),
    ...(f.divisionCode ? {} : { divisionCode: g.villageCode ?? (g.townCode ? `${g.townCode}000` : null) }),
  };
}
