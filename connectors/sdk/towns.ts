/**
 * Town names → division codes, for department exports that name the town (乡镇/苏木/街道) but give no
 * statistical code: the natural-resources patrol CSV, the emergency hazard ledger and the approval
 * platform. The town is resolved to its town-level 12-digit code (9-digit town code + "000", the
 * form 12345 uses for "town only"), so the hub can route to the town and block candidates by town.
 * Village names are not resolved: they are not unique across towns and change with re-zoning; the
 * name stays in the address for the hub's address matching.
 *
 * The towns are county data: the county profile's (core/county-profile.ts, COUNTY_PROFILE), the demo
 * county's when unset.
 */
import { countyProfile } from '../../core/county-profile.js';

/** [9-digit town code, full name] of the county's towns, streets and sumu, from its profile. */
export function countyTowns(): ReadonlyArray<readonly [string, string]> {
  return countyProfile().towns.map((t) => [t.code, t.name] as const);
}

export interface Town {
  /** 9-digit town code. */
  code: string;
  /** Full name, e.g. 呼和木独镇. */
  name: string;
  /** Name without the administrative suffix, e.g. 呼和木独 (null when fewer than two characters remain). */
  shortName: string | null;
  /** 12-digit town-level division code: code + "000". */
  divisionCode: string;
}

export interface TownGazetteer {
  /** The town a town field names, by full or short name ("呼和木独镇", "呼和木独"); null when unknown. */
  byName(raw: string | null): Town | null;
  /** The town whose full name appears in an address ("演示旗呼和木独镇图古日格嘎查4社"); null when none or several. */
  inAddress(address: string | null): Town | null;
  readonly towns: readonly Town[];
}

const SUFFIX = /(街道办事处|街道|苏木|镇|乡)$/u;

export function townGazetteer(list: ReadonlyArray<readonly [string, string]> = countyTowns()): TownGazetteer {
  const towns: Town[] = list.map(([code, name]) => {
    const short = name.replace(SUFFIX, '');
    return { code, name, shortName: short !== name && Array.from(short).length >= 2 ? short : null, divisionCode: `${code}000` };
  });
  const byFull = new Map(towns.map((t) => [t.name, t]));
  const byShort = new Map<string, Town | null>();
  for (const t of towns) if (t.shortName) byShort.set(t.shortName, byShort.has(t.shortName) ? null : t);
  return {
    towns,
    byName(raw) {
      if (!raw) return null;
      const name = raw.normalize('NFKC').replace(/\s+/gu, '');
      return byFull.get(name) ?? byShort.get(name) ?? byShort.get(name.replace(SUFFIX, '')) ?? null;
    },
    inAddress(address) {
      if (!address) return null;
      const hits = towns.filter((t) => address.includes(t.name));
      return hits.length === 1 ? (hits[0] as Town) : null;
    },
  };
}

/**
 * The address with its town (and village) in front when the source wrote them in separate columns
 * and the address text does not name the town ("兴隆村4组8号地块" → "独贵塔拉镇兴隆村4组8号地块",
 * "4组8号地块" → "独贵塔拉镇兴隆村4组8号地块"). An address that names the town is left as written.
 */
export function withDivisionNames(address: string | null, town: string | null, village: string | null, known: Town | null): string | null {
  const text = address ?? '';
  const townNames = [town, known?.name, known?.shortName].filter((n): n is string => !!n);
  if (townNames.length === 0 || townNames.some((n) => text.includes(n))) return address;
  const townText = known?.name ?? (town as string);
  const villageText = village && !text.includes(village) ? village : '';
  return `${townText}${villageText}${text}`;
}
