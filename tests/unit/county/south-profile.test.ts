/**
 * The second test county (profile "south", issue 13): written in the documented dataset format so the
 * whole pipeline reads it — every record passes its department's real adapter mapping — with its own
 * vocabulary and noise, its ground truth accounting for every record, and reproducible.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../connectors/adapters/index.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import { transformToWgs84 } from '../../../core/normalise/coords.js';
import { readJsonl, readManifest, refKey, type DatasetLine, type TruthMatter, type TruthSubject } from '../../../simulators/county/dataset.js';
import { generateDataset, type DatasetManifest } from '../../../simulators/county/generate.js';
import { distanceMetres } from '../../../simulators/county/geo.js';
import { profileByName } from '../../../simulators/county/profiles.js';
import { MONGOLIAN_NAMES } from '../../../simulators/county/names.js';

const tmp: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'south-'));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

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

describe('south profile: determinism', () => {
  it('writes byte-identical datasets for the same seed, different ones for another seed or the demo profile', () => {
    const [a, b, c, d] = [tempDir(), tempDir(), tempDir(), tempDir()];
    const south = profileByName('south');
    generateDataset({ seed: 5, scale: 0.02, profile: south }, a);
    generateDataset({ seed: 5, scale: 0.02, profile: south }, b);
    generateDataset({ seed: 6, scale: 0.02, profile: south }, c);
    generateDataset({ seed: 5, scale: 0.02 }, d);
    const [ha, hb, hc, hd] = [hashTree(a), hashTree(b), hashTree(c), hashTree(d)];
    expect(Object.keys(ha).length).toBeGreaterThan(10);
    expect(hb).toEqual(ha);
    expect(hc['departments/hotline.jsonl']).not.toBe(ha['departments/hotline.jsonl']);
    expect(hd['departments/hotline.jsonl']).not.toBe(ha['departments/hotline.jsonl']);
    expect(readManifest(a).generator).toContain('--profile south');
  });

  it('rejects an unknown profile name with the known ones', () => {
    expect(() => profileByName('north-pole')).toThrow(/demo, south/);
  });
});

describe('south profile: a valid dataset', () => {
  let dir: string;
  let manifest: DatasetManifest;
  let lines: Map<string, Array<DatasetLine>>;
  let matters: TruthMatter[];
  let subjects: TruthSubject[];
  beforeAll(() => {
    dir = tempDir();
    manifest = generateDataset({ seed: 3, scale: 0.05, profile: profileByName('south') }, dir).manifest;
    lines = new Map(manifest.departments.map((d) => [d.department, readJsonl<DatasetLine>(join(dir, d.file))]));
    matters = readJsonl<TruthMatter>(join(dir, 'truth/matters.jsonl'));
    subjects = readJsonl<TruthSubject>(join(dir, 'truth/subjects.jsonl'));
  });

  it('passes every record through its department adapter without a dead letter, each report with a catalogue category', () => {
    let reports = 0;
    for (const d of manifest.departments) {
      const adapter = ADAPTERS.find((a) => a.manifest.sourceSystem === d.sourceSystem);
      expect(adapter, d.sourceSystem).toBeDefined();
      if (!adapter) continue;
      const ctx = fixtureContext(adapter.manifest);
      for (const l of lines.get(d.department) ?? []) {
        expect(l.sourceRecordId).toBe(String(l.record[d.idField]));
        let out: Array<{ kind: string; value: unknown }>;
        try {
          out = adapter.mapping(l.record as never, ctx) as Array<{ kind: string; value: unknown }>;
        } catch (err) {
          throw new Error(`${d.sourceSystem} ${l.sourceRecordId} is dead-lettered: ${(err as Error).message}`);
        }
        for (const e of out) {
          if (e.kind !== 'report') continue;
          reports += 1;
          const cat = (e.value as { categoryCode: string | null }).categoryCode;
          expect(cat, `${l.sourceRecordId} ${JSON.stringify(l.record).slice(0, 120)}`).toMatch(/^[a-z_]+\.[a-z_]+$/);
          expect(cat).not.toBe('other.uncategorized');
        }
      }
    }
    expect(reports).toBeGreaterThan(500);
  });

  it('accounts for every report record in exactly one matter and every subject record in exactly one subject', () => {
    const seenM = new Map<string, number>();
    for (const m of matters) for (const r of m.refs) seenM.set(refKey(r), (seenM.get(refKey(r)) ?? 0) + 1);
    const seenS = new Map<string, number>();
    for (const s of subjects) for (const r of s.refs) seenS.set(refKey(r), (seenS.get(refKey(r)) ?? 0) + 1);
    for (const d of manifest.departments) {
      for (const l of lines.get(d.department) ?? []) {
        const k = refKey(l);
        if (d.role === 'report') expect(seenM.get(k), k).toBe(1);
        else expect(seenS.get(k), k).toBe(1);
        expect(seenS.get(k) ?? 0).toBeLessThanOrEqual(1);
      }
    }
    expect(manifest.counts.records).toBe([...lines.values()].reduce((n, l) => n + l.length, 0));
  });

  it('speaks another vocabulary than the demo county: no Mongolian names, 嘎查 or 社 groups', () => {
    const all = [...lines.values()].flat().map((l) => JSON.stringify(l.record)).join('\n');
    const divisions = readFileSync(join(dir, 'geo/divisions.json'), 'utf8');
    expect(divisions).not.toMatch(/嘎查/);
    expect(MONGOLIAN_NAMES.filter((n) => all.includes(`"${n}"`))).toEqual([]);
    expect(all).toMatch(/米粉|烧腊|大排档|擂茶/);
  });

  it('has the noise of the issue: 12345 without division code but the town in the text, same-platform repeats, positions 60–150 m off, address variants, cross-family filing, look-alikes', () => {
    const hotline = (lines.get('hotline') ?? []).map((l) => l.record as { xzqhdm: string; sqnr: string; sjdz: string });
    const noCode = hotline.filter((o) => o.xzqhdm === '');
    expect(noCode.length / hotline.length).toBeGreaterThan(0.3);
    const towns = (JSON.parse(readFileSync(join(dir, 'geo/divisions.json'), 'utf8')) as { towns: Array<{ name: string }> }).towns.map((t) => t.name);
    const named = noCode.filter((o) => towns.some((t) => o.sqnr.includes(t) || o.sjdz.includes(t)));
    expect(named.length / noCode.length).toBeGreaterThan(0.6);

    const sys = (m: TruthMatter): string[] => m.refs.map((r) => r.sourceSystem);
    const repeats = (s: string): number => matters.filter((m) => sys(m).filter((x) => x === s).length >= 2).length;
    expect(repeats('hotline-12345')).toBeGreaterThan(10);
    expect(repeats('grid')).toBeGreaterThan(5);
    expect(repeats('environment-12369')).toBeGreaterThan(3);

    const truthAt = new Map<string, TruthMatter>();
    for (const m of matters) for (const r of m.refs) truthAt.set(refKey(r), m);
    const offsets = (lines.get('grid') ?? [])
      .map((l) => {
        const e = l.record as { lng: number | null; lat: number | null };
        const m = truthAt.get(refKey(l));
        if (e.lng === null || e.lat === null || !m?.location) return null;
        const [x, y] = transformToWgs84(e.lng, e.lat, 'GCJ02');
        return distanceMetres([x, y], [m.location.lng, m.location.lat]);
      })
      .filter((d): d is number => d !== null);
    const far = offsets.filter((d) => d >= 55 && d <= 160).length;
    expect(far / offsets.length).toBeGreaterThan(0.15);

    const addresses = [...lines.values()].flat().map((l) => JSON.stringify(l.record)).join('\n');
    for (const re of [/\d+栋/, /\d+号院/, /[一二三四五六七八九]组/, /\d组/, /(交叉口|路口)/, /对面|隔壁|旁边/]) expect(addresses).toMatch(re);

    const dust = (lines.get('hotline') ?? []).filter((l) => (l.record as { flmc: string }).flmc === '环境保护-大气污染');
    expect(dust.length).toBeGreaterThan(0);
    expect(matters.filter((m) => m.decoyOf !== null).length / matters.length).toBeGreaterThan(0.1);
  });
});
