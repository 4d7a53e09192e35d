/**
 * Reads a gazetteer file (docs/gazetteer-format.md) and the divisions file's centroids into a
 * `Gazetteer` the geocoder uses. I/O lives here; hub/gazetteer/geocode.ts is pure.
 */
import { readFileSync } from 'node:fs';
import { checkEntry, GazetteerFormatError, type GazetteerDivision, type GazetteerEntry } from './format.js';
import { Gazetteer } from './geocode.js';

export function parseGazetteerLines(text: string): GazetteerEntry[] {
  const out: GazetteerEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (!l) return;
    let o: unknown;
    try {
      o = JSON.parse(l);
    } catch {
      throw new GazetteerFormatError(i + 1, 'not JSON');
    }
    out.push(checkEntry(o, i + 1));
  });
  return out;
}

/** Towns' and villages' centres from a geo/divisions.json (dataset format). */
export function divisionCentres(divisionsJson: unknown): GazetteerDivision[] {
  const d = divisionsJson as { towns?: Array<{ code: string; name: string; center: [number, number] }>; villages?: Array<{ code: string; name: string; center: [number, number] }> };
  return [...(d.towns ?? []), ...(d.villages ?? [])].filter((x) => Array.isArray(x.center)).map((x) => ({ code: x.code, name: x.name, center: x.center }));
}

export function loadGazetteer(file: string, divisionsFile?: string): Gazetteer {
  const entries = parseGazetteerLines(readFileSync(file, 'utf8'));
  const divisions = divisionsFile ? divisionCentres(JSON.parse(readFileSync(divisionsFile, 'utf8'))) : [];
  return new Gazetteer(entries, divisions);
}
