/**
 * The county profile (core/county-profile.ts): the shipped profiles load, every mistake is refused
 * naming its field, and a worker given a broken profile stops at start naming COUNTY_PROFILE.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_COUNTY_PROFILE_DIR, loadCountyProfile, parseCountyProfile } from '../../../core/county-profile.js';
import { ConfigError } from '../../../core/errors.js';
import { connectorSettings } from '../../../connectors/runtime/settings.js';
import { townGazetteer } from '../../../connectors/sdk/towns.js';
import { hubSettings } from '../../../hub/settings.js';

const demo = JSON.parse(readFileSync(join(DEMO_COUNTY_PROFILE_DIR, 'county.json'), 'utf8')) as Record<string, unknown>;
const tmp = mkdtempSync(join(tmpdir(), 'countyhub-profile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function refusal(change: (p: Record<string, any>) => void): string {
  const p = structuredClone(demo) as Record<string, any>;
  change(p);
  try {
    parseCountyProfile(p, tmp);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the profile was accepted');
}

describe('county profile', () => {
  it('the demo and the second county load, each with its own codes, towns and box', () => {
    const d = loadCountyProfile(DEMO_COUNTY_PROFILE_DIR);
    const l = loadCountyProfile('counties/lakeside');
    expect(d.code).toBe('150625');
    expect(l.code).toBe('361199');
    for (const p of [d, l]) {
      expect(p.towns.length).toBeGreaterThan(5);
      for (const t of p.towns) {
        expect(t.code.startsWith(p.code)).toBe(true);
        expect(t.centre[0]).toBeGreaterThanOrEqual(p.bbox[0]);
        expect(t.centre[1]).toBeLessThanOrEqual(p.bbox[3]);
      }
    }
    const demoNames = new Set(d.towns.map((t) => t.name));
    expect(l.towns.filter((t) => demoNames.has(t.name))).toEqual([]);
    // a folder or its county.json
    expect(loadCountyProfile('counties/lakeside/county.json').code).toBe('361199');
  });

  it('names the field of every mistake', () => {
    expect(refusal((p) => (p.code = '15062'))).toMatch(/^CH_CONFIG|code/);
    expect(refusal((p) => (p.towns[0].code = '361199100'))).toMatch(/towns\[0\]\.code.*150625/);
    expect(refusal((p) => (p.towns[1].code = p.towns[0].code))).toMatch(/towns\[1\]\.code.*twice/);
    expect(refusal((p) => (p.towns[2].kind = '区'))).toMatch(/towns\[2\]\.kind/);
    expect(refusal((p) => (p.towns[0].centre = [116.6, 28.4]))).toMatch(/towns\[0\]\.centre.*outside the county bbox/);
    expect(refusal((p) => (p.bbox = [109, 39.2, 106.5, 40.9]))).toMatch(/bbox.*min must be below max/);
    expect(refusal((p) => (p.towns = []))).toMatch(/towns.*at least one town/);
    expect(refusal((p) => (p.prefecture = { name: '鄂尔多斯市' }))).toMatch(/prefecture\.code/);
  });

  it('a worker given a broken profile stops at start naming COUNTY_PROFILE', () => {
    const bad = join(tmp, 'county.json');
    writeFileSync(bad, JSON.stringify({ ...demo, bbox: [106.5, 39.2] }));
    const env = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081', COUNTY_PROFILE: tmp };
    expect(() => connectorSettings(env)).toThrow(/COUNTY_PROFILE: .*county\.json: bbox/);
    expect(() => connectorSettings({ ...env, COUNTY_PROFILE: join(tmp, 'missing') })).toThrow(/COUNTY_PROFILE: .*cannot read/);
  });

  it("the connectors' town gazetteer resolves another county's towns by the names its exports use", () => {
    const l = loadCountyProfile('counties/lakeside');
    const g = townGazetteer(l.towns.map((t) => [t.code, t.name]));
    expect(g.byName('石港')?.divisionCode).toBe('361199100000');
    expect(g.inAddress('湖滨县桥头镇沙埠村3组')?.code).toBe('361199101');
  });

  it("the hub takes the county's files from its profile folder unless a setting names others", () => {
    const dir = join(tmp, 'lakeside');
    cpSync('counties/lakeside', dir, { recursive: true });
    mkdirSync(join(dir, 'geo'));
    writeFileSync(join(dir, 'geo', 'divisions.json'), '{}');
    writeFileSync(join(dir, 'responsibility-rules.csv'), '');
    const base = { KAFKA_BROKERS: 'k:9092', SCHEMA_REGISTRY_URL: 'http://r:8080', DATABASE_URL: 'postgres://h@db/hub', COUNTY_PROFILE: dir };
    const s = hubSettings(base);
    expect(s.DIVISIONS_FILE).toBe(join(dir, 'geo', 'divisions.json'));
    expect(s.RULES_FILE).toBe(join(dir, 'responsibility-rules.csv'));
    expect(s.GAZETTEER_FILE).toBeUndefined(); // not there: the hub's own default
    expect(hubSettings({ ...base, DIVISIONS_FILE: '/elsewhere/divisions.json' }).DIVISIONS_FILE).toBe('/elsewhere/divisions.json');
    expect(() => hubSettings({ ...base, COUNTY_PROFILE: join(tmp, 'nowhere') })).toThrow(/COUNTY_PROFILE: .*cannot read/);
  });
});
