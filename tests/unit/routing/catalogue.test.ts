import { mkdtempSync, cpSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { DEFAULT_CATALOGUE_DIR, loadCatalogue } from '../../../hub/routing/index.js';

const catalogue = loadCatalogue();

function copyCatalogue(): string {
  const dir = mkdtempSync(join(tmpdir(), 'countyhub-catalogue-'));
  cpSync(DEFAULT_CATALOGUE_DIR, dir, { recursive: true });
  return dir;
}

describe('county catalogue', () => {
  it('has the departments the county dispatches to, with Chinese names', () => {
    for (const id of ['hotline', 'grid', 'market', 'environment', 'enforcement', 'natural_resources', 'emergency', 'approval', 'housing', 'transport', 'agriculture', 'culture_tourism', 'civil_affairs', 'public_security', 'town']) {
      const d = catalogue.department(id);
      expect(d, id).toBeDefined();
      expect(d!.name).toMatch(/\p{Script=Han}/u);
    }
    expect(catalogue.department('town')!.kind).toBe('town');
    expect(catalogue.resolveDepartment('综合行政执法局')).toBe('enforcement');
    expect(catalogue.resolveDepartment('12345热线')).toBe('hotline');
  });

  it('has two levels: every category belongs to a known family and carries keywords', () => {
    expect(catalogue.categories.size).toBeGreaterThanOrEqual(40);
    expect(catalogue.categories.size).toBeLessThanOrEqual(65);
    for (const c of catalogue.categories.values()) {
      expect(catalogue.families.has(c.family)).toBe(true);
      expect(c.code.startsWith(`${c.family}.`)).toBe(true);
      if (c.family !== 'other') expect(c.keywords.length, c.code).toBeGreaterThan(0);
    }
    for (const cls of ['市容环境', '宣传广告', '施工管理', '街面秩序', '突发事件', '其他']) {
      expect([...catalogue.families.values()].some((f) => f.gbt30428 === `事件/${cls}` || f.gbt30428 === `事件/${cls}事件`), cls).toBe(true);
    }
  });

  it('maps each of the eight departments’ own codes onto county categories', () => {
    for (const d of ['hotline', 'grid', 'market', 'environment', 'enforcement', 'natural_resources', 'emergency', 'approval']) {
      expect(catalogue.mappings.get(d)?.entries.length, d).toBeGreaterThan(0);
    }
    expect(catalogue.mapDepartmentCategory('hotline', '05.01')).toBe('planning.illegal_building');
    expect(catalogue.mapDepartmentCategory('hotline', '城乡建设-违章建筑')).toBe('planning.illegal_building');
    expect(catalogue.mapDepartmentCategory('hotline', '城乡建设—违章建筑')).toBe('planning.illegal_building');
    expect(catalogue.mapDepartmentCategory('enforcement', '2001')).toBe('env.cooking_fume');
    expect(catalogue.mapDepartmentCategory('grid', 'C01')).toBe('env.cooking_fume');
    expect(catalogue.mapDepartmentCategory('environment', 'ｄｑ－03')).toBe('env.cooking_fume'); // full-width input
    expect(catalogue.mapDepartmentCategory('market', 'JB03')).toBe('market.unlicensed');
  });

  it('has a health family (卫生监督) that every 卫生监督 field maps into, and maps the other two newer departments\' codes', () => {
    expect(catalogue.categoriesOf('health').map((c) => c.code)).toEqual(['health.public_place', 'health.drinking_water', 'health.medical', 'health.school']);
    for (const [code, category] of [['GGCS', 'health.public_place'], ['YYS', 'health.drinking_water'], ['YLWS', 'health.medical'], ['XXWS', 'health.school']] as const) {
      expect(catalogue.mapDepartmentCategory('health', code), code).toBe(category);
    }
    // complaints about the same public places through 12345 and the grid land in the same category
    expect(catalogue.mapDepartmentCategory('hotline', '卫生健康-公共场所卫生')).toBe('health.public_place');
    expect(catalogue.mapDepartmentCategory('grid', 'F02')).toBe('health.public_place');
    expect(catalogue.mapDepartmentCategory('urban', '0203')).toBe('advert.signboard');
    expect(catalogue.mapDepartmentCategory('public_security', 'FJW06')).toBe('emergency.waterlogging');
    expect(catalogue.classifyText('洗浴中心毛巾不消毒，从业人员没有健康合格证明')?.category).toBe('health.public_place');
  });

  it('returns undefined for an unmapped code and throws for an unknown department', () => {
    expect(catalogue.mapDepartmentCategory('enforcement', '9999')).toBeUndefined();
    expect(catalogue.mapDepartmentCategory('housing', '0101')).toBeUndefined();
    expect(() => catalogue.mapDepartmentCategory('nope', '1')).toThrow(ConfigError);
  });

  it.each([
    ['小区楼下饭店油烟很大，熏得没法开窗', 'env.cooking_fume'],
    ['夜间施工噪音扰民，凌晨还在打桩', 'construction.noise'],
    ['楼下广场舞噪音太吵', 'env.noise_social'],
    ['有人在地里烧秸秆', 'env.open_burning'],
    ['村里有人占用耕地建房', 'land.rural_housing'],
    ['这家店没有营业执照', 'market.unlicensed'],
    ['电梯困人了', 'safety.special_equipment'],
    ['请问办理营业执照需要什么材料', 'service.consult'],
    ['河里有死鱼，工厂偷排污水', 'env.water'],
    ['楼道里电动车充电飞线', 'safety.fire'],
  ])('classifies “%s” as %s', (text, expected) => {
    const c = catalogue.classifyText(text);
    expect(c?.category).toBe(expected);
    expect(c!.score).toBeGreaterThan(0);
    expect(c!.confidence).toBeGreaterThan(0.5);
  });

  it('gives no category for text without a keyword', () => {
    expect(catalogue.classifyText('你好，谢谢')).toBeUndefined();
    expect(catalogue.classifyText('   ')).toBeUndefined();
  });

  it('rejects a mapping to an unknown county category, naming the file and entry', () => {
    const dir = copyCatalogue();
    const file = join(dir, 'category-mappings', 'grid.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.mappings[2].category = 'env.nonexistent';
    writeFileSync(file, JSON.stringify(data));
    const err = (() => {
      try {
        loadCatalogue(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toContain('grid.mappings[2].category');
    expect((err as ConfigError).message).toContain('env.nonexistent');
  });

  it('rejects a category whose family does not exist', () => {
    const dir = copyCatalogue();
    const file = join(dir, 'categories.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.categories.push({ code: 'ghost.x', name: '幽灵', family: 'ghost', keywords: [] });
    writeFileSync(file, JSON.stringify(data));
    expect(() => loadCatalogue(dir)).toThrow(/unknown family "ghost"/);
  });
});
