import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../../../core/errors.js';
import {
  DEFAULT_RULES_PATH,
  ResponsibilityRules,
  RulesStore,
  computeDeadlines,
  loadCalendar,
  loadCatalogue,
  type RulesEvent,
} from '../../../hub/routing/index.js';

const catalogue = loadCatalogue();
const calendar = loadCalendar();
const rules = ResponsibilityRules.load(DEFAULT_RULES_PATH, catalogue);
const ruleText = readFileSync(DEFAULT_RULES_PATH, 'utf8');

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function tempRuleFile(text = ruleText): string {
  const path = join(mkdtempSync(join(tmpdir(), 'countyhub-rules-')), 'responsibility-rules.csv');
  writeFileSync(path, text);
  return path;
}

const HEADER = 'category,lead,cooperating,level,first_response_min,on_site_min,close_working_days,basis';

describe('responsibility rules', () => {
  it('verification (核查) before closure is the county\'s data: verify_hours per rule, empty = not required', () => {
    expect(rules.resolveRoute('appearance.garbage')).toMatchObject({ verifyHours: 24, rule: { pattern: 'appearance.*' } });
    expect(rules.resolveRoute('street.stall').verifyHours).toBe(24);
    expect(rules.resolveRoute('env.cooking_fume').verifyHours).toBeNull();
    // a category row names its own: 机动车乱停放 does not inherit street.*'s verification
    expect(rules.resolveRoute('street.parking').verifyHours).toBeNull();
    const text = `category,lead,level,核查时限小时\n*,command,county,\nenv.*,environment,county,48\n`;
    expect(ResponsibilityRules.parse(text, catalogue).resolveRoute('env.air').verifyHours).toBe(48);
    expect(ResponsibilityRules.parse(text, catalogue).resolveRoute('other.uncategorized').verifyHours).toBeNull();
    const bad = configErrorOf(() => ResponsibilityRules.parse(`category,lead,level,verify_hours\n*,command,county,两天\n`, catalogue));
    expect(bad.message).toMatch(/verify_hours.*"两天" is not a whole number ≥ 1/);
    expect(() => ResponsibilityRules.parse(`category,lead,level,verify_hours\n*,command,county,0\n`, catalogue)).toThrow(ConfigError);
  });

  it('routes residential cooking fume to enforcement, with environment and market cooperating', () => {
    const route = rules.resolveRoute('env.cooking_fume');
    expect(route.lead).toBe('enforcement');
    expect(route.cooperating).toEqual(['environment', 'market']);
    expect(route.level).toBe('county');
    expect(route.sla).toEqual({ firstResponseMinutes: 30, onSiteMinutes: 60, closeWorkingDays: 5 });
    expect(route.rule.pattern).toBe('env.cooking_fume');
    // the grid worker's report, the 12345 ticket and the environment complaint all land on the same route
    for (const [dept, code] of [['grid', 'C01'], ['hotline', '07.01'], ['environment', 'DQ-03'], ['enforcement', '2001']] as const) {
      expect(rules.resolveRoute(catalogue.mapDepartmentCategory(dept, code)!).lead).toBe('enforcement');
    }
  });

  it('resolves every catalogue category to known departments', () => {
    for (const code of catalogue.categories.keys()) {
      const route = rules.resolveRoute(code);
      expect(catalogue.department(route.lead), code).toBeDefined();
      for (const c of route.cooperating) expect(catalogue.department(c), `${code} → ${c}`).toBeDefined();
      expect(route.sla.closeWorkingDays).toBeGreaterThan(0);
    }
  });

  it('prefers the category row over the family wildcard over the default', () => {
    expect(rules.resolveRoute('env.air').rule.pattern).toBe('env.*');
    expect(rules.resolveRoute('env.air').lead).toBe('environment');
    expect(rules.resolveRoute('other.uncategorized').lead).toBe('command');
    const small = ResponsibilityRules.parse(
      [HEADER, '*,command,,county,,,,', 'env.*,environment,,county,,,,', 'env.cooking_fume,enforcement,environment,county,,,,'].join('\n'),
      catalogue,
    );
    expect(small.resolveRoute('env.cooking_fume').lead).toBe('enforcement');
    expect(small.resolveRoute('env.water').lead).toBe('environment');
    expect(small.resolveRoute('market.consumer')).toMatchObject({ lead: 'command', rule: { pattern: '*', row: 2 } });
    expect(small.resolveRoute('market.consumer').sla).toEqual({ firstResponseMinutes: 30, onSiteMinutes: 60, closeWorkingDays: 5 });
  });

  it('routes town-level matters to the town government', () => {
    expect(rules.resolveRoute('dispute.property')).toMatchObject({ lead: 'town', level: 'town', cooperating: ['housing'] });
  });

  it('rejects an unknown category code in a route request', () => {
    expect(() => rules.resolveRoute('env.nope')).toThrow(ValidationError);
  });

  it('computes deadlines: wall-clock minutes, closure in working days', () => {
    const route = rules.resolveRoute('env.cooking_fume');
    const reportedAt = new Date('2026-02-13T10:00:00+08:00'); // Friday before Spring Festival
    const d = computeDeadlines(route, reportedAt, calendar);
    expect(d.firstResponseBy).toEqual(new Date('2026-02-13T10:30:00+08:00'));
    expect(d.onSiteBy).toEqual(new Date('2026-02-13T11:00:00+08:00'));
    // 2/14 (make-up Sat) 1, 2/24 2, 2/25 3, 2/26 4, 2/27 5
    expect(d.closeBy).toEqual(new Date('2026-02-27T10:00:00+08:00'));
    expect(d.provisional).toBe(false);
    expect(computeDeadlines(route, new Date('2027-03-01T09:00:00+08:00'), calendar).provisional).toBe(true);
  });

  it('rejects an unknown lead department, naming the row and the column', () => {
    const text = [HEADER, '*,command,,county,,,,', 'env.*,environment,,county,,,,', 'env.cooking_fume,城管大队X,environment,county,,,,'].join('\n');
    const err = configErrorOf(() => ResponsibilityRules.parse(text, catalogue, 'rules.csv'));
    expect(err.field).toBe('rules.csv[row 4].lead');
    expect(err.message).toContain('unknown department "城管大队X"');
  });

  it('names row and column for unknown categories, cooperating departments, levels and SLA cells', () => {
    const bad = (row: string) => configErrorOf(() => ResponsibilityRules.parse([HEADER, '*,command,,county,,,,', row].join('\n'), catalogue, 'r.csv'));
    expect(bad('env.cooking_fumes,enforcement,,county,,,,').field).toBe('r.csv[row 3].category');
    expect(bad('nope.*,enforcement,,county,,,,').field).toBe('r.csv[row 3].category');
    expect(bad('env.*,enforcement,environment;ghost,county,,,,').field).toBe('r.csv[row 3].cooperating');
    expect(bad('env.*,enforcement,,province,,,,').field).toBe('r.csv[row 3].level');
    expect(bad('env.*,town,,county,,,,').field).toBe('r.csv[row 3].level');
    expect(bad('env.*,enforcement,,county,半小时,,,').field).toBe('r.csv[row 3].first_response_min');
    expect(bad('env.*,enforcement,,county,,,0,').field).toBe('r.csv[row 3].close_working_days');
    expect(bad('*,enforcement,,county,,,,').message).toContain('already has a rule in row 2');
  });

  it('requires every category to resolve', () => {
    const err = configErrorOf(() => ResponsibilityRules.parse([HEADER, 'env.*,environment,,county,,,,'].join('\n'), catalogue));
    expect(err.message).toMatch(/no rule for \d+ categories/);
  });

  it('reads a GBK spreadsheet export with Chinese headers and department names', () => {
    const text = ['事项类别,牵头部门,协同部门,层级,首次响应分钟,到场分钟,办结工作日,依据', '*,指挥中心,,县级,,,,', 'env.cooking_fume,综合行政执法局,生态环境分局、市场监管局,县级,20,45,3,"慈溪""一件事""，油烟"'].join('\r\n');
    const path = tempRuleFile();
    writeFileSync(path, iconv.encode(text, 'gbk'));
    const r = ResponsibilityRules.load(path, catalogue).resolveRoute('env.cooking_fume');
    expect(r).toMatchObject({ lead: 'enforcement', cooperating: ['environment', 'market'], sla: { firstResponseMinutes: 20, onSiteMinutes: 45, closeWorkingDays: 3 } });
    expect(r.rule.basis).toBe('慈溪"一件事"，油烟');
  });
});

describe('RulesStore', () => {
  const stores: RulesStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  it('keeps the old rules when the new file is invalid, and says why', () => {
    const path = tempRuleFile();
    const store = new RulesStore({ catalogue, path });
    const events: RulesEvent[] = [];
    store.subscribe((e) => events.push(e));
    const before = store.rules;
    writeFileSync(path, ruleText.replace('env.cooking_fume,enforcement,', 'env.cooking_fume,nobody,'));
    const result = store.reload();
    expect(result.ok).toBe(false);
    expect(store.rules).toBe(before);
    expect(store.resolveRoute('env.cooking_fume').lead).toBe('enforcement');
    expect(store.lastError).toBeInstanceOf(ConfigError);
    expect((store.lastError as ConfigError).field).toMatch(/^responsibility-rules\.csv\[row \d+\]\.lead$/);
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('invalid');
  });

  it('picks up a change on reload, and ignores a reload of unchanged text', () => {
    const path = tempRuleFile();
    const store = new RulesStore({ catalogue, path });
    expect(store.reload()).toMatchObject({ ok: true, changed: false });
    writeFileSync(path, ruleText.replace('env.cooking_fume,enforcement,environment;market,county,30,60,5', 'env.cooking_fume,environment,enforcement;market,county,20,40,3'));
    const result = store.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(store.resolveRoute('env.cooking_fume')).toMatchObject({ lead: 'environment', sla: { firstResponseMinutes: 20, onSiteMinutes: 40, closeWorkingDays: 3 } });
    expect(store.lastError).toBeUndefined();
  });

  it('refuses to start on an invalid file (there is nothing to keep)', () => {
    const path = tempRuleFile('category,lead\n*,command\n');
    expect(() => new RulesStore({ catalogue, path })).toThrow(/no "level" column/);
  });

  it('watches the file and reloads after a change, also when the file is replaced by rename', async () => {
    const path = tempRuleFile();
    const store = new RulesStore({ catalogue, path, debounceMs: 50 });
    stores.push(store);
    store.watch();
    const next = () =>
      new Promise<RulesEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reload event within 5 s')), 5000);
        const off = store.subscribe((e) => {
          clearTimeout(timer);
          off();
          resolve(e);
        });
      });

    let event = next();
    writeFileSync(path, ruleText.replace('street.parking,enforcement,public_security,county,30,60,2', 'street.parking,public_security,enforcement,county,30,60,2'));
    expect((await event).type).toBe('reloaded');
    expect(store.resolveRoute('street.parking').lead).toBe('public_security');

    event = next();
    writeFileSync(`${path}.tmp`, ruleText.replace('street.parking,enforcement,public_security,county', 'street.parking,ghost,public_security,county'));
    renameSync(`${path}.tmp`, path);
    const invalid = await event;
    expect(invalid.type).toBe('invalid');
    expect(store.resolveRoute('street.parking').lead).toBe('public_security');

    event = next();
    writeFileSync(`${path}.tmp`, ruleText);
    renameSync(`${path}.tmp`, path);
    expect((await event).type).toBe('reloaded');
    expect(store.resolveRoute('street.parking').lead).toBe('enforcement');
  });
});
