/**
 * How each department writes the same address and the same enterprise name. Styles are per channel:
 * a caller to 12345 says "老王烧烤 团结路18号附近", the registry says "锡尼镇老王烧烤店" and
 * "内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路18号".
 */
import { COUNTY } from '../shared/county.js';
import type { Channel } from './incidents.js';
import type { Rng } from './random.js';
import { chineseNumber, fullWidthBrackets, toFullWidth, typo } from './variants.js';
import type { Address, Place, Road, Subject, Village, World } from './world.js';

export type Writer = Channel | 'registry' | 'approval';

interface AddressStyle {
  province: number;
  county: number;
  town: number;
  village: number;
  fuzzy: number;
  fullWidth: number;
  traditionalHao: number;
  /** Leave the road out of a compound address ("阳光小区3号楼2单元"). */
  compoundOnly: number;
  crossing: number;
}

const STYLES: Record<Writer, AddressStyle> = {
  hotline: { province: 0, county: 0.05, town: 0.55, village: 0.15, fuzzy: 0.3, fullWidth: 0.08, traditionalHao: 0.03, compoundOnly: 0.5, crossing: 0.12 },
  grid: { province: 0, county: 0, town: 0.2, village: 0.5, fuzzy: 0.05, fullWidth: 0.03, traditionalHao: 0.01, compoundOnly: 0.3, crossing: 0.03 },
  environment: { province: 0.1, county: 0.6, town: 0.85, village: 0.2, fuzzy: 0.15, fullWidth: 0.05, traditionalHao: 0.02, compoundOnly: 0.2, crossing: 0.05 },
  enforcement: { province: 0, county: 0.2, town: 0.9, village: 0.4, fuzzy: 0.02, fullWidth: 0.02, traditionalHao: 0.01, compoundOnly: 0.1, crossing: 0.02 },
  natural_resources: { province: 0, county: 0, town: 0.3, village: 1, fuzzy: 0.6, fullWidth: 0, traditionalHao: 0, compoundOnly: 0, crossing: 0 },
  emergency: { province: 0.05, county: 0.3, town: 0.8, village: 0.4, fuzzy: 0, fullWidth: 0.04, traditionalHao: 0.02, compoundOnly: 0.1, crossing: 0 },
  urban_management: { province: 0, county: 0, town: 0.5, village: 0.4, fuzzy: 0.35, fullWidth: 0.01, traditionalHao: 0, compoundOnly: 0.2, crossing: 0.1 },
  police_110: { province: 0, county: 0.1, town: 0.7, village: 0.3, fuzzy: 0.25, fullWidth: 0.02, traditionalHao: 0.01, compoundOnly: 0.4, crossing: 0.1 },
  health_inspection: { province: 0, county: 0.3, town: 1, village: 0.5, fuzzy: 0, fullWidth: 0.01, traditionalHao: 0, compoundOnly: 0, crossing: 0 },
  registry: { province: 1, county: 1, town: 1, village: 0, fuzzy: 0, fullWidth: 0, traditionalHao: 0, compoundOnly: 0, crossing: 0 },
  approval: { province: 0, county: 0.5, town: 1, village: 0.3, fuzzy: 0, fullWidth: 0.02, traditionalHao: 0, compoundOnly: 0, crossing: 0 },
};

const FUZZY = ['附近', '对面', '旁边', '门口', '西侧', '东侧', '往北50米', '路口'];

export function writeAddress(rng: Rng, w: World, a: Address, writer: Writer): string {
  const s = STYLES[writer];
  const v = findVillage(w, a);
  let head = '';
  if (rng.chance(s.province)) head += `${w.county.province}${w.county.prefecture}`;
  if (head || rng.chance(s.county)) head += w.county.name;
  if (head || rng.chance(s.town)) head += a.town;
  let body: string;
  if (a.roadKind === 'group') {
    const groupNo = Number.parseInt(a.road, 10);
    const groupWord = a.road.replace(/^\d+/, '');
    const group = rng.chance(0.3) ? `${chineseNumber(groupNo)}${groupWord}` : a.road;
    body = `${a.village}${group}${a.doorNo}号`;
  } else {
    const withVillage = rng.chance(s.village) ? a.village : '';
    if (a.compound) {
      const unitStyle = rng.weighted<string>([
        [`${a.building}号楼${a.unit}单元${a.room}室`, 5],
        [`${a.building}栋${a.unit}单元${a.room}`, 3],
        [`${a.building}幢${a.unit}单元${a.room}室`, 1],
        [`${a.building}-${a.unit}-${a.room}`, 2],
        [`${a.building}号楼${a.unit}单元`, 2],
      ]);
      body = rng.chance(s.compoundOnly) ? `${withVillage}${a.compound}${unitStyle}` : `${withVillage}${a.road}${a.doorNo}号${a.compound}${unitStyle}`;
    } else if (v && rng.chance(s.crossing) && v.roads.length > 1) {
      const other = v.roads.find((r) => r.name !== a.road && r.kind === 'road');
      body = other ? `${withVillage}${a.road}与${other.name}交叉口` : `${withVillage}${a.road}${a.doorNo}号`;
    } else {
      body = `${withVillage}${a.road}${a.doorNo}号`;
    }
  }
  let text = head + body;
  if (rng.chance(s.fuzzy)) text += rng.pick(FUZZY);
  if (rng.chance(s.traditionalHao)) text = text.replace(/号/g, '號');
  if (rng.chance(s.fullWidth)) text = toFullWidth(text);
  return text;
}

function findVillage(w: World, a: Address): Village | undefined {
  for (const code of w.townByCode.values()) {
    if (code.name !== a.town) continue;
    for (const vc of code.villageCodes) {
      const v = w.villageByCode.get(vc);
      if (v && v.name === a.village) return v;
    }
  }
  return undefined;
}

/** Registered address, exactly as the registry keeps it. */
export function registeredAddress(w: World, a: Address): string {
  const head = `${w.county.province}${w.county.prefecture}${w.county.name}${a.town}`;
  if (a.roadKind === 'group') return `${head}${a.village}${a.road}${a.doorNo}号`;
  return `${head}${a.road}${a.doorNo}号${a.compound ? `${a.compound}${a.building}号楼${a.unit}单元${a.room}室` : ''}`;
}

interface NameStyle {
  official: number;
  short: number;
  sign: number;
  former: number;
  county: number;
  wrongForm: number;
  typo: number;
  bracketsFullWidth: number;
}

const NAME_STYLES: Record<Writer, NameStyle> = {
  hotline: { official: 0.06, short: 0.5, sign: 0.35, former: 0.03, county: 0, wrongForm: 0.06, typo: 0.25, bracketsFullWidth: 0.5 },
  grid: { official: 0.3, short: 0.35, sign: 0.3, former: 0.02, county: 0, wrongForm: 0.03, typo: 0.06, bracketsFullWidth: 0.3 },
  environment: { official: 0.15, short: 0.45, sign: 0.3, former: 0.03, county: 0, wrongForm: 0.07, typo: 0.12, bracketsFullWidth: 0.4 },
  enforcement: { official: 0.6, short: 0.12, sign: 0.15, former: 0.05, county: 0.05, wrongForm: 0.03, typo: 0.03, bracketsFullWidth: 0.6 },
  natural_resources: { official: 0.8, short: 0.15, sign: 0, former: 0.02, county: 0, wrongForm: 0.03, typo: 0.05, bracketsFullWidth: 0 },
  emergency: { official: 0.78, short: 0.08, sign: 0.05, former: 0.05, county: 0.02, wrongForm: 0.02, typo: 0.03, bracketsFullWidth: 0.5 },
  urban_management: { official: 0.1, short: 0.4, sign: 0.45, former: 0.02, county: 0, wrongForm: 0.03, typo: 0.08, bracketsFullWidth: 0.4 },
  police_110: { official: 0.05, short: 0.5, sign: 0.35, former: 0.03, county: 0, wrongForm: 0.05, typo: 0.2, bracketsFullWidth: 0.5 },
  health_inspection: { official: 0.85, short: 0.05, sign: 0.04, former: 0.03, county: 0.02, wrongForm: 0.02, typo: 0.02, bracketsFullWidth: 0.5 },
  registry: { official: 1, short: 0, sign: 0, former: 0, county: 0, wrongForm: 0, typo: 0, bracketsFullWidth: 0 },
  approval: { official: 1, short: 0, sign: 0, former: 0, county: 0, wrongForm: 0, typo: 0, bracketsFullWidth: 0 },
};

/** The enterprise/shop as this writer names it. */
export function writeSubjectName(rng: Rng, s: Subject, writer: Writer): string {
  const st = NAME_STYLES[writer];
  const choices: Array<[string, number]> = [[s.name, st.official], [s.shortName, st.short]];
  if (s.signName) choices.push([s.signName, st.sign]);
  else choices[1] = [s.shortName, st.short + st.sign];
  if (s.formerNames.length) choices.push([rng.pick(s.formerNames), st.former]);
  if (s.kind === 'individual_business') {
    choices.push([s.name.replace(/^.+?(街道|苏木|镇|乡)/, ''), st.wrongForm + 0.02]);
    choices.push([`${COUNTY.name}${s.name}`, st.county]);
  }
  if (s.kind === 'enterprise' && s.legalForm) {
    const wrong = s.legalForm === '有限公司' ? '有限责任公司' : '有限公司';
    choices.push([s.name.replace(new RegExp(`${s.legalForm}$`), wrong), st.wrongForm]);
    choices.push([s.name.replace(new RegExp(`^(${COUNTY.name}|${COUNTY.prefecture.name}|${COUNTY.province.shortName})`), ''), st.county + 0.02]);
    choices.push([`${s.tradeName}${s.industryWord}公司`, st.short * 0.3]);
  }
  let name = rng.weighted(choices.filter(([, wgt]) => wgt > 0));
  if (rng.chance(st.typo)) name = typo(rng, name);
  if (name.includes('(') && rng.chance(st.bracketsFullWidth)) name = fullWidthBrackets(name);
  if (/[A-Z]/.test(name) && rng.chance(0.15)) name = toFullWidth(name);
  return name;
}

/** A description of the place when the writer does not name it (一家烧烤店, 一处工地). */
export function genericPlace(p: Place | null): string {
  if (!p) return '';
  switch (p.kind) {
    case 'restaurant':
    case 'shop':
    case 'entertainment':
      return `一家${p.industry?.full ?? '店铺'}`;
    case 'market':
      return '农贸市场';
    case 'factory':
      return `一家${p.industry?.core ?? ''}厂`.replace('厂厂', '厂');
    case 'worksite':
      return '一处工地';
    case 'gas_station':
      return '加油站';
    case 'farmland':
      return '一块耕地';
    case 'residence':
      return '一户居民';
  }
}

/** The place itself, for texts about places without a subject (a flat, a plot). */
export function placeLabel(rng: Rng, p: Place, road: Road): string {
  if (p.kind === 'farmland') {
    return rng.chance(0.6) ? p.name : `${p.address.village}${road.name}${rng.pick(['东侧', '西侧', '南侧', '北侧'])}耕地`;
  }
  if (p.kind === 'residence' && p.address.compound) return `${p.address.compound}${p.address.building}号楼`;
  return p.name;
}
