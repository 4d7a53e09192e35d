/**
 * The demo-county generator writes a dataset whose identifiers validate, whose divisions and grids are
 * well formed, and whose ground truth accounts for every record; and it does so reproducibly.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateResidentId } from '../../../core/normalise/resident-id.js';
import { validateUscc } from '../../../core/normalise/uscc.js';
import { transformToWgs84 } from '../../../core/normalise/coords.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import { manifest as gridManifest, COUNTY_BBOX } from '../../../connectors/adapters/grid/manifest.js';
import { mapGridEvent } from '../../../connectors/adapters/grid/mapping.js';
import type { Report } from '../../../schemas/index.js';
import { findAdapter } from '../../../connectors/adapters/index.js';
import { COUNTY, VILLAGES, divisionLevel } from '../../../simulators/shared/county.js';
import { readDepartment, readJsonl, readManifest, refKey, scoreClusters, type DatasetLine, type TruthMatter, type TruthSubject } from '../../../simulators/county/dataset.js';
import { generateDataset, type DatasetManifest } from '../../../simulators/county/generate.js';
import { distanceMetres, pointInRing, ringArea, type Point, type Ring } from '../../../simulators/county/geo.js';

interface Divisions {
  county: { code: string; bbox: number[] };
  towns: Array<{ code: string; name: string; kind: string; polygon: number[][][]; villageCodes: string[] }>;
  villages: Array<{ code: string; name: string; kind: string; townCode: string; polygon: number[][][]; gridCodes: string[] }>;
}
interface GridFeature {
  properties: { gridCode: string; villageCode: string; townCode: string };
  geometry: { type: 'Polygon'; coordinates: number[][][] };
}

const openRing = (coords: number[][][]): Ring => (coords[0] as number[][]).slice(0, -1).map(([x, y]) => [x as number, y as number]);

function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const tmp: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'county-'));
  tmp.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe('generator determinism', () => {
  it('writes byte-identical datasets for the same seed and different ones for another seed', () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    generateDataset({ seed: 7, scale: 0.03, days: 2 }, a);
    generateDataset({ seed: 7, scale: 0.03, days: 2 }, b);
    generateDataset({ seed: 8, scale: 0.03, days: 2 }, c);
    const [ha, hb, hc] = [hashTree(a), hashTree(b), hashTree(c)];
    expect(Object.keys(ha).length).toBeGreaterThanOrEqual(14);
    expect(hb).toEqual(ha);
    expect(hc['departments/hotline.jsonl']).not.toBe(ha['departments/hotline.jsonl']);
    expect(hc['truth/matters.jsonl']).not.toBe(ha['truth/matters.jsonl']);
  });
});

describe('a two-day dataset', () => {
  let dir: string;
  let manifest: DatasetManifest;
  const lines = new Map<string, DatasetLine[]>();
  let matters: TruthMatter[];
  let subjects: TruthSubject[];
  let divisions: Divisions;
  let grids: GridFeature[];

  beforeAll(() => {
    dir = tempDir();
    manifest = generateDataset({ seed: 3, scale: 0.1, days: 2 }, dir).manifest;
    for (const d of manifest.departments) lines.set(d.department, readDepartment(dir, d.department));
    matters = readJsonl<TruthMatter>(join(dir, 'truth/matters.jsonl'));
    subjects = readJsonl<TruthSubject>(join(dir, 'truth/subjects.jsonl'));
    divisions = JSON.parse(readFileSync(join(dir, 'geo/divisions.json'), 'utf8')) as Divisions;
    grids = (JSON.parse(readFileSync(join(dir, 'geo/grids.geojson'), 'utf8')) as { features: GridFeature[] }).features;
  });

  const records = (department: string): Array<Record<string, unknown>> => (lines.get(department) ?? []).map((l) => l.record);

  it('has a manifest describing eleven departments and matching counts', () => {
    expect(readManifest(dir)).toEqual(manifest);
    expect(manifest.departments.map((d) => d.department).sort()).toEqual(['approval', 'emergency', 'enforcement', 'environment', 'grid', 'health_inspection', 'hotline', 'market', 'natural_resources', 'police_110', 'urban_management']);
    for (const d of manifest.departments) {
      expect(lines.get(d.department)?.length, d.department).toBe(d.records);
      expect(d.records, d.department).toBeGreaterThan(0);
      for (const l of lines.get(d.department) ?? []) {
        expect(l.sourceSystem).toBe(d.sourceSystem);
        expect(l.record[d.idField]).toBe(l.sourceRecordId);
      }
    }
    expect(manifest.period).toMatchObject({ start: '2026-03-02T00:00:00+08:00', end: '2026-03-04T00:00:00+08:00', days: 2 });
  });

  it('gives every record a unique id within its source system', () => {
    for (const [dept, ls] of lines) {
      const ids = new Set(ls.map((l) => l.sourceRecordId));
      expect(ids.size, dept).toBe(ls.length);
    }
  });

  it('writes only USCCs that pass the GB 32100 check', () => {
    const codes: Array<[string, unknown]> = [];
    for (const r of records('market')) codes.push(['market', r['统一社会信用代码']]);
    for (const r of records('approval')) {
      if (r['申请人证件类型'] === '统一社会信用代码' && r['申请人证件号码'] !== null) codes.push(['approval', r['申请人证件号码']]);
      if (r['核发统一社会信用代码'] !== null) codes.push(['approval', r['核发统一社会信用代码']]);
    }
    for (const r of records('enforcement')) if (r['统一社会信用代码'] !== null) codes.push(['enforcement', r['统一社会信用代码']]);
    for (const r of records('emergency')) if (r['统一社会信用代码'] !== '') codes.push(['emergency', r['统一社会信用代码']]);
    for (const r of records('environment')) if (r['被举报对象统一社会信用代码'] !== null) codes.push(['environment', r['被举报对象统一社会信用代码']]);
    for (const r of records('grid')) if (r.subjectCreditCode !== null) codes.push(['grid', r.subjectCreditCode]);
    for (const s of subjects) if (s.uscc !== null) codes.push(['truth', s.uscc]);
    expect(codes.length).toBeGreaterThan(1000);
    for (const [where, code] of codes) expect(() => validateUscc(code, where), `${where}: ${String(code)}`).not.toThrow();
    // variants people type occur, and still validate
    expect(codes.some(([, c]) => typeof c === 'string' && /[a-z]/.test(c))).toBe(true);
    expect(codes.some(([, c]) => typeof c === 'string' && /^92/.test(c))).toBe(true);
    expect(codes.some(([, c]) => typeof c === 'string' && /^93/.test(c))).toBe(true);
  });

  it('writes only resident ID numbers that pass the GB 11643 check', () => {
    const ids: Array<[string, unknown]> = [];
    for (const r of records('market')) ids.push(['market', r['法定代表人证件号码']]);
    for (const r of records('approval')) {
      ids.push(['approval', r['经办人身份证号']]);
      if (r['申请人证件类型'] === '居民身份证') ids.push(['approval', r['申请人证件号码']]);
    }
    for (const r of records('enforcement')) if (r['证件号码'] !== null) ids.push(['enforcement', r['证件号码']]);
    for (const r of records('natural_resources')) if (r['当事人证件号码'] !== '') ids.push(['natural_resources', r['当事人证件号码']]);
    expect(ids.length).toBeGreaterThan(1000);
    const now = new Date('2026-03-04T00:00:00+08:00');
    for (const [where, id] of ids) expect(() => validateResidentId(id, where, { now }), `${where}: ${String(id)}`).not.toThrow();
    expect(ids.some(([, id]) => typeof id === 'string' && id.endsWith('x'))).toBe(true);
  });

  it('builds towns and villages with statistical codes in the right ranges', () => {
    expect(divisions.county.code).toBe(COUNTY.code);
    const kinds = new Set(divisions.towns.map((t) => t.kind));
    expect([...kinds].sort()).toEqual(['乡', '苏木', '街道', '镇'].sort());
    for (const t of divisions.towns) {
      expect(t.code).toMatch(new RegExp(`^${COUNTY.code}\\d{3}$`));
      const level = divisionLevel(t.code);
      expect(level, t.code).toBe(t.kind === '街道' ? 'street' : t.kind === '镇' ? 'town' : 'township');
      expect(t.name.endsWith(t.kind)).toBe(true);
    }
    const townCodes = new Set(divisions.towns.map((t) => t.code));
    expect(new Set(divisions.villages.map((v) => v.code)).size).toBe(divisions.villages.length);
    for (const v of divisions.villages) {
      expect(v.code).toMatch(/^\d{12}$/);
      expect(townCodes.has(v.code.slice(0, 9)), v.code).toBe(true);
      expect(v.townCode).toBe(v.code.slice(0, 9));
      expect(divisionLevel(v.code), v.code).toBe(v.kind === '社区' ? 'community' : 'village');
      expect(v.name.endsWith(v.kind)).toBe(true);
      if (v.code.slice(6, 9) < '100') expect(v.kind, `${v.code}: a 街道 has communities only`).toBe('社区');
    }
    expect(divisions.villages.length).toBeGreaterThanOrEqual(100);
    // the demo county's original villages keep their codes and their centres lie in them
    for (const old of VILLAGES) {
      const v = divisions.villages.find((x) => x.code === old.code);
      expect(v?.name, old.code).toBe(old.name);
      expect(pointInRing([old.lng, old.lat], openRing(v?.polygon ?? [[]])), old.name).toBe(true);
    }
  });

  it('lays out a few hundred grids inside their villages, without overlaps, tiling each village', () => {
    expect(grids.length).toBeGreaterThanOrEqual(200);
    expect(grids.length).toBeLessThan(1000);
    const villageByCode = new Map(divisions.villages.map((v) => [v.code, v]));
    const byVillage = new Map<string, Ring[]>();
    for (const g of grids) {
      const { gridCode, villageCode } = g.properties;
      expect(gridCode).toMatch(/^\d{15}$/);
      expect(gridCode.slice(0, 12)).toBe(villageCode);
      const v = villageByCode.get(villageCode);
      expect(v?.gridCodes).toContain(gridCode);
      const ring = openRing(g.geometry.coordinates);
      const [minX, minY, maxX, maxY] = bounds(openRing(v?.polygon ?? [[]]));
      for (const [x, y] of ring) {
        expect(x >= minX - 1e-9 && x <= maxX + 1e-9 && y >= minY - 1e-9 && y <= maxY + 1e-9, `${gridCode} vertex outside its village`).toBe(true);
      }
      byVillage.set(villageCode, [...(byVillage.get(villageCode) ?? []), ring]);
    }
    for (const [code, rings] of byVillage) {
      const v = villageByCode.get(code);
      const villageArea = Math.abs(ringArea(openRing(v?.polygon ?? [[]])));
      const total = rings.reduce((a, r) => a + Math.abs(ringArea(r)), 0);
      expect(Math.abs(total - villageArea) / villageArea, `${code}: grids tile the village`).toBeLessThan(1e-6);
      for (let i = 0; i < rings.length; i++) {
        for (let j = i + 1; j < rings.length; j++) {
          const [a, b] = [rings[i] as Ring, rings[j] as Ring];
          expect(edgesCross(a, b), `${code}: grids ${i + 1} and ${j + 1} cross`).toBe(false);
          expect(pointInRing(interior(a), b) || pointInRing(interior(b), a), `${code}: grids ${i + 1} and ${j + 1} overlap`).toBe(false);
        }
      }
    }
    // villages of one town do not overlap either (so grids of different villages cannot)
    const villageRings = divisions.villages.map((v) => openRing(v.polygon));
    for (let i = 0; i < villageRings.length; i++) {
      for (let j = i + 1; j < villageRings.length; j++) expect(boxesOverlap(villageRings[i] as Ring, villageRings[j] as Ring)).toBe(false);
    }
    for (const r of villageRings) {
      const [minX, minY, maxX, maxY] = bounds(r);
      const [bx0, by0, bx1, by1] = COUNTY.bbox;
      expect(minX >= bx0 && maxX <= bx1 && minY >= by0 && maxY <= by1).toBe(true);
    }
  });

  it('writes only division and grid codes that exist', () => {
    const villages = new Set(divisions.villages.map((v) => v.code));
    const towns = new Set(divisions.towns.map((t) => t.code));
    const gridCodes = new Set(grids.map((g) => g.properties.gridCode));
    const division = (code: unknown): boolean => typeof code === 'string' && (villages.has(code) || (code.endsWith('000') && towns.has(code.slice(0, 9))));
    for (const r of records('hotline')) expect(division(r.xzqhdm), String(r.xzqhdm)).toBe(true);
    expect(records('hotline').some((r) => String(r.xzqhdm).endsWith('000'))).toBe(true);
    for (const r of records('grid')) {
      expect(villages.has(r.divisionCode as string)).toBe(true);
      expect(gridCodes.has(r.gridCode as string)).toBe(true);
    }
    for (const r of records('enforcement')) expect(villages.has(r['行政区划代码'] as string)).toBe(true);
    for (const m of matters) {
      expect(villages.has(m.divisionCode as string)).toBe(true);
      expect(gridCodes.has(m.gridCode as string)).toBe(true);
      expect((m.gridCode as string).startsWith(m.divisionCode as string)).toBe(true);
    }
  });

  it('accounts for every record in the ground truth exactly once', () => {
    const role = new Map(manifest.departments.map((d) => [d.sourceSystem, d.role]));
    const all = new Set<string>();
    const reportKeys = new Set<string>();
    const subjectKeys = new Set<string>();
    for (const d of manifest.departments) {
      for (const l of lines.get(d.department) ?? []) {
        const k = refKey(l);
        all.add(k);
        (d.role === 'report' ? reportKeys : subjectKeys).add(k);
      }
    }
    const inMatters = new Map<string, number>();
    for (const m of matters) {
      expect(m.refs.length).toBeGreaterThan(0);
      for (const r of m.refs) {
        expect(role.get(r.sourceSystem), `${m.id} refers to a ${r.sourceSystem} record`).toBe('report');
        inMatters.set(refKey(r), (inMatters.get(refKey(r)) ?? 0) + 1);
      }
    }
    const inSubjects = new Map<string, number>();
    for (const s of subjects) {
      expect(s.refs.length).toBeGreaterThan(0);
      for (const r of s.refs) inSubjects.set(refKey(r), (inSubjects.get(refKey(r)) ?? 0) + 1);
    }
    for (const k of [...inMatters.keys(), ...inSubjects.keys()]) expect(all.has(k), `truth refers to a record that does not exist: ${k}`).toBe(true);
    for (const k of reportKeys) expect(inMatters.get(k), `report record in ${inMatters.get(k) ?? 0} matters: ${k}`).toBe(1);
    for (const k of subjectKeys) expect(inSubjects.get(k), `subject record in ${inSubjects.get(k) ?? 0} subjects: ${k}`).toBe(1);
    for (const [k, n] of inSubjects) expect(n, k).toBe(1);
    expect(manifest.counts.matters).toBe(matters.length);
    expect(manifest.counts.subjects).toBe(subjects.length);
  });

  it('makes merging worth testing: multi-channel matters, look-alike matters, subjects seen by several departments', () => {
    const multi = matters.filter((m) => new Set(m.refs.map((r) => r.sourceSystem)).size >= 2);
    expect(multi.length / matters.length).toBeGreaterThan(0.4);
    expect(matters.some((m) => new Set(m.refs.map((r) => r.sourceSystem)).size >= 4)).toBe(true);
    const decoys = matters.filter((m) => m.decoyOf !== null);
    expect(decoys.length / matters.length).toBeGreaterThan(0.1);
    const byId = new Map(matters.map((m) => [m.id, m]));
    for (const d of decoys) {
      const base = byId.get(d.decoyOf as string);
      if (!base) continue; // the base matter may have been reported only after the period
      expect(d.category).toBe(base.category);
      expect(d.occurredAt.slice(0, 10)).toBe(base.occurredAt.slice(0, 10));
      if (d.placeId) expect(d.placeId).not.toBe(base.placeId);
      else expect(distanceMetres([d.location?.lng ?? 0, d.location?.lat ?? 0], [base.location?.lng ?? 0, base.location?.lat ?? 0])).toBeGreaterThanOrEqual(150);
    }
    // the truth scored against itself is perfect; all-singletons has no recall
    const truth = matters.map((m) => m.refs);
    expect(scoreClusters(truth, truth)).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(scoreClusters(truth, truth.flat().map((r) => [r])).recall).toBe(0);
    // subjects: seen in the registry and in at least one report for many; names vary between departments
    const systems = (s: TruthSubject): Set<string> => new Set(s.refs.map((r) => r.sourceSystem));
    expect(subjects.filter((s) => systems(s).size >= 3).length).toBeGreaterThan(50);
    expect(subjects.some((s) => s.kind === 'unregistered' && s.uscc === null)).toBe(true);
    const text = (department: string, id: string): string => JSON.stringify(lines.get(department)?.find((l) => l.sourceRecordId === id)?.record ?? {});
    let exact = 0;
    let total = 0;
    for (const s of subjects.slice(0, 400)) {
      for (const r of s.refs.filter((x) => x.sourceSystem === 'hotline-12345')) {
        total += 1;
        if (text('hotline', r.sourceRecordId).includes(s.name)) exact += 1;
      }
    }
    expect(total).toBeGreaterThan(20);
    expect(exact / total, 'callers rarely use the registered name').toBeLessThan(0.3);
  });

  it('files the three newer departments in their platforms\' native form: every record maps through its adapter, near the true place, and many repeat another department\'s report', () => {
    const matterOf = new Map<string, TruthMatter>();
    for (const m of matters) for (const r of m.refs) matterOf.set(refKey(r), m);
    const subjectOf = new Map<string, TruthSubject>();
    for (const s of subjects) for (const r of s.refs) subjectOf.set(refKey(r), s);
    for (const [department, adapterId, maxMetres] of [['urban_management', 'urban-management', 80], ['police_110', 'police-110', 900], ['health_inspection', 'health-inspection', 60]] as const) {
      const adapter = findAdapter(adapterId);
      const ctx = fixtureContext(adapter.manifest);
      const own = lines.get(department) ?? [];
      expect(own.length, department).toBeGreaterThan(10);
      let shared = 0;
      for (const l of own) {
        // the record as the platform serves it: every value a text (XML elements, the 110 push's strings)
        for (const v of Object.values(l.record)) expect(typeof v, `${department} ${l.sourceRecordId}`).toBe('string');
        const report = adapter.mapping(l.record, ctx)[0]!.value as Report;
        expect(report.envelope.sourceSystem).toBe(adapter.manifest.sourceSystem);
        expect(report.envelope.sourceRecordId).toBe(l.sourceRecordId);
        expect(report.categoryCode, l.sourceRecordId).not.toBeNull();
        const m = matterOf.get(refKey(l))!;
        expect(report.categoryCode, l.sourceRecordId).toBe(m.category);
        const loc = report.envelope.location!;
        expect(distanceMetres([loc.lng, loc.lat], [m.location!.lng, m.location!.lat]), l.sourceRecordId).toBeLessThan(maxMetres);
        if (m.refs.some((r) => r.sourceSystem !== l.sourceSystem)) shared += 1;
      }
      expect(shared / own.length, `${department}: share of records whose matter another department reported too`).toBeGreaterThan(0.3);
    }
    // 卫生监督 names the inspected unit (name and USCC): each record is in that unit's subject
    for (const l of lines.get('health_inspection') ?? []) expect(subjectOf.get(refKey(l))?.id, l.sourceRecordId).toBe(matterOf.get(refKey(l))?.subjectId);
  });

  it('writes coordinates in each platform’s system that convert back to the true place', () => {
    const matterOf = new Map<string, TruthMatter>();
    for (const m of matters) for (const r of m.refs) matterOf.set(refKey(r), m);
    const truthPoint = (sourceSystem: string, id: string): Point => {
      const m = matterOf.get(refKey({ sourceSystem, sourceRecordId: id }));
      return [m?.location?.lng ?? 0, m?.location?.lat ?? 0];
    };
    const ctx = fixtureContext(gridManifest);
    let swapped = 0;
    let located = 0;
    for (const l of lines.get('grid') ?? []) {
      const [out] = mapGridEvent(l.record, ctx);
      const report = out?.value as Report;
      const loc = report.envelope.location;
      if (!loc) continue;
      located += 1;
      if (loc.originalLng < 90) swapped += 1;
      expect(distanceMetres([loc.lng, loc.lat], truthPoint('grid', l.sourceRecordId)), l.sourceRecordId).toBeLessThan(80);
    }
    expect(located).toBeGreaterThan(500);
    expect(swapped / located).toBeGreaterThan(0.02);
    for (const l of lines.get('environment') ?? []) {
      const r = l.record as { 经度: number | null; 纬度: number | null };
      if (r.经度 === null || r.纬度 === null) continue;
      const [x, y] = transformToWgs84(r.经度, r.纬度, 'BD09');
      expect(distanceMetres([x, y], truthPoint('environment-12369', l.sourceRecordId))).toBeLessThan(400);
    }
    for (const l of lines.get('natural_resources') ?? []) {
      const r = l.record as Record<string, string>;
      if (!r['经度']) continue;
      expect(distanceMetres([Number(r['经度']), Number(r['纬度'])], truthPoint('natural-resources-patrol', l.sourceRecordId))).toBeLessThan(60);
    }
    for (const l of lines.get('hotline') ?? []) expect(JSON.stringify(l.record)).not.toMatch(/经度|lng/);
    expect(COUNTY_BBOX).toEqual([...COUNTY.bbox]);
  });
});

function bounds(r: Ring): [number, number, number, number] {
  const xs = r.map((p) => p[0]);
  const ys = r.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function boxesOverlap(a: Ring, b: Ring): boolean {
  const [ax0, ay0, ax1, ay1] = bounds(a);
  const [bx0, by0, bx1, by1] = bounds(b);
  const eps = 1e-9;
  return ax0 < bx1 - eps && bx0 < ax1 - eps && ay0 < by1 - eps && by0 < ay1 - eps;
}

/** The vertex average: inside the mildly jittered quads the generator makes. */
function interior(r: Ring): Point {
  return r.reduce<Point>((acc, [x, y]) => [acc[0] + x / r.length, acc[1] + y / r.length], [0, 0]);
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** True when an edge of one ring properly crosses an edge of the other (shared vertices and edges do not count). */
function edgesCross(a: Ring, b: Ring): boolean {
  const eps = 1e-15;
  for (let i = 0; i < a.length; i++) {
    const p1 = a[i] as Point;
    const p2 = a[(i + 1) % a.length] as Point;
    for (let j = 0; j < b.length; j++) {
      const q1 = b[j] as Point;
      const q2 = b[(j + 1) % b.length] as Point;
      const d1 = cross(q1, q2, p1);
      const d2 = cross(q1, q2, p2);
      const d3 = cross(p1, p2, q1);
      const d4 = cross(p1, p2, q2);
      if (((d1 > eps && d2 < -eps) || (d1 < -eps && d2 > eps)) && ((d3 > eps && d4 < -eps) || (d3 < -eps && d4 > eps))) return true;
    }
  }
  return false;
}
