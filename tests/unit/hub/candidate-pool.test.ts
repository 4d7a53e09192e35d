/**
 * The run's candidate pool answers from indexes (division, town, grid, address key, cells over
 * positions). Whatever the run does to its matters (a first position, a grid, more keys, a later
 * report), a report must get exactly the candidates a scan of every pooled matter with each
 * path's predicates gives — the per-report queries' answer the run engine stands in for.
 */
import { describe, expect, it } from 'vitest';
import { Pool, type PoolMatter } from '../../../hub/ingest/matter-candidates.js';
import { matterBlocking, type ReportFeatures } from '../../../hub/merge/index.js';
import { compareIds } from '../../../hub/store/ids.js';
import { LAOWANG, offset, shuffled } from '../merge/fixtures.js';
import { pick, seededRandom as random } from '../../../simulators/shared/county.js';

const VILLAGES = ['150625100001', '150625100002', '150625100204', '150625101001'];
// several families, related and not (a report looks in its family's related ones), and none
const CATEGORIES = ['env.cooking_fume', 'env.air', 'env.noise', 'construction.noise', 'facility.road', 'appearance.garbage', 'dispute.neighbour', null];
const KEYS = ['door:R1#100', 'door:R1#102', 'road:R1', 'compound:C1', 'crossing:R1|R2'];
const GRIDS = ['G1', 'G2', 'G3'];
const HOUR = 3_600_000;
const LIMIT = 300;


function reportOf(rnd: () => number, i: number): ReportFeatures {
  // positions from next door to a few kilometres away, some on a cell's edge
  const at = rnd() < 0.75 ? offset(LAOWANG, (rnd() - 0.5) * 4000, (rnd() - 0.5) * 4000) : null;
  const division = rnd() < 0.7 ? pick(rnd, VILLAGES) : rnd() < 0.5 ? '150625100' : null;
  return {
    sourceSystem: 'hotline-12345',
    sourceRecordId: `R${i}`,
    categoryCode: pick(rnd, CATEGORIES),
    eventTime: Math.floor(rnd() * 72) * HOUR,
    location: at,
    divisionCode: division,
    gridCode: rnd() < 0.4 ? pick(rnd, GRIDS) : null,
    description: '油烟扰民',
    address: null,
    addressKeys: rnd() < 0.5 ? [pick(rnd, KEYS), pick(rnd, KEYS)] : [],
  };
}

function matterOf(rnd: () => number, i: number): PoolMatter {
  const f = reportOf(rnd, i);
  const b = matterBlocking(f);
  const last = f.eventTime + Math.floor(rnd() * 24) * HOUR;
  return {
    id: String(1000 + i),
    closedAt: rnd() < 0.2 ? last + Math.floor(rnd() * 48 - 24) * HOUR : null,
    last,
    first: f.eventTime,
    family: b.family,
    lng: f.location?.lng ?? null,
    lat: f.location?.lat ?? null,
    divisionCode: f.divisionCode ?? null,
    townCode: f.divisionCode?.slice(0, 9) ?? null,
    gridCode: f.gridCode ?? null,
    keys: [...(f.addressKeys ?? [])],
  };
}

/** Every matter looked at with each path's predicates: what the indexes must agree with. */
function scanned(matters: Iterable<PoolMatter>, f: ReportFeatures): string[] {
  const b = matterBlocking(f);
  const villageCoded = !!f.divisionCode && f.divisionCode.length === 12 && !f.divisionCode.endsWith('000');
  const divisions = villageCoded ? (b.townCode ? [f.divisionCode!, `${b.townCode}000`, b.townCode] : [f.divisionCode!]) : null;
  const town = divisions ? null : b.townCode;
  const noDivision = !divisions && !town && !b.bbox;
  const lists: PoolMatter[][] = [[], [], [], []];
  for (const m of matters) {
    if (b.families && (m.family === null || !b.families.includes(m.family))) continue;
    if (m.last < b.from || m.first > b.to || (m.closedAt !== null && m.closedAt < b.recurrenceSince)) continue;
    if (b.bbox && m.lng !== null && m.lat !== null && m.lng >= b.bbox[0] && m.lng <= b.bbox[2] && m.lat >= b.bbox[1] && m.lat <= b.bbox[3]) lists[0]!.push(m);
    if (divisions ? m.divisionCode !== null && divisions.includes(m.divisionCode) : town ? m.townCode === town : noDivision && m.divisionCode === null) lists[1]!.push(m);
    if (f.gridCode && m.gridCode === f.gridCode) lists[2]!.push(m);
    if (b.addressKeys.some((k) => m.keys.includes(k))) lists[3]!.push(m);
  }
  const near = (m: PoolMatter) => Math.abs(m.last - f.eventTime);
  const out = new Set<string>();
  for (const l of lists) for (const m of [...l].sort((x, y) => near(x) - near(y) || compareIds(x.id, y.id)).slice(0, LIMIT)) out.add(m.id);
  return [...out].sort(compareIds);
}

const ids = (ms: PoolMatter[]) => ms.map((m) => m.id).sort(compareIds);

describe('the run engine candidate pool', () => {
  it('gives each report the candidates a scan of every matter gives, as the run changes its matters', () => {
    for (const seed of [1, 2, 3]) {
      const rnd = random(seed);
      const pool = new Pool();
      const matters = new Map<string, PoolMatter>();
      for (let i = 0; i < 400; i++) {
        const m = matterOf(rnd, i);
        matters.set(m.id, m);
        pool.set(m);
      }
      let nonEmpty = 0;
      for (let i = 0; i < 300; i++) {
        const f = reportOf(rnd, 10_000 + i);
        const want = scanned(matters.values(), f);
        expect(ids(pool.candidatesOf(f)), `seed ${seed}, report ${i}`).toEqual(want);
        if (want.length) nonEmpty += 1;
        // what a report's apply does to the pool: a matter gets a first position, a grid, keys, a later report
        const changed = pick(rnd, [...matters.values()]);
        const position = changed.lng === null && rnd() < 0.5 ? offset(LAOWANG, (rnd() - 0.5) * 3000, (rnd() - 0.5) * 3000) : null;
        const next: PoolMatter = {
          ...changed,
          last: Math.max(changed.last, f.eventTime),
          lng: changed.lng ?? position?.lng ?? null,
          lat: changed.lat ?? position?.lat ?? null,
          gridCode: changed.gridCode ?? f.gridCode ?? null,
          keys: [...new Set([...changed.keys, ...(f.addressKeys ?? [])])].sort(),
        };
        matters.set(next.id, next);
        pool.set(next);
        if (rnd() < 0.05) {
          // a status change closed it and the reread found it merged away
          matters.delete(next.id);
          pool.delete(next.id);
        }
      }
      // the comparison meant something: most reports had candidates
      expect(nonEmpty).toBeGreaterThan(150);
    }
  });

  it('takes the nearest in time of a path with more candidates than its limit', () => {
    const f: ReportFeatures = { sourceSystem: 'grid', sourceRecordId: 'X', categoryCode: 'env.noise', eventTime: 500 * HOUR, location: null, divisionCode: '150625100001', description: '噪音', address: null };
    const family = matterBlocking(f).family;
    const matters = [...Array(350).keys()].map((i): PoolMatter => ({ id: String(i + 1), closedAt: null, last: (452 + (i % 97)) * HOUR, first: 440 * HOUR, family, lng: null, lat: null, divisionCode: '150625100001', townCode: '150625100', gridCode: null, keys: [] }));
    const pool = new Pool();
    for (const m of shuffled(matters, 7)) pool.set(m);
    const got = ids(pool.candidatesOf(f));
    expect(got).toHaveLength(LIMIT);
    expect(got).toEqual(scanned(matters, f));
    // the 50 left out are the farthest in time from the report
    const near = (id: string) => Math.abs(matters[Number(id) - 1]!.last - f.eventTime);
    const left = matters.filter((m) => !got.includes(m.id));
    expect(Math.min(...left.map((m) => near(m.id)))).toBeGreaterThanOrEqual(Math.max(...got.map(near)));
  });
});
