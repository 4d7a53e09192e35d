/**
 * npx tsx bench/state-digest.ts <schema> [<other schema>]   (DATABASE_URL names the database)
 * What the hub decided, per table, as a row count and an md5 over the columns that are a function
 * of the records (matters, reports with their merge decisions, tasks, timeline, subjects, links,
 * keys, redirects, proposals, dispatches) — without what differs between two runs of the same
 * records (apply times, serial ids, topic names, offsets, ingest times in payloads). Two schemas
 * the same dataset was applied into (`npm run eval:merge -- --keep`, before and after a change
 * meant to be performance-only) must give the same digests; with two schemas, the tables that
 * differ are named with a few of their differing rows. subject_redirects is history, not state:
 * which ids a subject went through depends on how the subject and report topics interleaved
 * (apply-runs.test.ts holds subjects, links and keys to be the same in any order, not redirects),
 * so it is shown but does not decide.
 */
import pg from 'pg';

/** Per table: the columns that are decided by the records, and the order that makes a digest stable. */
const TABLES: Record<string, { columns: string; order: string }> = {
  matters: {
    // (updated_at: the latest of the reports' times and their ingest times — the replay's clock)
    columns: `id, title, description, category_code, source_category, status, division_code, town_code, grid_code, lng, lat, address, report_count, first_reported_at, family, last_report_at, first_report_ms, lead_department, cooperating_departments, route_level, route, closed_at, result, merged_into, recurrence_of, subject_id, result_outcome, decision_version, address_keys`,
    order: 'id',
  },
  reports: {
    columns: `source_system, source_record_id, source_version, department, channel, status, source_status, title, description, category_code, source_category, division_code, grid_code, lng, lat, address, event_time, matter_id, merge_decision, subject_id, address_keys, geocoded_lng, geocoded_lat, location_origin, location_uncertainty_m, geocoded_division_code`,
    order: 'source_system, source_record_id',
  },
  tasks: { columns: `id, matter_id, department, role, status, status_version, dispatched_at, first_response_by, on_site_by, close_by, responded_at, on_site_at, done_at, result, breaches, source_status, outcome, rejected_at, rejection_note`, order: 'id' },
  matter_events: { columns: `matter_id, type, at, detail`, order: 'matter_id, type, at, detail::text' },
  subjects: { columns: `id, subject_type, uscc, id_hash, name, name_core, address, division_code, town_code, lng, lat, golden, merged_into`, order: 'id' },
  subject_links: { columns: `source_system, source_record_id, kind, subject_id, source_version, record, decision, component`, order: 'source_system, source_record_id, kind' },
  subject_keys: { columns: `key, subject_id`, order: 'key, subject_id' },
  subject_redirects: { columns: `old_id, new_id`, order: 'old_id, new_id' },
  merge_proposals: { columns: `kind, a_id, b_id, source_system, source_record_id, rule, score, explanation, status`, order: 'kind, a_id, b_id, source_system, source_record_id' },
  dispatch_outbox: { columns: `matter_id, version, idempotency_key, action, record - 'ingestTime'`, order: 'idempotency_key' },
  status_changes: {
    columns: `target_key, version, source_system, source_record_id, source_version, target_kind, target_source_system, target_source_record_id, target_matter_id, target_task_id, actor_department, status, source_status, occurred_at, task_id, matter_id, unresolved_reason`,
    order: 'source_system, source_record_id, source_version',
  },
};

/** Tables of history that depends on the interleaving of topics, not of the records' state. */
const HISTORY = new Set(['subject_redirects']);

async function digest(client: pg.Client, schema: string): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const [table, t] of Object.entries(TABLES)) {
    const r = await client.query(`select count(*)::int as rows, md5(coalesce(string_agg(t::text, E'\\n' order by ${t.order.split(',').map((c, i) => `o${i}`).join(', ')}), '')) as md5
      from (select row(${t.columns}) as t, ${t.order.split(',').map((c, i) => `${c.trim()} as o${i}`).join(', ')} from "${schema}".${table}) x`);
    out[table] = r.rows[0] as { rows: number; md5: string };
  }
  return out;
}

async function differing(client: pg.Client, a: string, b: string, table: string): Promise<string[]> {
  const t = TABLES[table]!;
  const q = (x: string, y: string) => `select row(${t.columns})::text as r from "${x}".${table} except select row(${t.columns})::text from "${y}".${table}`;
  const r = await client.query(`(select '- ' || r as r from (${q(a, b)}) x limit 3) union all (select '+ ' || r from (${q(b, a)}) y limit 3)`);
  return r.rows.map((x: { r: string }) => x.r.slice(0, 600));
}

const [a, b] = process.argv.slice(2);
if (!a) {
  console.error('usage: npx tsx bench/state-digest.ts <schema> [<other schema>]');
  process.exit(2);
}
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
try {
  const da = await digest(client, a);
  if (!b) for (const [table, d] of Object.entries(da)) console.log(`${table.padEnd(18)} ${String(d.rows).padStart(7)} rows  ${d.md5}`);
  else {
    const db = await digest(client, b);
    let same = true;
    for (const table of Object.keys(TABLES)) {
      const x = da[table]!;
      const y = db[table]!;
      const eq = x.md5 === y.md5;
      const history = HISTORY.has(table);
      if (!history) same &&= eq;
      console.log(`${table.padEnd(18)} ${String(x.rows).padStart(7)} / ${String(y.rows).padStart(7)} rows  ${eq ? 'same' : history ? 'different (history of the interleaving)' : 'DIFFERENT'}`);
      if (!eq) for (const line of await differing(client, a, b, table)) console.log(`    ${line}`);
    }
    console.log(same ? 'identical' : 'the schemas differ');
    process.exitCode = same ? 0 : 1;
  }
} finally {
  await client.end();
}
