/** Approval applications (办件) and the market registry rows: the subject-side records of the county. */
import { COUNTY } from '../shared/county.js';
import { makeUscc } from './ids.js';
import type { ApprovalApplication } from './native/approval.js';
import type { MarketEntityRow } from './native/market.js';
import { fmt, fmtDate, timeline, type Emission } from './channels.js';
import { RESTAURANT_INDUSTRIES, SHOP_INDUSTRIES, TRADE_NAMES } from './names.js';
import type { Rng } from './random.js';
import { phoneVariant, residentIdVariant } from './variants.js';
import { writeAddress } from './wording.js';
import type { Address, PlaceKind, Subject, World } from './world.js';

interface Item {
  code: string;
  name: string;
  /** Working days promised. */
  days: number;
  /** Done on the spot (即办件). */
  immediate?: boolean;
  for: (s: Subject, w: World) => boolean;
  licence?: string;
}

const placeKinds = (s: Subject, w: World): PlaceKind[] => s.placeIds.map((id) => w.placeById.get(id)?.kind).filter((k): k is PlaceKind => !!k);

const ITEMS: Item[] = [
  { code: `${COUNTY.code}-SC-0101`, name: '食品经营许可', days: 10, licence: `JY1${COUNTY.code}`, for: (s, w) => placeKinds(s, w).includes('restaurant') || /超市|便利店|粮油|水果/.test(s.name) },
  { code: `${COUNTY.code}-SC-0201`, name: '个体工商户变更登记', days: 1, immediate: true, for: (s) => s.kind === 'individual_business' },
  { code: `${COUNTY.code}-SC-0202`, name: '企业变更登记', days: 3, for: (s) => s.kind === 'enterprise' },
  { code: `${COUNTY.code}-SC-0203`, name: '企业注销登记', days: 3, for: (s) => s.kind === 'enterprise' },
  { code: `${COUNTY.code}-HB-0101`, name: '排污许可证核发', days: 20, licence: `91${COUNTY.code.slice(0, 4)}`, for: (s, w) => placeKinds(s, w).includes('factory') },
  { code: `${COUNTY.code}-ZJ-0101`, name: '建设工程规划许可证核发', days: 20, licence: `建字第${COUNTY.code}`, for: (s) => /建筑|建设|市政/.test(s.industryWord) },
  { code: `${COUNTY.code}-ZJ-0201`, name: '户外广告设施设置审批', days: 10, for: (s, w) => placeKinds(s, w).some((k) => k === 'restaurant' || k === 'shop' || k === 'entertainment') },
  { code: `${COUNTY.code}-XF-0101`, name: '公众聚集场所投入使用、营业前消防安全检查', days: 10, for: (s, w) => placeKinds(s, w).some((k) => k === 'entertainment' || k === 'market') },
  { code: `${COUNTY.code}-ZJ-0301`, name: '城镇污水排入排水管网许可', days: 15, for: (s, w) => placeKinds(s, w).some((k) => k === 'restaurant' || k === 'factory') },
  { code: `${COUNTY.code}-YJ-0101`, name: '危险化学品经营许可', days: 20, for: (s, w) => placeKinds(s, w).includes('gas_station') },
  { code: `${COUNTY.code}-JT-0101`, name: '道路运输经营许可', days: 20, for: (s) => /运输|物流/.test(s.industryWord) },
  { code: `${COUNTY.code}-YP-0101`, name: '药品零售企业许可', days: 15, for: (s) => s.name.includes('药') },
  { code: `${COUNTY.code}-NM-0101`, name: '农民专业合作社变更登记', days: 3, for: (s) => s.kind === 'cooperative' },
];

const NEW_INDIVIDUAL: Item = { code: `${COUNTY.code}-SC-0001`, name: '个体工商户设立登记', days: 1, immediate: true, for: () => true };
const NEW_ENTERPRISE: Item = { code: `${COUNTY.code}-SC-0002`, name: '企业设立登记', days: 3, for: () => true };

const MIN = 60_000;

/**
 * One application. Existing subjects apply for licences and changes; about a quarter of applications
 * register a new individual business or enterprise, which joins the world (and the registry once
 * granted).
 */
export function buildApproval(rng: Rng, w: World, at: number, end: number, registered: Subject[]): Emission {
  const handler = rng.pick(w.residents);
  let subject: Subject;
  let item: Item;
  let isNew = false;
  if (rng.chance(0.25)) {
    isNew = true;
    item = rng.chance(0.7) ? NEW_INDIVIDUAL : NEW_ENTERPRISE;
    subject = newSubject(rng, w, item === NEW_INDIVIDUAL, handler.id);
  } else {
    for (;;) {
      subject = rng.pick(registered);
      const eligible = ITEMS.filter((i) => i.for(subject, w));
      if (eligible.length) {
        item = rng.pick(eligible);
        break;
      }
    }
  }
  const steps: Array<[ApprovalApplication['办件状态'], number, number]> = item.immediate
    ? [
        ['已受理', 2, 20],
        ['办理', 5, 60],
        ['办结', 5, 60],
      ]
    : rng.chance(0.03)
      ? [['不受理', 10, 240]]
      : rng.chance(0.08)
        ? [
            ['已受理', 10, 120],
            ['补正', 60, 1440],
          ]
        : [
            ['已受理', 10, 120],
            ['办理', 60, 1440],
            ['办结', 1440, item.days * 1440],
          ];
  const tl = timeline(rng, at, '已接件' as ApprovalApplication['办件状态'], steps, end);
  const [status, updated] = tl[tl.length - 1] as [ApprovalApplication['办件状态'], number];
  const accepted = tl.find(([s]) => s === '已受理');
  const done = status === '办结' ? updated : null;
  const rep = w.residentById.get(subject.repResidentId);
  const person = isNew && subject.kind === 'individual_business';
  if (isNew && done !== null) {
    subject.uscc = makeUscc(rng, subject.kind === 'individual_business' ? '92' : '91', w.county.code, w.usedUscc);
    subject.established = fmtDate(done);
    subject.approved = subject.established;
    subject.status = '存续（在营、开业、在册）';
  }
  const address = subjectAddress(w, subject);
  const result: ApprovalApplication['办理结果'] = done === null ? null : isNew ? '准予登记' : '准予许可';
  const app: ApprovalApplication = {
    办件编号: '',
    事项编码: item.code,
    事项名称: item.name,
    申请人类型: person ? '自然人' : '法人',
    申请人名称: person ? (rep?.name ?? handler.name) : subject.name,
    申请人证件类型: person ? '居民身份证' : '统一社会信用代码',
    申请人证件号码: person ? (rep ? residentIdVariant(rng, rep.idNumber) : null) : isNew ? null : subject.uscc,
    拟设立主体名称: isNew ? subject.name : null,
    核发统一社会信用代码: isNew && done !== null ? subject.uscc : null,
    经办人: handler.name,
    经办人身份证号: residentIdVariant(rng, handler.idNumber),
    联系电话: phoneVariant(rng, handler.mobile),
    项目地址: address ? writeAddress(rng, w, address, 'approval') : subject.address,
    所属乡镇: w.townByCode.get(subject.townCode)?.name ?? '',
    申请时间: fmt(at),
    受理时间: accepted ? fmt(accepted[1]) : null,
    办件状态: status,
    承诺时限: item.days,
    办结时间: done === null ? null : fmt(done),
    办理结果: result,
    许可证号: done !== null && item.licence ? `${item.licence}${rng.digits(8)}` : null,
    更新时间: fmt(updated),
  };
  return { department: 'approval', createdAt: at, record: app as unknown as Record<string, unknown>, subjectId: subject.id, incident: null };
}

function subjectAddress(w: World, s: Subject): Address | null {
  const p = s.placeIds.length ? w.placeById.get(s.placeIds[0] as string) : undefined;
  return p?.address ?? null;
}

function newSubject(rng: Rng, w: World, individual: boolean, repId: string): Subject {
  const v = rng.pick(w.villages);
  const town = w.townByCode.get(v.townCode);
  const road = rng.pick(v.roads);
  const doorNo = rng.int(1, road.maxNo);
  const rep = w.residentById.get(repId);
  const trade = individual && rep && rng.chance(0.5) ? `老${Array.from(rep.name)[0]}` : rng.pick(TRADE_NAMES);
  const industry = rng.pick([...RESTAURANT_INDUSTRIES, ...SHOP_INDUSTRIES]);
  const base = individual ? `${town?.name ?? ''}${trade}${industry.full}` : `${w.county.name}${trade}${industry.enterprise}有限公司`;
  let name = base;
  const taken = w.usedNames;
  for (let k = 2; taken.has(name); k++) name = `${base.replace(/有限公司$/, '')}${individual ? `(${k}店)` : `${k}号有限公司`}`;
  taken.add(name);
  const id = `SUB${String(w.subjects.length + 1).padStart(6, '0')}`;
  const subject: Subject = {
    id,
    kind: individual ? 'individual_business' : 'enterprise',
    uscc: null,
    pripid: `${w.county.code}${rng.hex(20).toUpperCase()}`,
    name,
    formerNames: [],
    tradeName: trade,
    industryWord: individual ? industry.core : industry.enterprise,
    shortName: `${trade}${individual ? industry.core : industry.enterprise}`,
    signName: null,
    legalForm: individual ? '' : '有限公司',
    marketType: individual ? '个体工商户' : '有限责任公司(自然人独资)',
    repResidentId: repId,
    address: `${w.county.province}${w.county.prefecture}${w.county.name}${v.townName}${road.kind === 'group' ? v.name : ''}${road.name}${doorNo}号`,
    townCode: v.townCode,
    villageCode: v.code,
    placeIds: [],
    established: '',
    approved: '',
    status: '设立中',
    capital: individual ? rng.int(1, 30) : rng.pick([10, 50, 100]),
    scope: industry.scope,
    phone: rep?.mobile ?? '',
  };
  w.subjects.push(subject);
  w.subjectById.set(subject.id, subject);
  return subject;
}

/** The registry row of a registered subject (null for unregistered ones and registrations in progress). */
export function registryRow(rng: Rng, w: World, s: Subject): MarketEntityRow | null {
  if (s.kind === 'unregistered' || !s.uscc || !s.pripid || !s.established) return null;
  const rep = w.residentById.get(s.repResidentId);
  const changed = Date.parse(`${s.approved}T00:00:00+08:00`) + rng.int(8 * 60, 18 * 60) * MIN + rng.int(0, 59) * 1000;
  return {
    主体身份代码: s.pripid,
    统一社会信用代码: s.uscc,
    主体名称: s.name,
    曾用名: s.formerNames.join('；'),
    主体类型: s.marketType,
    法定代表人: rep?.name ?? '',
    法定代表人证件号码: rep?.idNumber ?? '',
    住所: s.address,
    行政区划代码: s.uscc.slice(2, 8) === '150000' || s.uscc.slice(2, 8) === '150600' ? w.county.code : s.uscc.slice(2, 8),
    注册资本: s.capital.toFixed(6),
    成立日期: s.established,
    核准日期: s.approved,
    登记状态: (s.status as MarketEntityRow['登记状态']) ?? '存续（在营、开业、在册）',
    登记机关: `${w.county.name}市场监督管理局`,
    经营范围: s.scope,
    联系电话: s.phone,
    更新时间: fmt(changed),
  };
}
