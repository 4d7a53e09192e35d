/**
 * Open (or recently closed) matters that may be about the same incident as a report, with their
 * reports' features: same family and time window, and near it (within twice the family's
 * distance), or in the same village, or on the same grid, or at one of its gazetteer address keys
 * (a door, compound, crossing: migration 014). Each path is an indexed query
 * (migrations 004, 012); the town-wide block is only the fallback for reports without a village
 * code.
 *
 * A run of reports keeps asking about the same matters (a partition carries a few towns, and a
 * busy town's block holds hundreds of matters with two or three reports each), so the features
 * of a matter's reports are read once per transaction and kept: the transaction itself is the
 * only writer of its partition's reports, and it tells this module when it links a report to a
 * matter (matterCandidateChanged). Which matters are candidates is still asked every time.
 */
import type { Knex } from 'knex';
import { matterBlocking, type MatterBlocking, type MatterCandidate, type ReportFeatures } from '../merge/index.js';
import { compareIds } from '../store/ids.js';

/** A stored report's columns that matching reads (reports table, subject fields from its payload). */
export interface ReportRow {
  matter_id: string;
  source_system: string;
  source_record_id: string;
  category_code: string | null;
  event_time: Date;
  lng: number | null;
  lat: number | null;
  division_code: string | null;
  grid_code: string | null;
  description: string;
  address: string | null;
  subject_uscc: string | null;
  subject_name: string | null;
  /** What the hub derived from the county gazetteer (migration 014; hub/ingest/apply-report.ts). */
  address_keys: string[] | null;
  geocoded_lng: number | null;
  geocoded_lat: number | null;
  location_origin: string | null;
  location_uncertainty_m: number | null;
  geocoded_division_code: string | null;
}

export function featuresOfRow(r: ReportRow): ReportFeatures {
  const geocoded = r.geocoded_lng !== null && r.geocoded_lat !== null;
  return {
    sourceSystem: r.source_system,
    sourceRecordId: r.source_record_id,
    categoryCode: r.category_code,
    eventTime: r.event_time.getTime(),
    location: geocoded ? { lng: r.geocoded_lng!, lat: r.geocoded_lat! } : r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : null,
    ...(r.location_origin !== null ? { locationOrigin: r.location_origin, locationUncertaintyM: r.location_uncertainty_m } : {}),
    ...(r.address_keys?.length ? { addressKeys: r.address_keys } : {}),
    divisionCode: r.division_code ?? r.geocoded_division_code,
    gridCode: r.grid_code,
    description: r.description,
    address: r.address,
    subjectUscc: r.subject_uscc,
    subjectName: r.subject_name,
  };
}

/** At most this many matters per blocking path (bbox, village/town, grid). */
const CANDIDATE_LIMIT = 300;

/** Per transaction: matter id → its reports' features, in source-identity order (byte order). */
const known = new WeakMap<Knex.Transaction, Map<string, ReportFeatures[]>>();

function cacheOf(tx: Knex.Transaction): Map<string, ReportFeatures[]> {
  let c = known.get(tx);
  if (!c) known.set(tx, (c = new Map()));
  return c;
}

const byIdentity = (a: ReportFeatures, b: ReportFeatures) => compareBytes(a.sourceSystem, b.sourceSystem) || compareBytes(a.sourceRecordId, b.sourceRecordId);
const compareBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Per transaction: the matters whose reports it changed, and for each report it wrote the
 * features a read of the stored row gives (what the next runs must see, rather than the features
 * the report was applied with: the row rounds the location's uncertainty, for one).
 */
const written = new WeakMap<Knex.Transaction, { matters: Set<string>; stored: Map<ReportFeatures, ReportFeatures> }>();

function writtenOf(tx: Knex.Transaction) {
  let w = written.get(tx);
  if (!w) written.set(tx, (w = { matters: new Set(), stored: new Map() }));
  return w;
}

/** The report's row as the run writes it (inserted, or a new version): its features as a later read of the row gives them. */
export function reportRowWritten(tx: Knex.Transaction, applied: ReportFeatures, row: ReportRow): void {
  writtenOf(tx).stored.set(applied, sharedFeaturesOfRow(row));
}

/**
 * The report (new, or a new version) is now one of the matter's reports; with `null`, the matter's
 * reports changed in a way only the database knows (read them again).
 */
export function matterCandidateChanged(tx: Knex.Transaction, matterId: string, report: ReportFeatures | null, opened = false): void {
  writtenOf(tx).matters.add(matterId);
  const cache = cacheOf(tx);
  const reports = cache.get(matterId);
  if (report && opened) cache.set(matterId, [report]);
  else if (!report || !reports) cache.delete(matterId);
  else {
    const at = reports.findIndex((r) => r.sourceSystem === report.sourceSystem && r.sourceRecordId === report.sourceRecordId);
    if (at >= 0) reports[at] = report;
    else reports.push(report);
    reports.sort(byIdentity);
  }
}

/**
 * The run's candidate pool: every matter that any report of the run could find by the per-report
 * queries below, read in ONE statement when the run starts (the union of the run's blocks: towns,
 * villages, grids, the envelope of their boxes, the run's whole time window). Each report's
 * candidates are then chosen from it in memory with exactly the predicates, order and limit of
 * those queries (ties in time broken by id). The run's own changes are applied to the pool as they
 * happen (a matter it opens; a report joining a matter: its newest report, a first location or
 * grid), so a report sees what it would have seen asking PostgreSQL after the reports before it.
 * The pool is closed under the run's changes: a matter the run changes was a candidate of one of
 * its reports, so it is in the pool, and its changes only widen what finds it.
 */
export interface PoolMatter {
  id: string;
  closedAt: number | null;
  last: number;
  first: number;
  family: string | null;
  lng: number | null;
  lat: number | null;
  divisionCode: string | null;
  townCode: string | null;
  gridCode: string | null;
  /** Its reports' gazetteer address keys (matters.address_keys). */
  keys: readonly string[];
}

/**
 * A run's pool: its matters by id, and indexed by what the paths ask (division, town, grid, address
 * key, a grid of cells over positions), so choosing a report's candidates looks at the matters its
 * paths can find, not at every matter of the run's blocks — a busy day's run holds thousands.
 */
export class Pool {
  private readonly byId = new Map<string, PoolMatter>();
  private readonly byDivision = new Index<string | null>();
  private readonly byTown = new Index<string>();
  private readonly byGrid = new Index<string>();
  private readonly byKey = new Index<string>();
  private readonly byCell = new Index<string>();

  get(id: string): PoolMatter | undefined {
    return this.byId.get(id);
  }

  set(m: PoolMatter): void {
    this.delete(m.id);
    this.byId.set(m.id, m);
    this.byDivision.add(m.divisionCode, m);
    if (m.townCode !== null) this.byTown.add(m.townCode, m);
    if (m.gridCode !== null) this.byGrid.add(m.gridCode, m);
    for (const k of new Set(m.keys)) this.byKey.add(k, m);
    if (m.lng !== null && m.lat !== null) this.byCell.add(cellOf(m.lng, m.lat), m);
  }

  delete(id: string): void {
    const m = this.byId.get(id);
    if (!m) return;
    this.byId.delete(id);
    this.byDivision.remove(m.divisionCode, m);
    if (m.townCode !== null) this.byTown.remove(m.townCode, m);
    if (m.gridCode !== null) this.byGrid.remove(m.gridCode, m);
    for (const k of new Set(m.keys)) this.byKey.remove(k, m);
    if (m.lng !== null && m.lat !== null) this.byCell.remove(cellOf(m.lng, m.lat), m);
  }

  /** A report's candidates among the pool's matters (ids in no particular order). */
  candidatesOf(f: ReportFeatures): PoolMatter[] {
    return choose(this, pathsOf(f));
  }

  /** Matters positioned in cells the box touches (all positioned matters, for a box of very many cells). */
  *inBox([w, s, e, n]: readonly [number, number, number, number], families: Families): Iterable<PoolMatter> {
    const [x0, y0] = cellXY(w, s);
    const [x1, y1] = cellXY(e, n);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > MAX_BOX_CELLS) {
      for (const m of this.byId.values()) if (m.lng !== null && m.lat !== null) yield m;
      return;
    }
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) yield* this.byCell.of(`${x}:${y}`, families);
  }

  inDivisions(divisions: Iterable<string | null>, families: Families): Iterable<PoolMatter> {
    return this.byDivision.ofAll(divisions, families);
  }

  inTown(town: string, families: Families): Iterable<PoolMatter> {
    return this.byTown.of(town, families);
  }

  onGrid(grid: string, families: Families): Iterable<PoolMatter> {
    return this.byGrid.of(grid, families);
  }

  withKeys(keys: Iterable<string>, families: Families): Iterable<PoolMatter> {
    return this.byKey.ofAll(keys, families);
  }
}

/** The families a report looks in; null: every family, and matters without one. */
type Families = readonly string[] | null;

/**
 * Matters by one attribute's value, and within it by family: a report looks in a few related
 * families, and a town's pool late in the day holds thousands of matters of every family.
 */
class Index<K> {
  private readonly map = new Map<K, Map<string | null, Map<string, PoolMatter>>>();

  add(k: K, m: PoolMatter): void {
    let byFamily = this.map.get(k);
    if (!byFamily) this.map.set(k, (byFamily = new Map()));
    let ms = byFamily.get(m.family);
    if (!ms) byFamily.set(m.family, (ms = new Map()));
    ms.set(m.id, m);
  }

  remove(k: K, m: PoolMatter): void {
    const byFamily = this.map.get(k);
    const ms = byFamily?.get(m.family);
    if (!byFamily || !ms) return;
    ms.delete(m.id);
    if (ms.size === 0) byFamily.delete(m.family);
    if (byFamily.size === 0) this.map.delete(k);
  }

  /** The matters of the value in the families (a matter without a family only for null: every family). */
  of(k: K, families: Families): Iterable<PoolMatter> {
    const byFamily = this.map.get(k);
    if (!byFamily) return [];
    // (arrays and map iterators, not generators: this runs for every report, twice per run)
    if (families === null) return byFamily.size === 1 ? byFamily.values().next().value!.values() : [...byFamily.values()].flatMap((ms) => [...ms.values()]);
    if (families.length === 1) return byFamily.get(families[0]!)?.values() ?? [];
    const out: PoolMatter[] = [];
    for (const f of families) {
      const ms = byFamily.get(f);
      if (ms) for (const m of ms.values()) out.push(m);
    }
    return out;
  }

  /** The matters of any of the values, each once. */
  ofAll(ks: Iterable<K>, families: Families): PoolMatter[] {
    const seen = new Set<string>();
    const out: PoolMatter[] = [];
    for (const k of new Set(ks)) {
      for (const m of this.of(k, families)) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m);
      }
    }
    return out;
  }
}

/** Degrees per cell of the position index: about a kilometre, a few times the widest candidate box. */
const CELL_DEG = 0.01;
/** A box of more cells than this is answered by looking at every positioned matter. */
const MAX_BOX_CELLS = 64;
const cellXY = (lng: number, lat: number): [number, number] => [Math.floor(lng / CELL_DEG), Math.floor(lat / CELL_DEG)];
const cellOf = (lng: number, lat: number): string => cellXY(lng, lat).join(':');

const pools = new WeakMap<Knex.Transaction, Pool>();

interface PoolRow {
  id: string;
  closed_at: Date | null;
  last_report_at: string;
  first_report_ms: string;
  family: string | null;
  lng: number | null;
  lat: number | null;
  division_code: string | null;
  town_code: string | null;
  grid_code: string | null;
  address_keys: string[] | null;
  /** The row's version (xmin), where the pool query read it. */
  row_version?: string;
}

const poolMatterOf = (m: PoolRow): PoolMatter => ({
  id: String(m.id),
  closedAt: m.closed_at ? m.closed_at.getTime() : null,
  last: Number(m.last_report_at),
  first: Number(m.first_report_ms),
  family: m.family,
  lng: m.lng,
  lat: m.lat,
  divisionCode: m.division_code,
  townCode: m.town_code,
  gridCode: m.grid_code,
  keys: m.address_keys ?? [],
});

/** What the per-report queries of one report ask: its paths and their common predicates. */
interface Paths {
  b: MatterBlocking;
  eventTime: number;
  bbox: readonly [number, number, number, number] | null;
  divisions: string[] | null;
  town: string | null;
  noDivision: boolean;
  grid: string | null;
  /** Gazetteer address keys: matters having a report with one of them (a door, compound, crossing). */
  keys: readonly string[];
}

/** Per features object: a run asks for a report's paths when it reads its pool and again when it applies the report. */
const pathsCache = new WeakMap<ReportFeatures, Paths>();

function pathsOf(f: ReportFeatures): Paths {
  const hit = pathsCache.get(f);
  if (hit) return hit;
  const p = pathsOfUncached(f);
  pathsCache.set(f, p);
  return p;
}

function pathsOfUncached(f: ReportFeatures): Paths {
  const b = matterBlocking(f);
  const p: Paths = { b, eventTime: f.eventTime, bbox: b.bbox ? [b.bbox[0], b.bbox[1], b.bbox[2], b.bbox[3]] : null, divisions: null, town: null, noDivision: false, grid: f.gridCode ?? null, keys: b.addressKeys };
  if (f.divisionCode && f.divisionCode.length === 12 && !f.divisionCode.endsWith('000')) p.divisions = b.townCode ? [f.divisionCode, `${b.townCode}000`, b.townCode] : [f.divisionCode];
  else if (b.townCode) p.town = b.townCode;
  else if (!b.bbox) p.noDivision = true;
  return p;
}

/**
 * Reads the pool of a run of reports (their features) and the reports of the matters they would
 * find now, in two statements; loadCandidates then answers from memory for this transaction.
 */
export async function prepareCandidatePool(tx: Knex.Transaction, reports: ReportFeatures[]): Promise<void> {
  const pool = new Pool();
  pools.set(tx, pool);
  if (!reports.length) return;
  const paths = reports.map(pathsOf);
  const from = Math.min(...paths.map((p) => p.b.from));
  const to = Math.max(...paths.map((p) => p.b.to));
  const recurrenceSince = Math.min(...paths.map((p) => p.b.recurrenceSince));
  const families = paths.some((p) => !p.b.families) ? null : [...new Set(paths.flatMap((p) => p.b.families ?? []))];
  const boxes = paths.filter((p) => p.bbox).map((p) => p.bbox!);
  const envelope = boxes.length ? [Math.min(...boxes.map((x) => x[0])), Math.min(...boxes.map((x) => x[1])), Math.max(...boxes.map((x) => x[2])), Math.max(...boxes.map((x) => x[3]))] : null;
  const divisions = [...new Set(paths.flatMap((p) => p.divisions ?? []))];
  const towns = [...new Set(paths.flatMap((p) => (p.town ? [p.town] : [])))];
  const grids = [...new Set(paths.flatMap((p) => (p.grid ? [p.grid] : [])))];
  const noDivision = paths.some((p) => p.noDivision);
  const keys = [...new Set(paths.flatMap((p) => p.keys))];
  const rows = (
    await tx.raw(
      `select id, closed_at, last_report_at, first_report_ms, family, lng, lat, division_code, town_code, grid_code, address_keys, xmin::text as row_version from matters
        where merged_into is null and last_report_at >= ? and first_report_ms <= ? and (closed_at is null or closed_at >= ?)
          and (?::text[] is null or family = any(?::text[]))
          and ((?::float8 is not null and lng between ?::float8 and ?::float8 and lat between ?::float8 and ?::float8)
            or division_code = any(?::text[]) or town_code = any(?::text[]) or grid_code = any(?::text[]) or (?::boolean and division_code is null)
            or address_keys && ?::text[])`,
      [from, to, new Date(recurrenceSince), families, families, envelope?.[0] ?? null, envelope?.[0] ?? null, envelope?.[2] ?? null, envelope?.[1] ?? null, envelope?.[3] ?? null, divisions, towns, grids, noDivision, keys],
    )
  ).rows as PoolRow[];
  for (const r of rows) pool.set(poolMatterOf(r));
  // the reports of the matters the run's reports find as things stand: most of what it will ask
  const wanted = new Set<string>();
  for (const p of paths) for (const m of choose(pool, p)) wanted.add(m.id);
  const versions = new Map(rows.map((r) => [String(r.id), r.row_version!]));
  const cache = cacheOf(tx);
  const missing: string[] = [];
  for (const id of wanted) {
    if (cache.has(id)) continue;
    const kept = ACROSS_RUNS.get(id);
    // (a copy: the run changes its own list as its reports join the matter)
    if (kept && kept.version === versions.get(id)) cache.set(id, [...kept.reports]);
    else missing.push(id);
  }
  await readReports(tx, missing);
  // read before this run wrote any report, so what was read is what the matter's row version says
  for (const id of missing) keepAcrossRuns(id, versions.get(id)!, cache.get(id)!);
}

/**
 * The reports of a matter as a run read them, kept for the next runs with the version of the
 * matter's row they were read at (PostgreSQL's xmin: every change of a matter's reports — a report
 * joining, a new version of one, an operator's merge or split — updates its row in the same
 * transaction, so an unchanged row version means unchanged reports). A late-day run meets
 * thousands of candidate matters, most of them unchanged since the run before; they are no longer
 * read and parsed again. Bounded.
 */
const ACROSS_RUNS = new Map<string, { version: string; reports: readonly ReportFeatures[] }>();
const ACROSS_RUNS_MAX = 20_000;

function keepAcrossRuns(id: string, version: string, reports: readonly ReportFeatures[]): void {
  if (ACROSS_RUNS.size >= ACROSS_RUNS_MAX && !ACROSS_RUNS.has(id)) ACROSS_RUNS.clear();
  ACROSS_RUNS.set(id, { version, reports: [...reports] });
}

/**
 * The run committed as `version` (its transaction id, the xmin of every row it wrote): the matters
 * whose reports it changed are kept with the reports it left them with — as their stored rows read
 * — so the next run of the partition does not read again what this one just wrote. A matter row
 * the run did not update keeps an older version and is read again, as is a matter whose list holds
 * a report not known as stored. Called only after the commit: a run rolled back keeps nothing.
 */
export function runCommitted(tx: Knex.Transaction, version: string): void {
  const w = written.get(tx);
  written.delete(tx);
  const cache = known.get(tx);
  if (!w || !cache) return;
  for (const id of w.matters) {
    const reports = cache.get(id);
    if (!reports) continue;
    const stored = reports.map((f) => w.stored.get(f) ?? (FROM_ROWS.has(f) ? f : null));
    if (stored.every((f): f is ReportFeatures => f !== null)) keepAcrossRuns(id, version, stored);
  }
}

/** The matter the run opened, or a report the run linked to it: the pool follows the database. */
export function poolMatterChanged(tx: Knex.Transaction, m: PoolMatter): void {
  pools.get(tx)?.set(m);
}

export function poolMatter(tx: Knex.Transaction, id: string): PoolMatter | undefined {
  return pools.get(tx)?.get(id);
}

/** A matter changed in a way only the database knows (a status change closed it): read it again. */
export async function poolMatterReread(tx: Knex.Transaction, id: string): Promise<void> {
  const pool = pools.get(tx);
  if (!pool) return;
  const row = (await tx('matters').where({ id }).whereNull('merged_into').first('id', 'closed_at', 'last_report_at', 'first_report_ms', 'family', 'lng', 'lat', 'division_code', 'town_code', 'grid_code', 'address_keys')) as PoolRow | undefined;
  if (row) pool.set(poolMatterOf(row));
  else pool.delete(id);
}

export function endCandidatePool(tx: Knex.Transaction): void {
  pools.delete(tx);
}

/** A report's candidates from the pool: each path's predicates, nearest in time first, its limit; their union. */
function choose(pool: Pool, p: Paths): PoolMatter[] {
  const { b } = p;
  // (only the report's families: a matter without a family is a candidate only of a report looking in
  // every family; the indexes hand out those families, common() checks again for a box of very many cells)
  const families = b.families ? new Set(b.families) : null;
  const fs: Families = families ? [...families] : null;
  const common = (m: PoolMatter) =>
    (families === null || (m.family !== null && families.has(m.family))) && m.last >= b.from && m.first <= b.to && (m.closedAt === null || m.closedAt >= b.recurrenceSince);
  const path = (found: Iterable<PoolMatter>, also: (m: PoolMatter) => boolean = () => true): PoolMatter[] => {
    const l: PoolMatter[] = [];
    for (const m of found) if (common(m) && also(m)) l.push(m);
    return l;
  };
  const lists: PoolMatter[][] = [];
  if (p.bbox) {
    const [w, s, e, n] = p.bbox;
    lists.push(path(pool.inBox(p.bbox, fs), (m) => m.lng! >= w && m.lng! <= e && m.lat! >= s && m.lat! <= n));
  }
  if (p.divisions) lists.push(path(pool.inDivisions(p.divisions, fs), (m) => m.divisionCode !== null));
  else if (p.town) lists.push(path(pool.inTown(p.town, fs)));
  else if (p.noDivision) lists.push(path(pool.inDivisions([null], fs)));
  if (p.grid) lists.push(path(pool.onGrid(p.grid, fs)));
  if (p.keys.length) lists.push(path(pool.withKeys(p.keys, fs)));
  const near = (m: PoolMatter) => Math.abs(m.last - p.eventTime);
  const out = new Map<string, PoolMatter>();
  for (const l of lists) {
    if (l.length > CANDIDATE_LIMIT) l.sort((x, y) => near(x) - near(y) || compareIds(x.id, y.id));
    for (const m of l.slice(0, CANDIDATE_LIMIT)) out.set(m.id, m);
  }
  return [...out.values()];
}

async function readReports(tx: Knex.Transaction, missing: string[]): Promise<void> {
  if (!missing.length) return;
  // reports the run linked but has not written yet are in the cache already; those it did not
  // touch are in the database (a matter not in the cache has no deferred reports: see matterCandidateChanged)
  const rows: ReportRow[] = await tx('reports as r')
    .whereIn('r.matter_id', missing)
    .select(
      'r.matter_id',
      'r.source_system',
      'r.source_record_id',
      'r.category_code',
      'r.event_time',
      'r.lng',
      'r.lat',
      'r.division_code',
      'r.grid_code',
      'r.description',
      'r.address',
      'r.address_keys',
      'r.geocoded_lng',
      'r.geocoded_lat',
      'r.location_origin',
      'r.location_uncertainty_m',
      'r.geocoded_division_code',
      tx.raw("r.payload->>'subjectUscc' as subject_uscc"),
      tx.raw("r.payload->>'subjectName' as subject_name"),
    )
    .orderByRaw('r.matter_id, r.source_system collate "C", r.source_record_id collate "C"');
  const cache = cacheOf(tx);
  for (const id of missing) cache.set(id, []);
  for (const r of rows) cache.get(String(r.matter_id))!.push(sharedFeaturesOfRow(r));
}

/**
 * Stored reports' features by their content, across runs: the matcher prepares a report's
 * features once per object (parsed address, text fingerprint, subject name), and a busy matter's
 * reports are read again by every run that meets it. The same content gives the same object, so
 * they are prepared once; the objects are never changed. Bounded.
 */
const SHARED = new Map<string, ReportFeatures>();
const SHARED_MAX = 50_000;
/** Features made from stored rows (not from a record being applied). */
const FROM_ROWS = new WeakSet<ReportFeatures>();

function sharedFeaturesOfRow(r: ReportRow): ReportFeatures {
  const key = JSON.stringify([
    r.source_system, r.source_record_id, r.category_code, r.event_time.getTime(), r.lng, r.lat, r.division_code, r.grid_code, r.description, r.address,
    r.subject_uscc, r.subject_name, r.address_keys, r.geocoded_lng, r.geocoded_lat, r.location_origin, r.location_uncertainty_m, r.geocoded_division_code,
  ]);
  const hit = SHARED.get(key);
  if (hit) return hit;
  const f = featuresOfRow(r);
  FROM_ROWS.add(f);
  if (SHARED.size >= SHARED_MAX) SHARED.clear();
  SHARED.set(key, f);
  return f;
}

export async function loadCandidates(tx: Knex.Transaction, f: ReportFeatures): Promise<MatterCandidate[]> {
  const pool = pools.get(tx);
  let matters: Array<[string, number | null]>;
  if (pool) {
    matters = choose(pool, pathsOf(f))
      .map((m): [string, number | null] => [m.id, m.closedAt])
      .sort(([a], [b]) => compareIds(a, b));
  } else {
    matters = await queryCandidates(tx, f);
  }
  const cache = cacheOf(tx);
  await readReports(tx, matters.map(([id]) => id).filter((id) => !cache.has(id)));
  return matters.filter(([id]) => cache.get(id)!.length > 0).map(([matterId, closedAt]) => ({ matterId, closedAt, reports: cache.get(matterId)! }));
}

/** The per-report queries (a transaction without a prepared run: a test applying one report). */
async function queryCandidates(tx: Knex.Transaction, f: ReportFeatures): Promise<Array<[string, number | null]>> {
  const b = matterBlocking(f);
  const base = () => {
    const q = tx('matters')
      .select('id', 'closed_at')
      .whereNull('merged_into')
      .where('last_report_at', '>=', b.from)
      .where('first_report_ms', '<=', b.to)
      .where((w) => w.whereNull('closed_at').orWhere('closed_at', '>=', new Date(b.recurrenceSince)))
      // nearest in time first: a report delivered late must still find the matters of its own
      // hours, not only the latest of a busy town (a full county day has hundreds per family)
      .orderByRaw('abs(last_report_at - ?)', [f.eventTime])
      .limit(CANDIDATE_LIMIT);
    if (b.families) q.whereIn('family', [...b.families]);
    return q;
  };
  const queries = [];
  if (b.bbox) queries.push(base().whereBetween('lng', [b.bbox[0], b.bbox[2]]).whereBetween('lat', [b.bbox[1], b.bbox[3]]));
  // a village-coded report also finds matters its town was given for (12345 often gives <town>000)
  if (f.divisionCode && f.divisionCode.length === 12 && !f.divisionCode.endsWith('000')) queries.push(base().whereIn('division_code', b.townCode ? [f.divisionCode, `${b.townCode}000`, b.townCode] : [f.divisionCode]));
  else if (b.townCode) queries.push(base().where('town_code', b.townCode));
  else if (!b.bbox) queries.push(base().whereNull('division_code'));
  if (f.gridCode) queries.push(base().where('grid_code', f.gridCode));
  if (b.addressKeys.length) queries.push(base().whereRaw('address_keys && ?::text[]', [[...b.addressKeys]]));
  if (queries.length === 0) return [];
  const [first, ...others] = queries;
  const found: Array<{ id: string; closed_at: Date | null }> = await (others.length ? tx.queryBuilder().union([first!, ...others], true) : first!);
  return [...new Map(found.map((m) => [String(m.id), m.closed_at?.getTime() ?? null])).entries()].sort(([a], [b]) => compareIds(a, b));
}
