/**
 * The county gazetteer (标准地址库) as data: one JSON object per line (docs/gazetteer-format.md).
 * Coordinates are WGS-84 (≈ CGCS2000) `[lng, lat]`. A county converts its own address registry to
 * these lines; the demo county's generator writes one (simulators/county/gazetteer.ts).
 */

export type LngLat = readonly [number, number];

/** A named road, or a villagers' group's lane (三组, 2社), with the door numbers along it. */
export interface GazetteerRoad {
  readonly kind: 'road' | 'group';
  readonly id: string;
  readonly name: string;
  /** For kind `group`: the group's number (三组 → 3). */
  readonly group?: number;
  readonly townCode: string;
  readonly villageCode?: string;
  /** Where the door numbers run, from the first number's end to the last's (a polyline). */
  readonly line: readonly LngLat[];
  /** The first and last door number along `line`. */
  readonly doors: readonly [number, number];
}

/** A door plate (门楼牌) with its surveyed position. */
export interface GazetteerDoor {
  readonly kind: 'door';
  readonly road: string;
  readonly door: number;
  readonly point: LngLat;
}

/** A residential compound or named building group, at a door of a road. */
export interface GazetteerCompound {
  readonly kind: 'compound';
  readonly id: string;
  readonly name: string;
  readonly townCode: string;
  readonly villageCode?: string;
  readonly road?: string;
  readonly door?: number;
  readonly point: LngLat;
}

/** A place people name to say where something is (a supermarket, a petrol station). */
export interface GazetteerLandmark {
  readonly kind: 'landmark';
  readonly id: string;
  readonly name: string;
  readonly townCode: string;
  readonly villageCode?: string;
  readonly road?: string;
  readonly door?: number;
  readonly point: LngLat;
}

export interface GazetteerMeta {
  readonly kind: 'meta';
  readonly format: 'countyhub-gazetteer';
  readonly formatVersion: 1;
  readonly county?: string;
  readonly crs?: string;
}

export type GazetteerEntry = GazetteerRoad | GazetteerDoor | GazetteerCompound | GazetteerLandmark | GazetteerMeta;

/** Towns and villages for centroid fallbacks, as in geo/divisions.json. */
export interface GazetteerDivision {
  readonly code: string;
  readonly name: string;
  readonly center: LngLat;
}

/** A line the loader cannot read; the line number is 1-based. Fixing the file is the only remedy (no retry). */
export class GazetteerFormatError extends Error {
  readonly retryable = false;
  constructor(
    readonly lineNo: number,
    readonly reason: string,
  ) {
    super(`gazetteer line ${lineNo}: ${reason}`);
    this.name = 'GazetteerFormatError';
  }
}

const isPoint = (p: unknown): p is LngLat => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Checks one parsed line; throws GazetteerFormatError naming what is wrong. */
export function checkEntry(o: unknown, lineNo: number): GazetteerEntry {
  if (!o || typeof o !== 'object') throw new GazetteerFormatError(lineNo, 'not a JSON object');
  const e = o as Record<string, unknown>;
  const need = (field: string, ok: boolean) => {
    if (!ok) throw new GazetteerFormatError(lineNo, `${String(e.kind)}: field ${field} missing or malformed`);
  };
  switch (e.kind) {
    case 'meta':
      need('format', e.format === 'countyhub-gazetteer');
      need('formatVersion', e.formatVersion === 1);
      break;
    case 'road':
    case 'group':
      need('id', typeof e.id === 'string');
      need('name', typeof e.name === 'string');
      need('townCode', typeof e.townCode === 'string' && /^\d{9}$/.test(e.townCode));
      need('line', Array.isArray(e.line) && e.line.length >= 2 && e.line.every(isPoint));
      need('doors', Array.isArray(e.doors) && e.doors.length === 2 && e.doors.every((x) => Number.isInteger(x)));
      if (e.kind === 'group') need('group', Number.isInteger(e.group));
      break;
    case 'door':
      need('road', typeof e.road === 'string');
      need('door', Number.isInteger(e.door));
      need('point', isPoint(e.point));
      break;
    case 'compound':
    case 'landmark':
      need('id', typeof e.id === 'string');
      need('name', typeof e.name === 'string' && e.name.length > 0);
      need('townCode', typeof e.townCode === 'string' && /^\d{9}$/.test(e.townCode));
      need('point', isPoint(e.point));
      break;
    default:
      throw new GazetteerFormatError(lineNo, `unknown kind ${JSON.stringify(e.kind)}`);
  }
  return e as unknown as GazetteerEntry;
}
