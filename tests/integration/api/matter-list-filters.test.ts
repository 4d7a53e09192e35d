/**
 * The matter list's filters are served by different indexes (migration 007) through different SQL
 * (a village by equality, a town by its 9-digit prefix, other prefixes by LIKE): every filter, paged
 * to the end by nextCursor, must return exactly the matters a plain prefix match selects, newest
 * change first, none twice and none missing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildApi } from '../../../hub/api/server.js';
import { createPrincipal, issueApiKey } from '../../../hub/api/auth/principals.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import { seedMatters, TOWNS } from '../../../bench/api-seed.js';

const schema = `t_mlist_${randomBytes(3).toString('hex')}`;
const db = createDb(inject('stack').databaseUrl, { schema });
let app: Awaited<ReturnType<typeof buildApi>>;
let key: string;

beforeAll(async () => {
  await migrate(db, schema);
  await seedMatters(db, { matters: 3000, say: () => undefined });
  // codes at town level (9 digits, and 12 ending in 000) and none at all, next to the villages;
  // two share an update time so that paging must order by id within it
  const at = new Date('2026-06-01T08:00:00Z');
  const base = { title: 't', description: 'd', status: 'IN_PROGRESS', report_count: 0, first_reported_at: at, updated_at: at };
  await db('matters').insert([
    { ...base, id: 900001, division_code: `${TOWNS[4]}` },
    { ...base, id: 900002, division_code: `${TOWNS[4]}000` },
    { ...base, id: 900003, division_code: null },
    { ...base, id: 900004, division_code: `${TOWNS[4]}207`, status: 'REJECTED' },
    // catalogue codes hold underscores; the second differs from the first only where `_` stands
    { ...base, id: 900005, division_code: `${TOWNS[4]}207`, category_code: 'construction.site_safety' },
    { ...base, id: 900006, division_code: `${TOWNS[4]}207`, category_code: 'construction.siteXsafety' },
    { ...base, id: 900007, division_code: `${TOWNS[4]}207`, category_code: 'food_drug.expired' },
  ]);
  app = await buildApi({ db });
  key = await issueApiKey(db, (await createPrincipal(db, { id: 'county', name: '县指挥中心', role: 'commander' })).id);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db.raw(`drop schema if exists "${schema}" cascade`);
  await db.destroy();
});

async function pageThrough(query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/matters?limit=97${query}${cursor ? `&cursor=${cursor}` : ''}`, headers: { authorization: `Bearer ${key}` } });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: Array<{ id: string }>; nextCursor: string | null };
    ids.push(...body.items.map((m) => m.id));
    cursor = body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('more than 100 pages');
}

async function expected(prefix: string | undefined, status: string | undefined): Promise<string[]> {
  const q = db('matters').select('id').orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  if (prefix) q.whereRaw('starts_with(division_code, ?)', [prefix]);
  if (status) q.where({ status });
  return (await q).map((r: { id: string }) => String(r.id));
}

describe('matter list filters, paged to the end', () => {
  const village = `${TOWNS[4]}207`;
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['everything', undefined, undefined],
    ['the county', '321023', undefined],
    ['a province prefix', '32', undefined],
    ['a town', TOWNS[4], undefined],
    ['a town-level 12-digit code', `${TOWNS[4]}000`, undefined],
    ['a village', village, undefined],
    ['a village and a status', village, 'REJECTED'],
    ['a town and a status', TOWNS[0], 'FOLLOW_UP'],
    ['a status', undefined, 'RECEIVED'],
    ['a 10-digit prefix', `${TOWNS[1]}2`, undefined],
  ];
  it.each(cases)('%s', async (_label, division, status) => {
    const want = await expected(division, status);
    const got = await pageThrough(`${division ? `&division=${division}` : ''}${status ? `&status=${status}` : ''}`);
    expect(got).toEqual(want);
    expect(new Set(got).size).toBe(got.length);
    expect(want.length).toBeGreaterThan(0);
  });
});

describe('the category filter', () => {
  it('takes catalogue codes with an underscore, matching `_` literally, not as a LIKE wildcard', async () => {
    for (const code of ['construction.site_safety', 'food_drug']) {
      const want = (await db('matters').select('id').whereRaw('starts_with(category_code, ?)', [code]).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }])).map((r: { id: string }) => String(r.id));
      expect(await pageThrough(`&category=${code}`)).toEqual(want);
    }
    const safety = await pageThrough('&category=construction.site_safety');
    expect(safety).toContain('900005');
    expect(safety).not.toContain('900006');
    expect(await pageThrough('&category=food_drug')).toContain('900007');
  });

  it.each(['construction site', 'a%', '_x', 'x;drop'])('refuses %j with a 400 naming the parameter', async (bad) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/matters?category=${encodeURIComponent(bad)}`, headers: { authorization: `Bearer ${key}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('category');
  });
});
