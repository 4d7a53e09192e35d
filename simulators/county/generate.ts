/**
 * The demo-county generator: a seeded world (simulators/county/world.ts), then day by day incidents
 * reported through one or several department channels, approval applications, and at the end the
 * market registry. Writes a dataset in the format of docs/dataset-format.md: native records per
 * department, ground truth (which records are the same matter, which name the same subject), geometry.
 *
 * Memory stays flat in the number of days: each day's records are written before the next day starts;
 * only subject references accumulate.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { formatShanghai } from '../../core/normalise/time.js';
import { buildApproval, registryRow } from './approvals.js';
import { BUILDERS, fmtDate, type ChannelContext, type DepartmentId, type Emission, type Incident } from './channels.js';
import { distanceMetres, geoJsonPolygon, round, type Point } from './geo.js';
import { CHANNELS, HOUR_PROFILES, INCIDENT_TYPES, type Channel, type IncidentType } from './incidents.js';
import { APPROVAL_SOURCE } from './native/approval.js';
import { EMERGENCY_SOURCE } from './native/emergency.js';
import { ENFORCEMENT_SOURCE } from './native/enforcement.js';
import { ENVIRONMENT_SOURCE } from '../../connectors/adapters/environment/native.js';
import { HOTLINE_SOURCE } from './native/hotline.js';
import { MARKET_SOURCE } from './native/market.js';
import { NATURAL_RESOURCES_SOURCE } from './native/natural_resources.js';
import { URBAN_MANAGEMENT_SOURCE } from './native/urban_management.js';
import { POLICE_110_SOURCE } from './native/police_110.js';
import { HEALTH_INSPECTION_SOURCE } from './native/health_inspection.js';
import { GRID_SOURCE } from '../grid/types.js';
import { Rng } from './random.js';
import { writeGazetteer } from './gazetteer.js';
import { buildWorld, gridAt, roadPoint, type Address, type Place, type Subject, type Village, type World } from './world.js';
import type { CountyProfile } from './profile.js';
import { DATASET_FORMAT, DATASET_FORMAT_VERSION, type DatasetManifest, type RecordRole, type SourceRef } from '../../core/dataset.js';

export { DATASET_FORMAT, DATASET_FORMAT_VERSION, type DatasetManifest, type RecordRole, type SourceRef } from '../../core/dataset.js';

export interface DepartmentSource {
  department: DepartmentId;
  sourceSystem: string;
  idField: string;
  role: RecordRole;
  /** Where the native TypeScript type lives, file#Type. */
  nativeType: string;
  /** How the real platform hands the records over. */
  transport: string;
}

/** The eleven departments of a dataset, in file order (a profile may file with fewer: CountyProfile.departments). */
export const DEPARTMENT_SOURCES: DepartmentSource[] = [
  { ...HOTLINE_SOURCE, role: 'report', nativeType: 'simulators/hotline-12345/server.ts#WorkOrder', transport: 'JSON API, page/size paging by update time' },
  { ...GRID_SOURCE, role: 'report', nativeType: 'simulators/grid/types.ts#GridEvent', transport: 'JSON API, cursor-token paging' },
  { ...MARKET_SOURCE, role: 'subject', nativeType: 'simulators/county/native/market.ts#MarketEntityRow', transport: 'data-sharing exchange table' },
  { ...ENVIRONMENT_SOURCE, role: 'report', nativeType: 'connectors/adapters/environment/native.ts#EnvironmentComplaint', transport: 'JSON API' },
  { ...ENFORCEMENT_SOURCE, role: 'report', nativeType: 'simulators/county/native/enforcement.ts#EnforcementCase', transport: 'JSON API' },
  { ...NATURAL_RESOURCES_SOURCE, role: 'report', nativeType: 'simulators/county/native/natural_resources.ts#PatrolCsvRow', transport: 'CSV export (GBK)' },
  { ...EMERGENCY_SOURCE, role: 'report', nativeType: 'simulators/county/native/emergency.ts#HazardXlsxRow', transport: 'XLSX ledger upload' },
  { ...APPROVAL_SOURCE, role: 'subject', nativeType: 'simulators/county/native/approval.ts#ApprovalApplication', transport: 'JSON API' },
  { ...URBAN_MANAGEMENT_SOURCE, role: 'report', nativeType: 'simulators/county/native/urban_management.ts#UrbanCaseRecord', transport: 'SOAP 1.1 WebService (GBK), queryCases paged by update time' },
  { ...POLICE_110_SOURCE, role: 'report', nativeType: 'simulators/county/native/police_110.ts#HandoverRecord', transport: 'signed JSON webhook push, again on each state change' },
  { ...HEALTH_INSPECTION_SOURCE, role: 'report', nativeType: 'simulators/county/native/health_inspection.ts#Inspection', transport: 'XML export (GB18030) dropped by file' },
];

export interface GenerateOptions {
  seed: number;
  /** Number of days, default 1. */
  days?: number;
  /** Multiplies the world's places and subjects and the daily volumes; default 1 (≥ 50,000 records a day). */
  scale?: number;
  /** First day, yyyy-MM-dd (Shanghai), default 2026-03-02. */
  start?: string;
  /** Incidents a day at scale 1 (default 22,000). */
  incidentsPerDay?: number;
  /** Approval applications a day at scale 1 (default 3,000). */
  approvalsPerDay?: number;
  /** Which county to generate (simulators/county/profiles.ts); default the demo county. */
  profile?: CountyProfile;
}

const DAY = 86_400_000;
const MIN = 60_000;

/** Buffered line writer on a file descriptor (synchronous: simple and fast for one process). */
class LineWriter {
  private buf: string[] = [];
  private size = 0;
  private readonly fd: number;
  count = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  line(obj: unknown): void {
    const s = `${JSON.stringify(obj)}\n`;
    this.buf.push(s);
    this.size += s.length;
    this.count += 1;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buf.length) writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function idFor(department: DepartmentId, w: World, date: string, seq: number): string {
  const d = date.replace(/-/g, '');
  switch (department) {
    case 'hotline':
      return `GD${d}${String(seq).padStart(6, '0')}`;
    case 'grid':
      return `SJ${w.county.code}${d}${String(seq).padStart(5, '0')}`;
    case 'environment':
      return `XF${d}${String(seq).padStart(5, '0')}`;
    case 'enforcement':
      return `AJ${d}${String(seq).padStart(5, '0')}`;
    case 'natural_resources':
      return `ZYXS-${d}-${String(seq).padStart(4, '0')}`;
    case 'emergency':
      return `YH${d}${String(seq).padStart(5, '0')}`;
    case 'approval':
      return `SP${d}${String(seq).padStart(6, '0')}`;
    case 'urban_management':
      return `SZCG${d}${String(seq).padStart(5, '0')}`;
    case 'police_110':
      return `J${w.county.code}${d}${String(seq).padStart(5, '0')}`;
    case 'health_inspection':
      return `WJ${d}-${String(seq).padStart(5, '0')}`;
    case 'market':
      throw new Error('registry rows keep their PRIPID');
  }
}

const COPY_COUNTS: Array<[number, number]> = [
  [1, 26],
  [2, 34],
  [3, 24],
  [4, 11],
  [5, 5],
];

interface Occupancy {
  /** placeId|category → incident times */
  place: Map<string, number[]>;
  /** roadId|category → [point, time] */
  road: Map<string, Array<[Point, number]>>;
}

const WINDOW = 3 * DAY;
const MIN_PUBLIC_DISTANCE = 150;

export function generateDataset(opts: GenerateOptions, outDir: string): { manifest: DatasetManifest; elapsedMs: number } {
  const t0 = performance.now();
  const seed = opts.seed;
  const days = opts.days ?? 1;
  const scale = opts.scale ?? 1;
  const start = opts.start ?? '2026-03-02';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new Error(`start must be yyyy-MM-dd, got ${start}`);
  const startMs = Date.parse(`${start}T00:00:00+08:00`);
  const end = startMs + days * DAY;
  const profile = opts.profile ?? DEMO_PROFILE;
  const w = profile.buildWorld({ seed, scale, before: start });
  const sources = DEPARTMENT_SOURCES.filter((d) => !profile.departments || profile.departments.includes(d.department));

  for (const dir of ['departments', 'truth', 'geo', 'world']) mkdirSync(join(outDir, dir), { recursive: true });
  const writers = new Map<DepartmentId, LineWriter>();
  for (const d of sources) writers.set(d.department, new LineWriter(join(outDir, 'departments', `${d.department}.jsonl`)));
  const mattersOut = new LineWriter(join(outDir, 'truth', 'matters.jsonl'));
  const sourceOf = new Map(sources.map((d) => [d.department, d]));

  const incRng = Rng.derive(seed, 'incidents');
  const chRng = Rng.derive(seed, 'channels');
  const apRng = Rng.derive(seed, 'approvals');
  const idCounters = new Map<string, number>();
  const numberCounters = new Map<string, number>();
  const subjectRefs = new Map<string, SourceRef[]>();
  const occupancy: Occupancy = { place: new Map(), road: new Map() };
  const targets = new TargetPicker(w);
  let incidentSeq = 0;
  let matters = 0;
  let multi = 0;
  let decoys = 0;

  for (let d = 0; d < days; d++) {
    const dayStart = startMs + d * DAY;
    pruneOccupancy(occupancy, dayStart - WINDOW);
    const emissions: Emission[] = [];
    const incidents: Array<{ inc: Incident; emissions: Emission[] }> = [];
    const recent = new Map<string, Incident[]>();
    const nIncidents = Math.round((opts.incidentsPerDay ?? 22_000) * scale);
    for (let i = 0; i < nIncidents; i++) {
      const type = incRng.weighted(profile.incidentTypes.map((t) => [t, t.weight] as const));
      const pool = recent.get(type.key);
      let inc: Incident | null = null;
      if (pool && pool.length > 3 && incRng.chance(profile.decoyRate)) inc = targets.decoy(incRng, incRng.pick(pool), dayStart, occupancy, `M${String(incidentSeq + 1).padStart(7, '0')}`);
      if (!inc) inc = targets.incident(incRng, type, dayStart, occupancy, `M${String(incidentSeq + 1).padStart(7, '0')}`);
      if (!inc) continue;
      incidentSeq += 1;
      occupy(occupancy, inc);
      const list = recent.get(type.key) ?? [];
      list.push(inc);
      if (list.length > 300) list.shift();
      recent.set(type.key, list);

      const channels = profile.chooseChannels(chRng, inc.type);
      const first = inc.at + Math.round(chRng.float(3, 90)) * MIN;
      const ctx: ChannelContext = { w, rng: chRng, end, channels };
      const own: Emission[] = [];
      channels.forEach((ch, k) => {
        const at = k === 0 ? first : first + Math.round(profile.followUpMinutes(chRng)) * MIN + chRng.int(0, 59) * 1000;
        if (at >= end) return;
        const build = profile.builders[ch];
        if (!build || !sourceOf.has(ch)) throw new Error(`profile ${profile.name} chose channel ${ch} but files no records for it`);
        const e = build(ctx, inc as Incident, at);
        own.push(e);
        emissions.push(e);
      });
      if (own.length) incidents.push({ inc, emissions: own });
    }

    const registered = w.subjects.filter((s) => s.uscc !== null && s.status.startsWith('存续'));
    const nApprovals = Math.round((opts.approvalsPerDay ?? 3000) * scale);
    for (let i = 0; i < nApprovals; i++) {
      const hour = apRng.weighted(HOUR_PROFILES.day.map((wgt, h) => [h, h >= 8 && h <= 17 ? wgt : 0] as const));
      const at = dayStart + hour * 3600_000 + apRng.int(0, 3599) * 1000;
      emissions.push(buildApproval(apRng, w, at, end, registered));
    }

    // ids in time order per department, as the platforms hand them out
    const ordered = emissions.map((e, i) => [e, i] as const);
    ordered.sort(([a, i], [b, j]) => (a.department === b.department ? a.createdAt - b.createdAt || i - j : a.department < b.department ? -1 : 1));
    emissions.length = 0;
    for (const [e] of ordered) {
      emissions.push(e);
      const date = fmtDate(e.createdAt);
      const key = `${e.department}|${date}`;
      const seq = (idCounters.get(key) ?? 0) + 1;
      idCounters.set(key, seq);
      e.id = idFor(e.department, w, date, seq);
      const src = sourceOf.get(e.department) as DepartmentSource;
      e.record[src.idField] = e.id;
      for (const n of e.numbering ?? []) applyNumber(e, n, numberCounters, w);
    }
    for (const e of emissions) {
      const src = sourceOf.get(e.department) as DepartmentSource;
      (writers.get(e.department) as LineWriter).line({ sourceSystem: src.sourceSystem, sourceRecordId: e.id, record: e.record });
      if (e.subjectId) {
        const refs = subjectRefs.get(e.subjectId) ?? [];
        refs.push({ sourceSystem: src.sourceSystem, sourceRecordId: e.id as string });
        subjectRefs.set(e.subjectId, refs);
      }
    }
    incidents.sort((a, b) => (a.inc.id < b.inc.id ? -1 : 1));
    for (const { inc, emissions: own } of incidents) {
      matters += 1;
      if (own.length > 1) multi += 1;
      if (inc.decoyOf) decoys += 1;
      own.sort((a, b) => a.createdAt - b.createdAt);
      mattersOut.line({
        id: inc.id,
        category: inc.type.category,
        incidentType: inc.type.key,
        occurredAt: formatShanghai(inc.at),
        divisionCode: inc.village.code,
        gridCode: inc.gridCode,
        location: { lng: round(inc.location[0], 7), lat: round(inc.location[1], 7) },
        address: canonicalAddress(inc.address),
        placeId: inc.place?.id ?? null,
        subjectId: inc.subject?.id ?? null,
        decoyOf: inc.decoyOf,
        refs: own.map((e) => ({ sourceSystem: (sourceOf.get(e.department) as DepartmentSource).sourceSystem, sourceRecordId: e.id })),
      });
    }
  }

  // the registry as it stands at the end of the period
  const regRng = Rng.derive(seed, 'registry');
  const market = writers.get('market') as LineWriter;
  for (const s of w.subjects) {
    const row = registryRow(regRng, w, s);
    if (!row) continue;
    market.line({ sourceSystem: MARKET_SOURCE.sourceSystem, sourceRecordId: row.主体身份代码, record: row });
    const refs = subjectRefs.get(s.id) ?? [];
    refs.unshift({ sourceSystem: MARKET_SOURCE.sourceSystem, sourceRecordId: row.主体身份代码 });
    subjectRefs.set(s.id, refs);
  }
  for (const wr of writers.values()) wr.close();
  mattersOut.close();

  const subjectsOut = new LineWriter(join(outDir, 'truth', 'subjects.jsonl'));
  for (const s of w.subjects) {
    const refs = subjectRefs.get(s.id);
    if (!refs?.length) continue;
    subjectsOut.line({
      id: s.id,
      kind: s.kind,
      uscc: s.uscc,
      name: s.name,
      formerNames: s.formerNames,
      aliases: [s.shortName, ...(s.signName ? [s.signName] : [])].filter((a) => a !== s.name),
      placeIds: s.placeIds,
      refs,
    });
  }
  subjectsOut.close();

  writeGeo(w, outDir);
  writeGazetteer(w, outDir);
  const placesOut = new LineWriter(join(outDir, 'world', 'places.jsonl'));
  for (const p of w.places) {
    placesOut.line({
      id: p.id,
      kind: p.kind,
      name: p.name,
      address: canonicalAddress(p.address),
      divisionCode: p.villageCode,
      gridCode: p.gridCode,
      location: { lng: round(p.location[0], 7), lat: round(p.location[1], 7) },
      subjectId: p.subjectId,
      ...(p.landType ? { landType: p.landType, areaMu: p.areaMu } : {}),
    });
  }
  placesOut.close();

  const departments = sources.map((d) => ({ ...d, file: `departments/${d.department}.jsonl`, records: (writers.get(d.department) as LineWriter).count }));
  const records = departments.reduce((a, d) => a + d.records, 0);
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT,
    formatVersion: DATASET_FORMAT_VERSION,
    generator: profile.name === DEMO_PROFILE.name ? 'simulators/county/generate.ts' : `simulators/county/generate.ts --profile ${profile.name}`,
    seed,
    scale,
    period: { start: formatShanghai(startMs), end: formatShanghai(end), days, timezone: 'Asia/Shanghai' },
    county: { code: w.county.code, name: w.county.name, bbox: [...w.county.bbox] },
    departments,
    truth: { matters: 'truth/matters.jsonl', subjects: 'truth/subjects.jsonl' },
    geo: { divisions: 'geo/divisions.json', grids: 'geo/grids.geojson', gazetteer: 'geo/gazetteer.jsonl' },
    world: { places: 'world/places.jsonl' },
    counts: {
      records,
      reportRecords: departments.filter((d) => d.role === 'report').reduce((a, d) => a + d.records, 0),
      subjectRecords: departments.filter((d) => d.role === 'subject').reduce((a, d) => a + d.records, 0),
      matters,
      multiReportMatters: multi,
      decoyMatters: decoys,
      subjects: subjectsOut.count,
      towns: w.towns.length,
      villages: w.villages.length,
      grids: w.grids.length,
      places: w.places.length,
    },
  };
  writeJson(join(outDir, 'manifest.json'), manifest);
  return { manifest, elapsedMs: performance.now() - t0 };
}

function writeJson(path: string, value: unknown): void {
  const fd = openSync(path, 'w');
  writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
  closeSync(fd);
}

function applyNumber(e: Emission, n: NonNullable<Emission['numbering']>[number], counters: Map<string, number>, w: World): void {
  const year = fmtDate(e.createdAt).slice(0, 4);
  const key = `${n}|${year}`;
  const seq = (counters.get(key) ?? 0) + 1;
  counters.set(key, seq);
  const prefix = w.county.name.slice(0, 1);
  switch (n) {
    case 'filing':
      e.record['立案号'] = `${prefix}综执立字〔${year}〕第${String(seq).padStart(4, '0')}号`;
      break;
    case 'decision':
      e.record['处罚决定书文号'] = `${prefix}综执罚决字〔${year}〕第${String(seq).padStart(4, '0')}号`;
      break;
    case 'simple-decision':
      e.record['处罚决定书文号'] = `${prefix}综执简罚字〔${year}〕第${String(seq).padStart(4, '0')}号`;
      break;
    case 'ledger-row':
      e.record['序号'] = seq;
      break;
  }
}

function canonicalAddress(a: Address): string {
  const base = a.roadKind === 'group' ? `${a.town}${a.village}${a.road}${a.doorNo}号` : `${a.town}${a.road}${a.doorNo}号`;
  return a.compound ? `${base}${a.compound}${a.building}号楼${a.unit}单元${a.room}室` : base;
}

/** The demo county (Ordos-like, the vocabulary of names.ts, the channels of channels.ts). */
export const DEMO_PROFILE: CountyProfile = {
  name: 'demo',
  buildWorld,
  incidentTypes: INCIDENT_TYPES,
  builders: BUILDERS,
  chooseChannels,
  followUpMinutes: (rng) =>
    rng.weighted<number>([
      [rng.float(5, 120), 60],
      [rng.float(120, 480), 30],
      [rng.float(480, 1800), 10],
    ]),
  decoyRate: 0.22,
};

function chooseChannels(rng: Rng, type: IncidentType): Channel[] {
  const available = CHANNELS.filter((c) => type[c] !== undefined).map((c) => [c, (type[c] as { weight: number }).weight] as [Channel, number]);
  const k = Math.min(rng.weighted(COPY_COUNTS), available.length);
  const chosen: Channel[] = [];
  const pool = [...available];
  for (let i = 0; i < k; i++) {
    const c = rng.weighted(pool);
    chosen.push(c);
    pool.splice(
      pool.findIndex(([x]) => x === c),
      1,
    );
  }
  if (chosen.includes('hotline')) {
    // several callers about the same thing (重复来电)
    if (rng.chance(0.18)) chosen.push('hotline');
    if (rng.chance(0.05)) chosen.push('hotline');
  }
  return rng.shuffle(chosen);
}

/** A single incident at `at` with no regard to other incidents (for simulators generating live). */
export function randomIncident(picker: TargetPicker, rng: Rng, type: IncidentType, at: number, id: string): Incident | null {
  return picker.incident(rng, type, at, { place: new Map(), road: new Map() }, id, at);
}

/** Forgets incidents that can no longer collide (keeps memory flat over many days). */
function pruneOccupancy(o: Occupancy, before: number): void {
  for (const [k, times] of o.place) {
    const kept = times.filter((t) => t >= before);
    if (kept.length) o.place.set(k, kept);
    else o.place.delete(k);
  }
  for (const [k, list] of o.road) {
    const kept = list.filter(([, t]) => t >= before);
    if (kept.length) o.road.set(k, kept);
    else o.road.delete(k);
  }
}

function occupy(o: Occupancy, inc: Incident): void {
  if (inc.place) {
    const key = `${inc.place.id}|${inc.type.category}`;
    const list = o.place.get(key) ?? [];
    list.push(inc.at);
    o.place.set(key, list);
  } else {
    const key = `${inc.road.id}|${inc.type.category}`;
    const list = o.road.get(key) ?? [];
    list.push([inc.location, inc.at]);
    o.road.set(key, list);
  }
}

/**
 * Where and when incidents happen. Two incidents of the same category are never at the same place
 * within three days (they would be one matter), and public-space incidents of the same category on
 * the same road are at least 150 m apart, so that the truth is unambiguous.
 */
export class TargetPicker {
  private readonly placeLists = new Map<string, Place[]>();
  private readonly placeSets = new Map<string, Set<string>>();
  private readonly villagePools = new Map<boolean, Array<readonly [Village, number]>>();

  constructor(private readonly w: World) {}

  private candidates(type: IncidentType): Place[] {
    const t = type.target;
    if (!('places' in t)) return [];
    const key = type.key;
    let list = this.placeLists.get(key);
    if (!list) {
      list = t.places.flatMap((k) => this.w.placesByKind.get(k) ?? []);
      if (t.subjectRequired) list = list.filter((p) => p.subjectId && this.w.subjectById.get(p.subjectId)?.kind !== 'unregistered');
      const industries = t.industries;
      if (industries) list = list.filter((p) => p.industry !== null && industries.includes(p.industry.full));
      if (type.key === 'livestock_pollution') list = list.filter((p) => p.kind === 'farmland' || p.industry?.core === '养殖场');
      this.placeLists.set(key, list);
    }
    return list;
  }

  private unregistered(type: IncidentType): Place[] {
    const key = `${type.key}|unregistered`;
    let list = this.placeLists.get(key);
    if (!list) {
      list = this.candidates(type).filter((p) => p.subjectId && this.w.subjectById.get(p.subjectId)?.kind === 'unregistered');
      this.placeLists.set(key, list);
    }
    return list;
  }

  private time(rng: Rng, type: IncidentType, dayStart: number): number {
    const hour = rng.weighted(HOUR_PROFILES[type.hours].map((wgt, h) => [h, wgt] as const));
    return dayStart + hour * 3600_000 + rng.int(0, 3599) * 1000;
  }

  private free(o: Occupancy, type: IncidentType, at: number, place: Place | null, roadId: string, p: Point): boolean {
    if (place) {
      const times = o.place.get(`${place.id}|${type.category}`);
      return !times?.some((t) => Math.abs(t - at) < WINDOW);
    }
    const list = o.road.get(`${roadId}|${type.category}`);
    return !list?.some(([q, t]) => Math.abs(t - at) < WINDOW && distanceMetres(p, q) < MIN_PUBLIC_DISTANCE);
  }

  private fromPlace(rng: Rng, id: string, type: IncidentType, at: number, place: Place, decoyOf: string | null): Incident {
    const village = this.w.villageByCode.get(place.villageCode) as Village;
    const road = this.w.roadById.get(place.roadId);
    if (!road) throw new Error(`place ${place.id} has no road`);
    const subject: Subject | null = place.subjectId ? (this.w.subjectById.get(place.subjectId) ?? null) : null;
    const areaMu = place.kind === 'farmland' ? Math.max(0.1, round(rng.float(0.2, Math.min(place.areaMu ?? 5, 12)), 1)) : 0;
    return { id, type, at, location: place.location, village, gridCode: place.gridCode, place, road, doorNo: place.address.doorNo, address: place.address, subject, decoyOf, urgent: rng.chance(type.urgentRate), areaMu };
  }

  private fromRoad(rng: Rng, id: string, type: IncidentType, at: number, village: Village, roadIndex: number, doorNo: number, decoyOf: string | null): Incident {
    const road = village.roads[roadIndex];
    if (!road) throw new Error('no road');
    const location = roadPoint(road, doorNo);
    const address: Address = { town: village.townName, village: village.name, villageKind: village.kind, road: road.name, roadKind: road.kind, doorNo };
    return { id, type, at, location, village, gridCode: gridAt(this.w, village.code, location), place: null, road, doorNo, address, subject: null, decoyOf, urgent: rng.chance(type.urgentRate), areaMu: 0 };
  }

  incident(rng: Rng, type: IncidentType, dayStart: number, o: Occupancy, id: string, fixedAt?: number): Incident | null {
    const at = fixedAt ?? this.time(rng, type, dayStart);
    const t = type.target;
    for (let attempt = 0; attempt < 12; attempt++) {
      if ('places' in t) {
        const unreg = t.preferUnregistered && rng.chance(0.7) ? this.unregistered(type) : [];
        const list = unreg.length ? unreg : this.candidates(type);
        if (!list.length) return null;
        const place = rng.pick(list);
        if (this.free(o, type, at, place, place.roadId, place.location)) return this.fromPlace(rng, id, type, at, place, null);
      } else {
        const rural = t.rural === true;
        let pool = this.villagePools.get(rural);
        if (!pool) {
          pool = (rural ? this.w.villages.filter((v) => v.kind !== '社区') : this.w.villages).map((v) => [v, v.kind === '社区' ? 3 : 1] as const);
          this.villagePools.set(rural, pool);
        }
        const village = rng.weighted(pool);
        const roadIndex = rng.int(0, village.roads.length - 1);
        const road = village.roads[roadIndex];
        if (!road) continue;
        const doorNo = rng.int(1, road.maxNo);
        if (this.free(o, type, at, null, road.id, roadPoint(road, doorNo))) return this.fromRoad(rng, id, type, at, village, roadIndex, doorNo, null);
      }
    }
    return null;
  }

  /** A near miss of `base`: same category, same day, a few hours apart, a different place nearby. */
  decoy(rng: Rng, base: Incident, dayStart: number, o: Occupancy, id: string): Incident | null {
    const type = base.type;
    const at = Math.min(dayStart + DAY - 1000, Math.max(dayStart, base.at + Math.round(rng.float(-180, 180)) * MIN));
    for (let attempt = 0; attempt < 10; attempt++) {
      if (base.place) {
        const near = (this.w.placesByVillageKind.get(`${base.village.code}|${base.place.kind}`) ?? []).filter((p) => p.id !== base.place?.id);
        let allowed = this.placeSets.get(type.key);
        if (!allowed) this.placeSets.set(type.key, (allowed = new Set(this.candidates(type).map((p) => p.id))));
        const ok = allowed;
        const options = near.filter((p) => ok.has(p.id));
        if (!options.length) return null;
        const place = rng.pick(options);
        if (this.free(o, type, at, place, place.roadId, place.location)) return this.fromPlace(rng, id, type, at, place, base.id);
      } else {
        const roadIndex = base.village.roads.indexOf(base.road);
        const doorNo = rng.int(1, base.road.maxNo);
        const p = roadPoint(base.road, doorNo);
        const dist = distanceMetres(p, base.location);
        if (dist < MIN_PUBLIC_DISTANCE || dist > 700) continue;
        if (this.free(o, type, at, null, base.road.id, p)) return this.fromRoad(rng, id, type, at, base.village, roadIndex, doorNo, base.id);
      }
    }
    return null;
  }
}

function writeGeo(w: World, outDir: string): void {
  const divisions = {
    county: { code: w.county.code, name: w.county.name, bbox: [...w.county.bbox], province: w.county.province, prefecture: w.county.prefecture },
    towns: w.towns.map((t) => ({ code: t.code, name: t.name, kind: t.kind, center: t.center.map((x) => round(x, 6)), polygon: geoJsonPolygon(t.polygon), villageCodes: t.villageCodes })),
    villages: w.villages.map((v) => ({
      code: v.code,
      name: v.name,
      kind: v.kind,
      townCode: v.townCode,
      center: v.center.map((x) => round(x, 6)),
      polygon: geoJsonPolygon(v.polygon),
      gridCodes: v.gridCodes,
      roads: v.roads.map((r) => ({ id: r.id, name: r.name, kind: r.kind, from: r.a.map((x) => round(x, 7)), to: r.b.map((x) => round(x, 7)), maxNo: r.maxNo })),
      compounds: v.compounds.map((c) => ({ name: c.name, roadId: c.roadId, doorNo: c.doorNo, buildings: c.buildings })),
    })),
  };
  writeJson(join(outDir, 'geo', 'divisions.json'), divisions);
  const grids = {
    type: 'FeatureCollection',
    features: w.grids.map((g) => ({
      type: 'Feature',
      properties: { gridCode: g.code, gridName: g.name, villageCode: g.villageCode, townCode: g.townCode, workers: g.workerIds.length },
      geometry: { type: 'Polygon', coordinates: geoJsonPolygon(g.polygon) },
    })),
  };
  writeJson(join(outDir, 'geo', 'grids.geojson'), grids);
}
