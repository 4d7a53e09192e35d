/**
 * Seeds a migrated schema with N matters (and their reports, tasks and timeline events) for the API
 * benchmark, in SQL (INSERT … SELECT FROM generate_series), so a million matters take a minute or
 * two rather than the hours the hub's apply path would.
 *
 * Secondary indexes are dropped before the load and re-created from their own definitions after it
 * (building an index once is several times cheaper than maintaining it row by row), and foreign-key
 * triggers are skipped for the load transaction: the rows are generated consistent by construction.
 */
import { readFileSync } from 'node:fs';
import type { Db } from '../hub/store/db.js';

const TABLES = ['matters', 'reports', 'tasks', 'matter_events'];
const CHANNELS: Array<[string, string]> = [
  ['HOTLINE', 'hotline'],
  ['GRID', 'grid'],
  ['COMPLAINT', 'hotline'],
  ['PATROL', 'enforcement'],
  ['ALARM', 'environment'],
  ['INSPECTION', 'market'],
];
/** The county: a dozen towns (321023101000 … 321023112000), 30 villages each (…201 … …230). */
export const COUNTY = '321023';
export const TOWNS = Array.from({ length: 12 }, (_, i) => `${COUNTY}${101 + i}`);
export const VILLAGES_PER_TOWN = 30;

function catalogue<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../schemas/catalogues/${file}`, import.meta.url), 'utf8')) as T;
}

function sqlArray(values: string[]): string {
  return `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]::text[]`;
}

export async function seedMatters(db: Db, opts: { matters: number; say: (m: string) => void }): Promise<void> {
  const categories = catalogue<{ categories: Array<{ code: string; name: string; family: string }> }>('categories.json').categories;
  const departments = catalogue<{ departments: Array<{ id: string; kind: string }> }>('departments.json')
    .departments.filter((d) => d.kind === 'department')
    .map((d) => d.id);
  const n = opts.matters;

  const indexes = (
    await db.raw(
      `select i.indexname, i.indexdef from pg_indexes i
        where i.schemaname = current_schema() and i.tablename = any(?)
          and not exists (select 1 from pg_constraint c where c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
      [TABLES],
    )
  ).rows as Array<{ indexname: string; indexdef: string }>;

  const t0 = performance.now();
  const lap = (what: string) => opts.say(`  ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  await db.transaction(async (tx) => {
    await tx.raw('set local session_replication_role = replica');
    await tx.raw(`set local work_mem = '256MB'`);
    for (const i of indexes) await tx.raw(`drop index "${i.indexname}"`);

    // Category and department are drawn by index so that the family matches the category; towns are
    // skewed (the county seat has most matters), statuses follow a live county's mix (most closed).
    await tx.raw(
      `insert into matters (id, title, description, category_code, family, source_category, status, division_code, town_code, grid_code, lng, lat, address,
                            report_count, first_reported_at, first_report_ms, last_report_at, updated_at, lead_department, cooperating_departments,
                            route_level, closed_at, result)
       select g, c.name || '（' || v.village || '村）', '群众反映' || v.village || '村' || c.name || '问题，编号' || g || '，请尽快处理。',
              c.code, c.family, 'SRC-' || c.code, s.status, v.division, substr(v.division, 1, 9), v.division || lpad((g % 8)::text, 3, '0'),
              118.2 + (g % 997) / 2000.0, 33.3 + (g % 991) / 2000.0, '泗洪县' || v.village || '村' || (g % 300) || '号',
              case when g % 10 = 0 then 3 when g % 4 = 0 then 2 else 1 end,
              t.first_at, (extract(epoch from t.first_at) * 1000)::bigint, (extract(epoch from t.updated_at) * 1000)::bigint, t.updated_at,
              d.lead, case when g % 3 = 0 then array[d.coop] else '{}'::text[] end, case when g % 5 = 0 then 'town' else 'county' end,
              case when s.status = 'CLOSED' then t.updated_at end, case when s.status = 'CLOSED' then '已办结' end
         from generate_series(1, ?::bigint) g
         -- (g in the select list makes the subquery correlated: without it random() is drawn once for all rows)
         cross join lateral (select g as seq, (random() * ${categories.length - 1})::int + 1 as ci, floor(12 * power(random(), 1.6))::int as ti,
                                    (random() * ${VILLAGES_PER_TOWN - 1})::int as vi, random() as sr, random() as tr, random() as ur,
                                    (random() * ${departments.length - 1})::int + 1 as di) r
         cross join lateral (select (${sqlArray(categories.map((c) => c.code))})[r.ci] as code, (${sqlArray(categories.map((c) => c.name))})[r.ci] as name,
                                    (${sqlArray(categories.map((c) => c.family))})[r.ci] as family) c
         cross join lateral (select (${sqlArray(TOWNS)})[r.ti + 1] || (201 + r.vi)::text as division, '第' || (r.vi + 1) || '组' || (r.ti + 1) as village) v
         cross join lateral (select case when r.sr < 0.55 then 'CLOSED' when r.sr < 0.70 then 'IN_PROGRESS' when r.sr < 0.85 then 'DISPATCHED'
                                         when r.sr < 0.90 then 'FOLLOW_UP' when r.sr < 0.97 then 'RECEIVED' else 'REJECTED' end as status) s
         cross join lateral (select now() - interval '365 days' * r.tr as first_at, now() - interval '365 days' * r.tr + interval '20 days' * r.ur * r.ur as updated_at) t0
         cross join lateral (select t0.first_at, least(t0.updated_at, now()) as updated_at) t
         cross join lateral (select (${sqlArray(departments)})[r.di] as lead, (${sqlArray(departments)})[(r.di % ${departments.length}) + 1] as coop) d`,
      [n],
    );
    await tx.raw(`select setval(pg_get_serial_sequence('matters', 'id'), ?::bigint)`, [n]);
    const spread = (await tx.raw(`select count(distinct status)::int as statuses, count(distinct division_code)::int as villages from matters`)).rows[0] as { statuses: number; villages: number };
    if (n >= 10_000 && (spread.statuses < 5 || spread.villages < TOWNS.length * VILLAGES_PER_TOWN * 0.9)) throw new Error(`seeded matters are not varied: ${JSON.stringify(spread)}`);
    lap(`${n} matters`);

    await tx.raw(
      `insert into reports (source_system, source_record_id, source_version, department, channel, status, source_status, title, description, category_code,
                            source_category, division_code, grid_code, lng, lat, address, event_time, matter_id, payload, merge_decision)
       select ch.system, 'R' || m.id || '-' || k, 1, ch.department, ch.channel, m.status, m.status, m.title, m.description, m.category_code,
              m.source_category, m.division_code, m.grid_code, m.lng, m.lat, m.address, m.first_reported_at + interval '3 hours' * (k - 1), m.id,
              jsonb_build_object('id', 'R' || m.id || '-' || k, 'title', m.title, 'category', m.source_category, 'division', m.division_code),
              jsonb_build_object('rule', case when k = 1 then 'new' else 'same-village-family' end, 'score', 0.9)
         from matters m
         cross join generate_series(1, m.report_count) k
         cross join lateral (select (array['HOTLINE','GRID','COMPLAINT','PATROL','ALARM','INSPECTION'])[((m.id + k) % 6)::int + 1] as channel,
                                    (array[${CHANNELS.map(([, d]) => `'${d}'`).join(',')}])[((m.id + k) % 6)::int + 1] as department,
                                    (array['12345','grid','12345','enforcement','env-monitor','market-inspect'])[((m.id + k) % 6)::int + 1] as system) ch`,
    );
    lap('reports');

    await tx.raw(
      `insert into tasks (matter_id, department, role, status, status_version, dispatched_at, first_response_by, on_site_by, close_by, responded_at, done_at, result)
       select m.id, d.department, d.role, case when m.status = 'CLOSED' then 'DONE' when m.status = 'IN_PROGRESS' then 'IN_PROGRESS' else 'DISPATCHED' end,
              1, m.first_reported_at, m.first_reported_at + interval '2 hours', m.first_reported_at + interval '1 day', m.first_reported_at + interval '5 days',
              case when m.status in ('CLOSED', 'IN_PROGRESS') then m.first_reported_at + interval '1 hour' end, m.closed_at, m.result
         from matters m
         cross join lateral (select m.lead_department as department, 'lead' as role
                             union all select c, 'cooperating' from unnest(m.cooperating_departments) c) d`,
    );
    lap('tasks');

    await tx.raw(
      `insert into matter_events (matter_id, type, at, detail)
       select m.id, 'created', m.first_reported_at, jsonb_build_object('rule', 'new') from matters m
       union all
       select m.id, 'dispatched', m.first_reported_at, jsonb_build_object('lead', m.lead_department) from matters m
       union all
       select m.id, 'closed', m.closed_at, jsonb_build_object('result', m.result) from matters m where m.closed_at is not null`,
    );
    lap('timeline events');
  });

  // two at a time: the machine has two cores
  await db.raw(`set maintenance_work_mem = '256MB'`).catch(() => undefined);
  const queue = [...indexes];
  await Promise.all(
    [0, 1].map(async () => {
      await db.transaction(async (tx) => {
        await tx.raw(`set local maintenance_work_mem = '256MB'`);
        for (let i = queue.shift(); i; i = queue.shift()) await tx.raw(i.indexdef);
      });
    }),
  );
  lap(`${indexes.length} indexes re-created`);
  // Vacuum, not only analyze: it sets the hint bits and visibility map a long-lived table has, and
  // keeps autovacuum from starting on the fresh rows in the middle of the measurement.
  for (const t of TABLES) await db.raw(`vacuum (analyze) "${t}"`);
  lap('vacuumed and analyzed');
}
