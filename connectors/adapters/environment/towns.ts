/**
 * 所属乡镇 (the town the 12369 platform's drop-down wrote, by name) → the town-level 12-digit division
 * code (9-digit town code + "000", the form 12345 uses for "town only"), so the hub can route the
 * complaint to its town and block merge candidates by town. The platform gives only the 6-digit
 * 区县代码 beside the town name; villages are not resolved (the name stays in the address).
 *
 * The list is county data, like a county's bounding box: the default is the demo county's towns
 * (演示旗, 150625, the same codes as geo/divisions.json of a generated dataset). A county replaces
 * it with its own 乡级 division list when it deploys the adapter.
 */

/** [9-digit town code, full name] of the demo county's streets, towns, sumu and townships. */
export const DEMO_COUNTY_TOWNS: ReadonlyArray<readonly [string, string]> = [
  ['150625001', '新城街道'],
  ['150625002', '滨河街道'],
  ['150625100', '锡尼镇'],
  ['150625101', '巴拉贡镇'],
  ['150625102', '吉日嘎朗图镇'],
  ['150625103', '独贵塔拉镇'],
  ['150625104', '呼和木独镇'],
  ['150625105', '塔然高勒镇'],
  ['150625106', '阿门其日格镇'],
  ['150625200', '伊和乌素苏木'],
  ['150625201', '浩绕柴达木苏木'],
  ['150625202', '额尔和图苏木'],
  ['150625203', '红柳乡'],
];

const SUFFIX = /(街道办事处|街道|苏木|镇|乡)$/u;

export interface TownLookup {
  /** The 9-digit code of the town a name means, by full or short name (锡尼镇, 锡尼); null when unknown or ambiguous. */
  byName(raw: string | null): string | null;
  /** The 9-digit code of the one town whose full name appears in the text; null when none or several. */
  inText(text: string | null): string | null;
}

export function townLookup(list: ReadonlyArray<readonly [string, string]> = DEMO_COUNTY_TOWNS): TownLookup {
  const full = new Map(list.map(([code, name]) => [name, code]));
  const short = new Map<string, string | null>();
  for (const [code, name] of list) {
    const s = name.replace(SUFFIX, '');
    if (s !== name && Array.from(s).length >= 2) short.set(s, short.has(s) ? null : code);
  }
  return {
    byName(raw) {
      if (!raw) return null;
      const name = raw.normalize('NFKC').replace(/\s+/gu, '');
      return full.get(name) ?? short.get(name) ?? short.get(name.replace(SUFFIX, '')) ?? null;
    },
    inText(text) {
      if (!text) return null;
      const hits = list.filter(([, name]) => text.includes(name));
      return hits.length === 1 ? (hits[0] as readonly [string, string])[0] : null;
    },
  };
}
