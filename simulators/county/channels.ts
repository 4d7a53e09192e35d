/**
 * One incident, seen by one department: builds the native record that department's platform would
 * hold for it, with that department's wording, coordinate system, timing and status.
 */
import { transformFromWgs84 } from '../../core/normalise/coords.js';
import { shanghaiDateTime } from '../shared/county.js';
import type { GridEvent, GridStatusCode } from '../grid/types.js';
import { GRID_STATUSES } from '../grid/types.js';
import { offsetMetres, round, type Point } from './geo.js';
import { HANDLING_UNIT, type Channel, type IncidentType } from './incidents.js';
import type { WorkOrder } from './native/hotline.js';
import type { EnforcementCase } from './native/enforcement.js';
import type { EnvironmentComplaint } from '../../connectors/adapters/environment/native.js';
import type { HazardXlsxRow } from './native/emergency.js';
import type { PatrolCsvRow } from './native/natural_resources.js';
import type { UrbanCaseRecord } from './native/urban_management.js';
import type { HandoverRecord } from './native/police_110.js';
import type { Inspection } from './native/health_inspection.js';
import type { Rng } from './random.js';
import { phoneVariant, residentIdVariant, usccVariant } from './variants.js';
import { genericPlace, placeLabel, writeAddress, writeSubjectName } from './wording.js';
import type { Address, Place, Resident, Road, Subject, Village, World } from './world.js';

export type DepartmentId = 'hotline' | 'grid' | 'market' | 'environment' | 'enforcement' | 'natural_resources' | 'emergency' | 'approval' | 'urban_management' | 'police_110' | 'health_inspection';

/** Something that happened at one place and time: the unit of truth for matters. */
export interface Incident {
  id: string;
  type: IncidentType;
  at: number;
  location: Point;
  village: Village;
  gridCode: string;
  place: Place | null;
  road: Road;
  doorNo: number;
  address: Address;
  subject: Subject | null;
  decoyOf: string | null;
  urgent: boolean;
  areaMu: number;
}

/** A native record produced by the generator, before its id is assigned. */
export interface Emission {
  department: DepartmentId;
  createdAt: number;
  record: Record<string, unknown>;
  /** The subject the record names (by name or code), if any. */
  subjectId: string | null;
  incident: Incident | null;
  /** Assigned after the day's records are sorted by time. */
  id?: string;
  /** Numbers a platform hands out in order (立案号, 处罚决定书文号, 序号), filled with the id. */
  numbering?: Array<'filing' | 'decision' | 'simple-decision' | 'ledger-row'>;
}

export interface ChannelContext {
  w: World;
  rng: Rng;
  /** Period end (exclusive), epoch ms: nothing is recorded at or after it. */
  end: number;
  /** Channels the incident reached, for 案件来源 and 线索来源. */
  channels: Channel[];
}

const MIN = 60_000;
const DAY = 86_400_000;

export const fmt = (ms: number): string => shanghaiDateTime(ms);
export const fmtDate = (ms: number): string => shanghaiDateTime(ms).slice(0, 10);
const fmtMinute = (ms: number): string => shanghaiDateTime(ms).slice(0, 16);
/** Excel's way: 2026/3/5 and 2026/3/5 9:07 */
const excelDate = (ms: number): string => {
  const s = shanghaiDateTime(ms);
  return `${s.slice(0, 4)}/${Number(s.slice(5, 7))}/${Number(s.slice(8, 10))}`;
};
const excelDateTime = (ms: number): string => {
  const s = shanghaiDateTime(ms);
  return `${excelDate(ms)} ${Number(s.slice(11, 13))}:${s.slice(14, 16)}`;
};

/** Statuses reached from t0 through steps of [status, min minutes, max minutes], stopping at `end`. */
export function timeline<S extends string>(rng: Rng, t0: number, first: S, steps: Array<[S, number, number]>, end: number): Array<[S, number]> {
  const out: Array<[S, number]> = [[first, t0]];
  let t = t0;
  for (const [s, a, b] of steps) {
    t += Math.round(rng.float(a, b) * MIN / 1000) * 1000;
    if (t >= end) break;
    out.push([s, t]);
  }
  return out;
}

const last = <T>(xs: T[]): T => xs[xs.length - 1] as T;

function fill(template: string, parts: { subj: string; addr: string; road: string; what: string; area: string }): string {
  return template
    .replace(/\{subj\}/g, parts.subj)
    .replace(/\{addr\}/g, parts.addr)
    .replace(/\{road\}/g, parts.road)
    .replace(/\{what\}/g, parts.what)
    .replace(/\{area\}/g, parts.area);
}

function personName(w: World, rng: Rng): string {
  return rng.pick(w.residents).name;
}

function officers(w: World, rng: Rng): string {
  return `${personName(w, rng)}、${personName(w, rng)}`;
}

/** A resident who calls: often a neighbour (same village), otherwise anyone. */
function caller(ctx: ChannelContext, inc: Incident): Resident {
  const { w, rng } = ctx;
  if (rng.chance(0.4)) {
    for (let i = 0; i < 8; i++) {
      const r = rng.pick(w.residents);
      if (r.villageCode === inc.village.code) return r;
    }
  }
  return rng.pick(w.residents);
}

/**
 * How a channel refers to the place: by the subject's name (then the record names the subject), by the
 * place's own label (a plot, a flat), or generically.
 */
function subjectText(ctx: ChannelContext, inc: Incident, channel: Channel, nameIt: boolean): { text: string; subjectId: string | null } {
  const { rng } = ctx;
  // callers name a building site by its project, not by the contractor
  const siteByProject = inc.place?.kind === 'worksite' && (channel === 'hotline' || channel === 'grid' || channel === 'police_110');
  if (inc.subject && inc.place && nameIt && inc.place.kind !== 'farmland' && !siteByProject) {
    return { text: writeSubjectName(rng, inc.subject, channel), subjectId: inc.subject.id };
  }
  if (inc.place) {
    if (inc.place.kind === 'farmland' || inc.place.kind === 'residence' || inc.place.kind === 'worksite') return { text: placeLabel(rng, inc.place, inc.road), subjectId: null };
    return { text: genericPlace(inc.place).replace(/^一家/, '这家'), subjectId: null };
  }
  return { text: `${inc.road.name}路边`, subjectId: null };
}

function noisyPoint(rng: Rng, p: Point, sigmaMetres: number): Point {
  return offsetMetres(p, rng.normal() * sigmaMetres, rng.normal() * sigmaMetres);
}

function family(type: IncidentType): string {
  return type.category.split('.')[0] as string;
}

// ---------------------------------------------------------------------------------------------

export function buildHotline(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.hotline;
  if (!spec) throw new Error(`${inc.type.key} has no hotline wording`);
  const c = caller(ctx, inc);
  const tpl = rng.pick(spec.texts);
  const named = tpl.includes('{subj}');
  const subj = subjectText(ctx, inc, 'hotline', named);
  const addr = writeAddress(rng, w, inc.address, 'hotline');
  const text = fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: genericPlace(inc.place) || '有人', area: String(inc.areaMu) });
  const tl = timeline(rng, at, '受理' as WorkOrder['gdzt'], [['派单', 3, 60], ['办理', 20, 600], ['回访', 600, 4320], ['办结', 30, 1440]], ctx.end);
  const [status, updated] = last(tl);
  const dispatched = tl.length >= 2;
  const o: WorkOrder = {
    gdbh: '',
    sqbt: rng.pick(spec.titles),
    sqnr: text,
    flmc: spec.flmc,
    jjcd: inc.urgent ? (rng.chance(0.1) ? '特急' : '紧急') : '一般',
    gdzt: status,
    ldrxm: c.name,
    ldrdh: phoneVariant(rng, c.mobile),
    xzqhdm: rng.chance(0.12) ? `${inc.village.townCode}000` : inc.village.code,
    sjdz: addr,
    cbdw: dispatched ? (HANDLING_UNIT[family(inc.type)] ?? `${w.county.name}社会治理综合指挥中心`) : null,
    slsj: fmt(at),
    gxsj: fmt(updated),
    blsx: dispatched ? fmt(at + (inc.urgent ? 1 : 5) * DAY) : null,
    bmbz: rng.chance(0.04) ? '1' : '0',
  };
  return { department: 'hotline', createdAt: at, record: o as unknown as Record<string, unknown>, subjectId: named ? subj.subjectId : null, incident: inc };
}

const PHOTO_HOST = 'http://10.150.25.10:8090/upload/event';

export function gridEventStatus(rng: Rng, at: number, end: number): Array<[GridStatusCode, number]> {
  if (rng.chance(0.04)) return timeline<string>(rng, at, '1', [['6', 10, 240]], end).map(([s, t]) => [Number(s) as GridStatusCode, t]);
  return timeline<string>(rng, at, '1', [['2', 5, 60], ['3', 30, 300], ['4', 60, 1440], ['5', 60, 2880]], end).map(([s, t]) => [Number(s) as GridStatusCode, t]);
}

/** A grid worker's report of an incident. */
export function buildGrid(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.grid;
  if (!spec) throw new Error(`${inc.type.key} has no grid wording`);
  let grid = w.gridByCode.get(inc.gridCode);
  if (!grid) throw new Error(`no grid ${inc.gridCode}`);
  if (rng.chance(0.02) && inc.village.gridCodes.length > 1) {
    // a worker of the neighbouring grid passes by and files it under their own grid
    grid = w.gridByCode.get(rng.pick(inc.village.gridCodes.filter((g) => g !== inc.gridCode))) ?? grid;
  }
  const worker = w.workerById.get(rng.pick(grid.workerIds));
  if (!worker) throw new Error(`grid ${grid.code} has no worker`);
  const withSubject = inc.subject !== null && inc.place !== null && inc.place.kind !== 'farmland' && rng.chance(0.6);
  const subjectName = withSubject && inc.subject ? writeSubjectName(rng, inc.subject, 'grid') : null;
  const subjectCreditCode = withSubject && inc.subject?.uscc && rng.chance(0.3) ? usccVariant(rng, inc.subject.uscc) : null;
  const tpl = rng.pick(spec.texts);
  const subj = subjectName ? { text: subjectName, subjectId: inc.subject?.id ?? null } : subjectText(ctx, inc, 'grid', tpl.includes('{subj}'));
  const addr = writeAddress(rng, w, inc.address, 'grid');
  const content = fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: genericPlace(inc.place) || '', area: String(inc.areaMu) });
  let lng: number | null = null;
  let lat: number | null = null;
  if (!rng.chance(0.03)) {
    const p = noisyPoint(rng, inc.location, 12);
    const [x, y] = transformFromWgs84(p[0], p[1], 'GCJ02');
    [lng, lat] = worker.swapsLatLng ? [round(y, 6), round(x, 6)] : [round(x, 6), round(y, 6)];
  }
  const tl = gridEventStatus(rng, at, ctx.end);
  const [status, updated] = last(tl);
  const date = fmtDate(at).replace(/-/g, '');
  const photos = Array.from({ length: rng.int(status === 5 ? 2 : 1, status === 5 ? 4 : 3) }, () => `${PHOTO_HOST}/${date}/${rng.hex(32)}.jpg`);
  const e: GridEvent = {
    eventId: '',
    title: rng.pick(spec.titles),
    content,
    eventTypeCode: spec.code,
    eventTypeName: spec.name,
    gridCode: grid.code,
    gridName: grid.name,
    divisionCode: grid.villageCode,
    townName: inc.village.townName,
    address: addr,
    lng,
    lat,
    coordSys: 'GCJ02',
    subjectName,
    subjectCreditCode,
    reporterId: worker.id,
    reporterName: worker.name,
    reporterPhone: worker.mobile,
    deviceId: worker.deviceId,
    source: rng.weighted<GridEvent['source']>([
      ['网格员巡查', 6],
      ['网格员上报', 3],
      ['群众反映', 2],
    ]),
    level: inc.urgent ? '紧急' : '一般',
    happenTime: fmt(Math.max(inc.at, at - Math.round(rng.float(0, 20)) * MIN)),
    reportTime: fmt(at),
    status,
    statusName: GRID_STATUSES[status],
    handleDept: status >= 2 && status !== 6 ? (HANDLING_UNIT[family(inc.type)] ?? `${w.county.name}社会治理综合指挥中心`) : null,
    deadline: status >= 2 && status !== 6 ? fmt(at + 3 * DAY) : null,
    photos,
    updateTime: fmt(updated),
    version: tl.length,
  };
  return { department: 'grid', createdAt: at, record: e as unknown as Record<string, unknown>, subjectId: subj.subjectId, incident: inc };
}

export function buildEnvironment(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.environment;
  if (!spec) throw new Error(`${inc.type.key} has no environment wording`);
  const anonymous = rng.chance(0.3);
  const c = caller(ctx, inc);
  const hasTarget = inc.subject !== null && inc.place !== null && inc.place.kind !== 'farmland' && rng.chance(0.85);
  const target = hasTarget && inc.subject ? writeSubjectName(rng, inc.subject, 'environment') : null;
  const tpl = rng.pick(spec.texts);
  const subj = target ? { text: target, subjectId: inc.subject?.id ?? null } : subjectText(ctx, inc, 'environment', tpl.includes('{subj}'));
  const addr = writeAddress(rng, w, inc.address, 'environment');
  let lng: number | null = null;
  let lat: number | null = null;
  if (rng.chance(0.7)) {
    const p = noisyPoint(rng, inc.location, 60);
    const [x, y] = transformFromWgs84(p[0], p[1], 'BD09');
    lng = round(x, 6);
    lat = round(y, 6);
  }
  const rejected = rng.chance(0.05);
  const steps: Array<[EnvironmentComplaint['办理状态'], number, number]> = rejected
    ? [['不予受理', 30, 240]]
    : [
        ['已受理', 30, 240],
        ['调查处理中', 60, 1440],
        ['已办结', 1440, 7200],
      ];
  const tl = timeline(rng, at, '待受理' as EnvironmentComplaint['办理状态'], steps, ctx.end);
  const [status, updated] = last(tl);
  const accepted = tl.length >= 2 && status !== '不予受理';
  const r: EnvironmentComplaint = {
    举报编号: '',
    举报方式: rng.weighted<EnvironmentComplaint['举报方式']>([
      ['电话', 50],
      ['微信', 20],
      ['网络', 20],
      ['来信', 5],
      ['来访', 5],
    ]),
    举报时间: fmt(at),
    是否匿名: anonymous ? '是' : '否',
    举报人: anonymous ? null : c.name,
    联系电话: anonymous ? null : phoneVariant(rng, c.mobile),
    污染类型: spec.type,
    污染类型编码: spec.code,
    被举报对象: target,
    被举报对象统一社会信用代码: target && inc.subject?.uscc && rng.chance(0.1) ? usccVariant(rng, inc.subject.uscc) : null,
    被举报对象地址: addr,
    区县代码: w.county.code,
    所属乡镇: inc.village.townName,
    举报内容: fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: genericPlace(inc.place), area: String(inc.areaMu) }),
    经度: lng,
    纬度: lat,
    坐标系: 'BD09',
    办理状态: status,
    承办单位: accepted ? `${w.county.name}生态环境综合行政执法大队` : null,
    办理时限: accepted ? fmtDate(at + 15 * DAY) : null,
    办理结果: status === '已办结' ? rng.pick(['经现场调查，举报情况属实，已责令限期整改。', '经调查，举报情况部分属实，已督促整改到位。', '经现场核查，未发现举报所述问题。']) : status === '不予受理' ? '不属于本部门职责范围，已告知举报人向有关部门反映。' : null,
    更新时间: fmt(updated),
  };
  return { department: 'environment', createdAt: at, record: r as unknown as Record<string, unknown>, subjectId: subj.subjectId, incident: inc };
}

export function buildEnforcement(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.enforcement;
  if (!spec) throw new Error(`${inc.type.key} has no enforcement wording`);
  const source = rng.weighted<EnforcementCase['案件来源']>([
    ['巡查发现', 6],
    ['12345转办', ctx.channels.includes('hotline') ? 4 : 0],
    ['网格上报', ctx.channels.includes('grid') ? 3 : 0],
    ['投诉举报', 1.5],
    ['部门移送', ctx.channels.includes('environment') ? 1.5 : 0.3],
    ['上级交办', 0.3],
  ]);
  const s = inc.subject && inc.place && inc.place.kind !== 'farmland' ? inc.subject : null;
  let partyType: EnforcementCase['当事人类型'] = '未查明';
  let partyName: string | null = null;
  let uscc: string | null = null;
  let rep: string | null = null;
  let idNo: string | null = null;
  let phone: string | null = null;
  let subjectId: string | null = null;
  const owner = inc.place?.residentId ? w.residentById.get(inc.place.residentId) : undefined;
  if (s && s.kind !== 'unregistered') {
    const repRes = w.residentById.get(s.repResidentId);
    partyType = s.kind === 'individual_business' ? '个体工商户' : '单位';
    partyName = writeSubjectName(rng, s, 'enforcement');
    uscc = s.uscc && rng.chance(0.55) ? usccVariant(rng, s.uscc) : null;
    rep = repRes && rng.chance(0.7) ? repRes.name : null;
    idNo = repRes && partyType === '个体工商户' && rng.chance(0.4) ? residentIdVariant(rng, repRes.idNumber) : null;
    phone = repRes && rng.chance(0.6) ? phoneVariant(rng, repRes.mobile) : null;
    subjectId = s.id;
  } else if (s && owner) {
    // an unregistered shop: the operator is the party, named as a person; the shop is named in the text
    partyType = '个人';
    partyName = owner.name;
    idNo = rng.chance(0.8) ? residentIdVariant(rng, owner.idNumber) : null;
    phone = rng.chance(0.6) ? phoneVariant(rng, owner.mobile) : null;
  } else if (owner && (inc.place?.kind === 'residence' || inc.place?.kind === 'farmland')) {
    partyType = '个人';
    partyName = owner.name;
    idNo = rng.chance(0.8) ? residentIdVariant(rng, owner.idNumber) : null;
    phone = rng.chance(0.5) ? phoneVariant(rng, owner.mobile) : null;
  } else if (inc.type.key === 'stall' && rng.chance(0.5)) {
    const vendor = rng.pick(w.residents);
    partyType = '个人';
    partyName = vendor.name;
    idNo = rng.chance(0.6) ? residentIdVariant(rng, vendor.idNumber) : null;
  }
  const tpl = rng.pick(spec.texts);
  const named = tpl.includes('{subj}');
  const subjForText = s ? (partyName && partyType !== '个人' ? partyName : writeSubjectName(rng, s, 'enforcement')) : subjectText(ctx, inc, 'enforcement', named).text;
  if (s && named) subjectId = s.id;
  const addr = writeAddress(rng, w, inc.address, 'enforcement');
  let lng: number | null = null;
  let lat: number | null = null;
  if (rng.chance(0.6)) {
    const p = noisyPoint(rng, inc.location, 8);
    lng = round(p[0], 7);
    lat = round(p[1], 7);
  }
  const simple = rng.chance(0.3);
  const declined = !simple && rng.chance(0.1);
  type S = EnforcementCase['案件状态'];
  const steps: Array<[S, number, number]> = simple
    ? [['已结案', 30, 240]]
    : declined
      ? [['不予立案', 240, 2880]]
      : [
          ['已立案', 60, 2880],
          ['调查取证', 60, 2880],
          ['处罚告知', 1440, 7200],
          ['处罚决定', 1440, 4320],
          ['已结案', 1440, 10080],
        ];
  const found = source === '巡查发现' ? Math.max(inc.at, at - Math.round(rng.float(0, 30)) * MIN) : at;
  const tl = timeline(rng, at, '线索登记' as S, steps, ctx.end);
  const [status, updated] = last(tl);
  const numbering: Emission['numbering'] = [];
  const filed = !simple && !declined && tl.length >= 2;
  const decided = status === '处罚决定' || (status === '已结案' && !simple);
  if (filed) numbering.push('filing');
  if (decided) numbering.push('decision');
  if (simple && status === '已结案') numbering.push('simple-decision');
  const town = w.townByCode.get(inc.village.townCode);
  const r: EnforcementCase = {
    案件编号: '',
    立案号: filed ? '' : null,
    案件来源: source,
    案由编码: spec.code,
    案由名称: spec.name,
    当事人类型: partyType,
    当事人名称: partyName,
    统一社会信用代码: uscc,
    法定代表人: rep,
    证件号码: idNo,
    联系电话: phone,
    案发地址: addr,
    所属乡镇: inc.village.townName,
    所属村社区: rng.chance(0.7) ? inc.village.name : null,
    行政区划代码: inc.village.code,
    经度: lng,
    纬度: lat,
    发现时间: fmt(found),
    登记时间: fmt(at),
    案件状态: status,
    承办中队: `${town?.shortName ?? ''}中队`,
    执法人员: officers(w, rng),
    案情简述: fill(tpl, { subj: subjForText, addr, road: inc.road.name, what: genericPlace(inc.place), area: String(inc.areaMu) }),
    处罚决定书文号: decided || (simple && status === '已结案') ? '' : null,
    罚款金额: decided ? rng.pick([500, 1000, 2000, 3000, 5000, 10000, 20000, 50000]) : simple && status === '已结案' ? rng.pick([50, 100, 200]) : null,
    更新时间: fmt(updated),
  };
  return { department: 'enforcement', createdAt: at, record: r as unknown as Record<string, unknown>, subjectId, incident: inc, numbering };
}

export function buildNaturalResources(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.natural_resources;
  if (!spec) throw new Error(`${inc.type.key} has no natural-resources wording`);
  const source = rng.weighted<string>([
    ['动态巡查', 6],
    ['卫片图斑', inc.place?.kind === 'farmland' ? 1.5 : 0],
    ['群众举报', ctx.channels.includes('hotline') ? 2 : 0.5],
    ['网格移交', ctx.channels.includes('grid') ? 1.5 : 0],
  ]);
  let [code, name] = [spec.code, spec.name];
  if (code === 'ZY-TD-01' && inc.place?.landType === '永久基本农田') [code, name] = ['ZY-TD-02', '破坏永久基本农田'];
  const holder = inc.subject && inc.place?.kind === 'farmland' ? inc.subject : null;
  const owner = inc.place?.residentId ? w.residentById.get(inc.place.residentId) : undefined;
  let party = '不详';
  let partyId = '';
  let subjectId: string | null = null;
  if (!rng.chance(0.2)) {
    if (holder) {
      party = writeSubjectName(rng, holder, 'natural_resources');
      subjectId = holder.id;
    } else if (owner) {
      party = owner.name;
      partyId = rng.chance(0.5) ? owner.idNumber : '';
    }
  }
  const label = inc.place ? placeLabel(rng, inc.place, inc.road) : `${inc.village.name}${inc.road.name}`;
  const position = rng.chance(0.5) ? `${label}${rng.pick(['', '东侧', '西侧', '以北约200米', '南侧'])}` : writeAddress(rng, w, inc.address, 'natural_resources');
  const gps = rng.chance(0.95) ? noisyPoint(rng, inc.location, 6) : null;
  const tl: Array<[string, number]> = rng.chance(0.1)
    ? timeline<string>(rng, at, '待核查', [['核实无问题', 60, 1440]], ctx.end)
    : timeline<string>(rng, at, '待核查', [['已核查', 60, 1440], [rng.chance(0.5) ? '已立案' : '已整改', 1440, 7200]], ctx.end);
  const [status] = last(tl);
  const handling: Record<string, string> = { 待核查: '', 已核查: '下达责令停止违法行为通知书', 已立案: '立案查处', 已整改: '已责令恢复原状', 核实无问题: '核实无问题' };
  const tpl = rng.pick(spec.texts);
  const row: PatrolCsvRow = {
    线索编号: '',
    线索来源: source,
    巡查日期: excelDate(at),
    发现时间: excelDateTime(at),
    '乡镇（苏木）': inc.village.townName,
    '村（嘎查）': inc.village.name,
    位置描述: position,
    经度: gps ? gps[0].toFixed(6) : '',
    纬度: gps ? gps[1].toFixed(6) : '',
    坐标系: gps ? (rng.chance(0.2) ? 'CGCS2000' : 'WGS84') : '',
    问题类型代码: code,
    问题类型: name,
    地类: inc.place?.landType ?? '耕地',
    '涉及面积（亩）': inc.areaMu.toFixed(1),
    当事人: party,
    当事人证件号码: partyId,
    巡查人员: officers(w, rng),
    处置情况: handling[status] ?? '',
    状态: status,
    图斑编号: source === '卫片图斑' ? `WP${fmtDate(at).slice(0, 4)}${w.county.code}${rng.digits(4)}` : '',
    备注: fill(tpl, { subj: label, addr: position, road: inc.road.name, what: '', area: inc.areaMu.toFixed(1) }),
  };
  return { department: 'natural_resources', createdAt: at, record: row as unknown as Record<string, unknown>, subjectId, incident: inc };
}

export function buildEmergency(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.emergency;
  if (!spec) throw new Error(`${inc.type.key} has no emergency wording`);
  const s = inc.subject && inc.place && inc.place.kind !== 'farmland' ? inc.subject : null;
  const owner = inc.place?.residentId ? w.residentById.get(inc.place.residentId) : undefined;
  let unit: string;
  let subjectId: string | null = null;
  if (s) {
    unit = writeSubjectName(rng, s, 'emergency');
    subjectId = s.id;
  } else if (inc.place?.kind === 'residence') {
    unit = inc.place.address.compound ? `${inc.place.address.compound}${inc.place.address.building}号楼` : `${owner?.name ?? ''}自建房`;
  } else {
    unit = inc.place ? placeLabel(rng, inc.place, inc.road) : `${inc.village.name}${inc.road.name}`;
  }
  const responsible = s ? w.residentById.get(s.repResidentId) : owner;
  const tl = timeline(rng, at, '未整改' as HazardXlsxRow['整改状态'], [['整改中', 60, 1440], ['已整改', 1440, 10080], ['已销号', 1440, 4320]], ctx.end);
  const [status, updated] = last(tl);
  const p = rng.chance(0.4) ? noisyPoint(rng, inc.location, 10) : null;
  const town = w.townByCode.get(inc.village.townCode);
  const row: HazardXlsxRow = {
    序号: 0,
    隐患编号: '',
    单位名称: unit,
    统一社会信用代码: s?.uscc && rng.chance(0.8) ? usccVariant(rng, s.uscc) : '',
    行业类别: spec.industry,
    隐患类别代码: spec.code,
    隐患类别: spec.name,
    隐患等级: rng.chance(0.05) ? '重大隐患' : '一般隐患',
    隐患描述: rng.pick(spec.texts),
    所在乡镇: rng.chance(0.85) ? inc.village.townName : (town?.shortName ?? inc.village.townName),
    详细地址: writeAddress(rng, w, inc.address, 'emergency'),
    经度: p ? round(p[0], 6) : null,
    纬度: p ? round(p[1], 6) : null,
    排查时间: fmtMinute(at),
    排查人员: officers(w, rng),
    整改措施: rng.pick(spec.measures),
    整改期限: fmtDate(at + rng.int(7, 30) * DAY),
    整改状态: status,
    责任人: responsible?.name ?? '',
    联系电话: responsible && rng.chance(0.7) ? Number(responsible.mobile) : null,
    填报单位: rng.chance(0.6) ? `${inc.village.townName}安全生产监督管理站` : `${w.county.name}应急管理综合行政执法大队`,
    更新时间: fmt(updated),
  };
  return { department: 'emergency', createdAt: at, record: row as unknown as Record<string, unknown>, subjectId, incident: inc, numbering: ['ledger-row'] };
}

/** 110's way: 2026/03/02 09:07:33 */
const slashDateTime = (ms: number): string => fmt(ms).replace(/-/g, '/');
/** 卫生监督's way: 2026年03月02日 09时07分 */
const chineseMinute = (ms: number): string => {
  const s = fmt(ms);
  return `${s.slice(0, 4)}年${s.slice(5, 7)}月${s.slice(8, 10)}日 ${s.slice(11, 13)}时${s.slice(14, 16)}分`;
};
/** A point as one "a,b" text with six decimals, in the platform's coordinate system; `swapped` writes it the other way round. */
function pointText(p: Point, crs: 'GCJ02' | 'BD09' | 'WGS84', latFirst: boolean): string {
  const [x, y] = crs === 'WGS84' ? p : transformFromWgs84(p[0], p[1], crs);
  return latFirst ? `${y.toFixed(6)},${x.toFixed(6)}` : `${x.toFixed(6)},${y.toFixed(6)}`;
}

/** A 数字化城管 case: a city-management supervisor's patrol find (or a public report) of a street problem. */
export function buildUrbanManagement(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.urban_management;
  if (!spec) throw new Error(`${inc.type.key} has no urban-management wording`);
  const tpl = rng.pick(spec.texts);
  const named = tpl.includes('{subj}');
  const subj = subjectText(ctx, inc, 'urban_management', named);
  const addr = writeAddress(rng, w, inc.address, 'urban_management');
  // GB/T 30428.8: 立案 → 派遣 → 处置 → 核查 → 结案; a case found to repeat another is voided (作废) once dispatched
  type S = UrbanCaseRecord['zt'];
  const voided = rng.chance(0.04);
  const steps: Array<[S, number, number]> = voided ? [['派遣', 5, 60], ['作废', 10, 240]] : [['派遣', 5, 60], ['处置', 30, 600], ['核查', 60, 1440], ['结案', 30, 1440]];
  const tl = timeline(rng, at, '立案' as S, steps, ctx.end);
  const [status, updated] = last(tl);
  const c: UrbanCaseRecord = {
    ajbh: '',
    dlbm: spec.dl,
    xlbm: spec.xl,
    xlmc: spec.name,
    wtms: fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: genericPlace(inc.place), area: String(inc.areaMu) }),
    wz: addr,
    // the supervisor's PDA (GCJ-02), one device model writes lat,lng
    zb: pointText(noisyPoint(rng, inc.location, 10), 'GCJ02', rng.chance(0.06)),
    ajly: rng.weighted<string>([
      ['监督员上报', 7],
      ['公众举报', ctx.channels.includes('hotline') ? 2 : 1],
    ]),
    zt: status,
    lasj: fmt(at),
    // the platform's batch job stamps update times in whole minutes for many cases at once
    gxsj: fmt(Math.floor(updated / MIN) * MIN < at ? at : Math.floor(updated / MIN) * MIN),
  };
  return { department: 'urban_management', createdAt: at, record: c as unknown as Record<string, unknown>, subjectId: named ? subj.subjectId : null, incident: inc };
}

/** A 110 non-police incident handed over to 12345: the caller's words as the call taker writes them. */
export function buildPolice110(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.police_110;
  if (!spec) throw new Error(`${inc.type.key} has no police-110 wording`);
  const c = caller(ctx, inc);
  const tpl = rng.pick(spec.texts);
  const named = tpl.includes('{subj}');
  const subj = subjectText(ctx, inc, 'police_110', named);
  const addr = writeAddress(rng, w, inc.address, 'police_110');
  // called 110 a few minutes before the handover reached the county
  const called = Math.max(inc.at, at - Math.round(rng.float(3, 25)) * MIN - rng.int(0, 59) * 1000);
  type S = HandoverRecord['yjzt'];
  const tl = timeline(rng, at, '1' as S, [[rng.chance(0.06) ? '3' : '2', 5, 90]], ctx.end);
  const [status, updated] = last(tl);
  const h: HandoverRecord = {
    jjdbh: '',
    jqlb: spec.code,
    jqlbmc: spec.name,
    jqnr: fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: genericPlace(inc.place) || '有人', area: String(inc.areaMu) }),
    fadz: addr,
    // the caller's handset position (BD-09, cell/Wi-Fi: tens to a few hundred metres off), some written lat,lng
    zb: pointText(noisyPoint(rng, inc.location, rng.chance(0.7) ? 40 : 150), 'BD09', rng.chance(0.08)),
    bjsj: slashDateTime(called),
    yjsj: slashDateTime(at),
    yjzt: status,
    gxsj: slashDateTime(updated),
    bjrdh: c.mobile,
  };
  return { department: 'police_110', createdAt: at, record: h as unknown as Record<string, unknown>, subjectId: named ? subj.subjectId : null, incident: inc };
}

/** A 卫生监督 inspection record about a licensed unit (a bathhouse, a barber's, a KTV …). */
export function buildHealthInspection(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.health_inspection;
  if (!spec) throw new Error(`${inc.type.key} has no health-inspection wording`);
  const s = inc.subject && inc.place && inc.place.kind !== 'farmland' ? inc.subject : null;
  const unit = s ? writeSubjectName(rng, s, 'health_inspection') : inc.place ? placeLabel(rng, inc.place, inc.road) : `${inc.village.name}${inc.road.name}`;
  // 1 待整改 → 2 整改中 → 3 已整改待复查 → 6 复查合格; some filed for punishment (4), a few withdrawn (5)
  type S = Inspection['CLZT'];
  const steps: Array<[S, number, number]> = rng.chance(0.03)
    ? [['5', 60, 1440]]
    : rng.chance(0.1)
      ? [['4', 240, 2880]]
      : [['2', 60, 1440], ['3', 1440, 4320], ['6', 1440, 4320]];
  const tl = timeline(rng, at, '1' as S, steps, ctx.end);
  const [status, updated] = last(tl);
  const p = noisyPoint(rng, inc.location, 5);
  const r: Inspection = {
    JDBH: '',
    DWMC: unit,
    // the licence register's code, as the unit's 卫生许可证 gives it
    TYSHXYDM: s?.uscc ?? '',
    DZ: writeAddress(rng, w, inc.address, 'health_inspection'),
    ZYLB: spec.field,
    JCSJ: chineseMinute(at),
    WTMS: rng.pick(spec.texts),
    CLZT: status,
    GXSJ: fmt(updated),
    // "纬度,经度"; the export job writes every few rows the other way round
    ZB: pointText(p, 'WGS84', !rng.chance(0.14)),
  };
  return { department: 'health_inspection', createdAt: at, record: r as unknown as Record<string, unknown>, subjectId: s?.id ?? null, incident: inc };
}

export const BUILDERS: Record<Channel, (ctx: ChannelContext, inc: Incident, at: number) => Emission> = {
  hotline: buildHotline,
  grid: buildGrid,
  environment: buildEnvironment,
  enforcement: buildEnforcement,
  natural_resources: buildNaturalResources,
  emergency: buildEmergency,
  urban_management: buildUrbanManagement,
  police_110: buildPolice110,
  health_inspection: buildHealthInspection,
};
