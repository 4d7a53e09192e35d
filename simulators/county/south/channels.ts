/**
 * The second test county's department channels: the same native record types as the demo county
 * (the adapters read them), filled with this county's filing habits and noise (./noise.ts).
 *
 * Filing habits that differ from the demo county:
 * - 12345 never has coordinates and leaves the division code empty on 45 % of work orders (the town
 *   is then named in the text on most), gives only the town on 20 %;
 * - the grid app is on phones: GPS on 60 %, an address geocoded by the platform on 30 % (60–150 m
 *   off), the village centroid on 6 % (desk entry), none on 4 %;
 * - 12369 positions are the platform's geocoding of the complainant's address (BD-09) on 55 %, the
 *   town-level village centroid on 10 %, none otherwise;
 * - enforcement PDAs: GPS 45 %, geocoded 20 %, none 35 %; emergency ledgers: GPS 25 %, geocoded
 *   20 %, none 55 %; natural-resources patrol GPS 90 %.
 */
import { COUNTY } from '../../shared/county.js';
import { transformFromWgs84 } from '../../../core/normalise/coords.js';
import type { GridEvent } from '../../grid/types.js';
import { GRID_STATUSES } from '../../grid/types.js';
import { fmt, fmtDate, gridEventStatus, timeline, type ChannelContext, type Emission, type Incident } from '../channels.js';
import { round, type Point } from '../geo.js';
import type { Channel } from '../incidents.js';
import type { EnforcementCase } from '../native/enforcement.js';
import type { EnvironmentComplaint } from '../../../connectors/adapters/environment/native.js';
import type { HazardXlsxRow } from '../native/emergency.js';
import type { WorkOrder } from '../native/hotline.js';
import type { PatrolCsvRow } from '../native/natural_resources.js';
import type { Rng } from '../random.js';
import { phoneVariant, residentIdVariant, usccVariant } from '../variants.js';
import type { Resident, World } from '../world.js';
import { SOUTH_HANDLING_UNIT } from './incidents.js';
import { position, writeSouthAddress, writeSouthName, type PositionOrigin, type SouthWriter } from './noise.js';

const DAY = 86_400_000;
const MIN = 60_000;
const last = <T>(xs: T[]): T => xs[xs.length - 1] as T;
const family = (inc: Incident): string => inc.type.category.split('.')[0] as string;
const unit = (inc: Incident): string => SOUTH_HANDLING_UNIT[family(inc)] ?? `${COUNTY.name}社会治理综合指挥中心`;

function address(ctx: ChannelContext, inc: Incident, writer: SouthWriter): string {
  return writeSouthAddress(ctx.rng, { w: ctx.w, village: inc.village, roadId: inc.road.id, at: inc.location, place: inc.place }, inc.address, writer);
}

/** The subject as named by this writer, or how the place is described when it is not named. */
function naming(ctx: ChannelContext, inc: Incident, writer: SouthWriter, nameIt: boolean): { text: string; subjectId: string | null } {
  const bySite = inc.place?.kind === 'worksite' && (writer === 'hotline' || writer === 'grid');
  if (inc.subject && inc.place && nameIt && inc.place.kind !== 'farmland' && !bySite) return { text: writeSouthName(ctx.rng, inc.subject, writer), subjectId: inc.subject.id };
  if (inc.place) {
    if (inc.place.kind === 'farmland') return { text: ctx.rng.chance(0.5) ? inc.place.name : `${inc.village.name}${inc.road.name}的田`, subjectId: null };
    if (inc.place.kind === 'residence' || inc.place.kind === 'worksite') return { text: inc.place.name, subjectId: null };
    return { text: `这家${inc.place.industry?.full ?? '店'}`, subjectId: null };
  }
  return { text: `${inc.road.name}边上`, subjectId: null };
}

function fill(t: string, p: { subj: string; addr: string; road: string; what: string; area: string; town: string }): string {
  return t.replace(/\{subj\}/g, p.subj).replace(/\{addr\}/g, p.addr).replace(/\{road\}/g, p.road).replace(/\{what\}/g, p.what).replace(/\{area\}/g, p.area).replace(/\{town\}/g, p.town);
}

function what(inc: Incident): string {
  return inc.place?.industry ? `一家${inc.place.industry.full}` : inc.place?.kind === 'worksite' ? '工地' : '';
}

function someone(ctx: ChannelContext, inc: Incident): Resident {
  for (let i = 0; i < 6 && ctx.rng.chance(0.5); i++) {
    const r = ctx.rng.pick(ctx.w.residents);
    if (r.villageCode === inc.village.code) return r;
  }
  return ctx.rng.pick(ctx.w.residents);
}

function originOf(rng: Rng, weights: Array<[PositionOrigin | null, number]>): PositionOrigin | null {
  return rng.weighted(weights);
}

function place(rng: Rng, inc: Incident, origin: PositionOrigin | null, gpsSigma: number): Point | null {
  return origin ? position(rng, inc.location, inc.village, origin, gpsSigma) : null;
}

export function southHotline(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { rng } = ctx;
  const spec = inc.type.hotline;
  if (!spec) throw new Error(`${inc.type.key} has no hotline wording`);
  const c = someone(ctx, inc);
  const tpl = rng.pick(spec.texts);
  const named = tpl.includes('{subj}');
  const subj = naming(ctx, inc, 'hotline', named);
  const addr = address(ctx, inc, 'hotline');
  const division = rng.weighted<string>([
    ['', 45],
    [`${inc.village.townCode}000`, 20],
    [inc.village.code, 35],
  ]);
  // the town is said in the text on most orders; never twice
  const townInText = !addr.startsWith(inc.village.townName) && rng.chance(division === '' ? 0.8 : 0.4) ? inc.village.townName : '';
  const text = fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: what(inc) || '有人', area: String(inc.areaMu), town: townInText });
  const tl = timeline(rng, at, '受理' as WorkOrder['gdzt'], [['派单', 5, 90], ['办理', 30, 900], ['回访', 600, 4320], ['办结', 30, 1440]], ctx.end);
  const [status, updated] = last(tl);
  const dispatched = tl.length >= 2;
  const o: WorkOrder = {
    gdbh: '',
    sqbt: rng.pick(spec.titles),
    sqnr: text,
    flmc: spec.flmc,
    jjcd: inc.urgent ? '紧急' : '一般',
    gdzt: status,
    ldrxm: c.name,
    ldrdh: phoneVariant(rng, c.mobile),
    xzqhdm: division,
    sjdz: rng.chance(0.15) ? '' : addr,
    cbdw: dispatched ? unit(inc) : null,
    slsj: fmt(at),
    gxsj: fmt(updated),
    blsx: dispatched ? fmt(at + (inc.urgent ? 2 : 7) * DAY) : null,
    bmbz: '0',
  };
  // an order without an address keeps it in the text
  if (o.sjdz === '' && !o.sqnr.includes(addr)) o.sqnr = `${addr}：${o.sqnr}`;
  return { department: 'hotline', createdAt: at, record: o as unknown as Record<string, unknown>, subjectId: named ? subj.subjectId : null, incident: inc };
}

export function southGrid(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.grid;
  if (!spec) throw new Error(`${inc.type.key} has no grid wording`);
  const grid = w.gridByCode.get(inc.gridCode);
  if (!grid) throw new Error(`no grid ${inc.gridCode}`);
  const worker = w.workerById.get(rng.pick(grid.workerIds));
  if (!worker) throw new Error(`grid ${grid.code} has no worker`);
  const withSubject = inc.subject !== null && inc.place !== null && inc.place.kind !== 'farmland' && inc.place.kind !== 'worksite' && rng.chance(0.5);
  const subjectName = withSubject && inc.subject ? writeSouthName(rng, inc.subject, 'grid') : null;
  const tpl = rng.pick(spec.texts);
  const subj = subjectName ? { text: subjectName, subjectId: inc.subject?.id ?? null } : naming(ctx, inc, 'grid', tpl.includes('{subj}'));
  const addr = address(ctx, inc, 'grid');
  const origin = originOf(rng, [
    ['gps', 60],
    ['geocoded', 30],
    ['centroid', 6],
    [null, 4],
  ]);
  const p = place(rng, inc, origin, 20);
  let lng: number | null = null;
  let lat: number | null = null;
  if (p) {
    const [x, y] = transformFromWgs84(p[0], p[1], 'GCJ02');
    [lng, lat] = [round(x, 6), round(y, 6)];
  }
  const tl = gridEventStatus(rng, at, ctx.end);
  const [status, updated] = last(tl);
  const e: GridEvent = {
    eventId: '',
    title: rng.pick(spec.titles),
    content: fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: what(inc), area: String(inc.areaMu), town: '' }),
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
    subjectCreditCode: withSubject && inc.subject?.uscc && rng.chance(0.15) ? usccVariant(rng, inc.subject.uscc) : null,
    reporterId: worker.id,
    reporterName: worker.name,
    reporterPhone: worker.mobile,
    deviceId: worker.deviceId,
    source: rng.weighted<GridEvent['source']>([
      ['网格员巡查', 4],
      ['网格员上报', 3],
      ['群众反映', 3],
    ]),
    level: inc.urgent ? '紧急' : '一般',
    happenTime: fmt(Math.max(inc.at, at - Math.round(rng.float(0, 60)) * MIN)),
    reportTime: fmt(at),
    status,
    statusName: GRID_STATUSES[status],
    handleDept: status >= 2 && status !== 6 ? unit(inc) : null,
    deadline: status >= 2 && status !== 6 ? fmt(at + 3 * DAY) : null,
    photos: [],
    updateTime: fmt(updated),
    version: tl.length,
  };
  return { department: 'grid', createdAt: at, record: e as unknown as Record<string, unknown>, subjectId: subj.subjectId, incident: inc };
}

export function southEnvironment(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.environment;
  if (!spec) throw new Error(`${inc.type.key} has no environment wording`);
  const anonymous = rng.chance(0.4);
  const c = someone(ctx, inc);
  const hasTarget = inc.subject !== null && inc.place !== null && inc.place.kind !== 'farmland' && rng.chance(0.75);
  const target = hasTarget && inc.subject ? writeSouthName(rng, inc.subject, 'environment') : null;
  const tpl = rng.pick(spec.texts);
  const subj = target ? { text: target, subjectId: inc.subject?.id ?? null } : naming(ctx, inc, 'environment', tpl.includes('{subj}'));
  const addr = address(ctx, inc, 'environment');
  const origin = originOf(rng, [
    ['geocoded', 55],
    ['centroid', 10],
    [null, 35],
  ]);
  const p = place(rng, inc, origin, 15);
  let lng: number | null = null;
  let lat: number | null = null;
  if (p) {
    const [x, y] = transformFromWgs84(p[0], p[1], 'BD09');
    [lng, lat] = [round(x, 6), round(y, 6)];
  }
  const tl = timeline(rng, at, '待受理' as EnvironmentComplaint['办理状态'], [['已受理', 60, 480], ['调查处理中', 120, 2880], ['已办结', 1440, 7200]], ctx.end);
  const [status, updated] = last(tl);
  const accepted = tl.length >= 2;
  const r: EnvironmentComplaint = {
    举报编号: '',
    举报方式: rng.weighted<EnvironmentComplaint['举报方式']>([
      ['电话', 35],
      ['微信', 40],
      ['网络', 20],
      ['来信', 5],
    ]),
    举报时间: fmt(at),
    是否匿名: anonymous ? '是' : '否',
    举报人: anonymous ? null : c.name,
    联系电话: anonymous ? null : phoneVariant(rng, c.mobile),
    污染类型: spec.type,
    污染类型编码: spec.code,
    被举报对象: target,
    被举报对象统一社会信用代码: target && inc.subject?.uscc && rng.chance(0.05) ? usccVariant(rng, inc.subject.uscc) : null,
    被举报对象地址: addr,
    区县代码: w.county.code,
    所属乡镇: rng.chance(0.8) ? inc.village.townName : '',
    举报内容: fill(tpl, { subj: subj.text, addr, road: inc.road.name, what: what(inc), area: String(inc.areaMu), town: '' }),
    经度: lng,
    纬度: lat,
    坐标系: 'BD09',
    办理状态: status,
    承办单位: accepted ? `${COUNTY.name}生态环境保护综合执法大队` : null,
    办理时限: accepted ? fmtDate(at + 15 * DAY) : null,
    办理结果: status === '已办结' ? '经调查，已责令整改。' : null,
    更新时间: fmt(updated),
  };
  return { department: 'environment', createdAt: at, record: r as unknown as Record<string, unknown>, subjectId: subj.subjectId, incident: inc };
}

export function southEnforcement(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.enforcement;
  if (!spec) throw new Error(`${inc.type.key} has no enforcement wording`);
  const s = inc.subject && inc.place && inc.place.kind !== 'farmland' && inc.subject.kind !== 'unregistered' ? inc.subject : null;
  const owner = inc.place?.residentId ? w.residentById.get(inc.place.residentId) : undefined;
  let partyType: EnforcementCase['当事人类型'] = '未查明';
  let partyName: string | null = null;
  let uscc: string | null = null;
  let idNo: string | null = null;
  let subjectId: string | null = null;
  if (s) {
    partyType = s.kind === 'individual_business' ? '个体工商户' : '单位';
    partyName = writeSouthName(rng, s, 'enforcement');
    uscc = s.uscc && rng.chance(0.45) ? usccVariant(rng, s.uscc) : null;
    subjectId = s.id;
  } else if (owner && inc.place) {
    partyType = '个人';
    partyName = owner.name;
    idNo = rng.chance(0.7) ? residentIdVariant(rng, owner.idNumber) : null;
  }
  const tpl = rng.pick(spec.texts);
  const subjText = partyName && partyType !== '个人' ? partyName : naming(ctx, inc, 'enforcement', false).text;
  const addr = address(ctx, inc, 'enforcement');
  const p = place(rng, inc, originOf(rng, [['gps', 45], ['geocoded', 20], [null, 35]]), 10);
  const simple = rng.chance(0.35);
  type S = EnforcementCase['案件状态'];
  const steps: Array<[S, number, number]> = simple ? [['已结案', 30, 240]] : [['已立案', 120, 2880], ['调查取证', 120, 2880], ['处罚决定', 1440, 7200], ['已结案', 1440, 10080]];
  const tl = timeline(rng, at, '线索登记' as S, steps, ctx.end);
  const [status, updated] = last(tl);
  const filed = !simple && tl.length >= 2;
  const decided = status === '处罚决定' || (status === '已结案' && !simple);
  const numbering: Emission['numbering'] = [];
  if (filed) numbering.push('filing');
  if (decided) numbering.push('decision');
  if (simple && status === '已结案') numbering.push('simple-decision');
  const town = w.townByCode.get(inc.village.townCode);
  const r: EnforcementCase = {
    案件编号: '',
    立案号: filed ? '' : null,
    案件来源: rng.weighted<EnforcementCase['案件来源']>([
      ['巡查发现', 5],
      ['12345转办', ctx.channels.includes('hotline') ? 5 : 0],
      ['网格上报', ctx.channels.includes('grid') ? 2 : 0],
      ['投诉举报', 2],
      ['部门移送', ctx.channels.includes('environment') ? 2 : 0.2],
    ]),
    案由编码: spec.code,
    案由名称: spec.name,
    当事人类型: partyType,
    当事人名称: partyName,
    统一社会信用代码: uscc,
    法定代表人: null,
    证件号码: idNo,
    联系电话: null,
    案发地址: addr,
    所属乡镇: inc.village.townName,
    所属村社区: rng.chance(0.5) ? inc.village.name : null,
    行政区划代码: rng.chance(0.8) ? inc.village.code : `${inc.village.townCode}000`,
    经度: p ? round(p[0], 7) : null,
    纬度: p ? round(p[1], 7) : null,
    发现时间: fmt(at),
    登记时间: fmt(at),
    案件状态: status,
    承办中队: `${town?.shortName ?? ''}执法中队`,
    执法人员: `${rng.pick(w.residents).name}、${rng.pick(w.residents).name}`,
    案情简述: fill(tpl, { subj: subjText, addr, road: inc.road.name, what: what(inc), area: String(inc.areaMu), town: '' }),
    处罚决定书文号: decided || (simple && status === '已结案') ? '' : null,
    罚款金额: decided ? rng.pick([1000, 2000, 5000, 10000]) : simple && status === '已结案' ? rng.pick([50, 100, 200]) : null,
    更新时间: fmt(updated),
  };
  return { department: 'enforcement', createdAt: at, record: r as unknown as Record<string, unknown>, subjectId, incident: inc, numbering };
}

export function southNaturalResources(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.natural_resources;
  if (!spec) throw new Error(`${inc.type.key} has no natural-resources wording`);
  const holder = inc.subject && inc.place?.kind === 'farmland' ? inc.subject : null;
  const owner = inc.place?.residentId ? w.residentById.get(inc.place.residentId) : undefined;
  let party = '不详';
  let subjectId: string | null = null;
  if (holder && rng.chance(0.8)) {
    party = writeSouthName(rng, holder, 'natural_resources');
    subjectId = holder.id;
  } else if (owner && rng.chance(0.8)) party = owner.name;
  const label = inc.place ? inc.place.name : `${inc.village.name}${inc.road.name}`;
  const where = rng.chance(0.5) ? label : address(ctx, inc, 'natural_resources');
  const gps = place(rng, inc, originOf(rng, [['gps', 90], [null, 10]]), 8);
  const tl = timeline<string>(rng, at, '待核查', [['已核查', 60, 1440], ['已立案', 1440, 7200]], ctx.end);
  const [status] = last(tl);
  const d = fmtDate(at);
  const row: PatrolCsvRow = {
    线索编号: '',
    线索来源: rng.weighted<string>([
      ['动态巡查', 6],
      ['卫片图斑', 1],
      ['群众举报', ctx.channels.includes('hotline') ? 2 : 0.5],
    ]),
    巡查日期: `${d.slice(0, 4)}/${Number(d.slice(5, 7))}/${Number(d.slice(8, 10))}`,
    发现时间: `${d.slice(0, 4)}/${Number(d.slice(5, 7))}/${Number(d.slice(8, 10))} ${fmt(at).slice(11, 16)}`,
    '乡镇（苏木）': inc.village.townName,
    '村（嘎查）': inc.village.name,
    位置描述: where,
    经度: gps ? gps[0].toFixed(6) : '',
    纬度: gps ? gps[1].toFixed(6) : '',
    坐标系: gps ? 'CGCS2000' : '',
    问题类型代码: spec.code,
    问题类型: spec.name,
    地类: inc.place?.landType ?? '耕地',
    '涉及面积（亩）': inc.areaMu.toFixed(1),
    当事人: party,
    当事人证件号码: '',
    巡查人员: `${rng.pick(w.residents).name}、${rng.pick(w.residents).name}`,
    处置情况: status === '待核查' ? '' : '已下达停止违法行为通知书',
    状态: status,
    图斑编号: '',
    备注: fill(rng.pick(spec.texts), { subj: label, addr: where, road: inc.road.name, what: '', area: inc.areaMu.toFixed(1), town: '' }),
  };
  return { department: 'natural_resources', createdAt: at, record: row as unknown as Record<string, unknown>, subjectId, incident: inc };
}

export function southEmergency(ctx: ChannelContext, inc: Incident, at: number): Emission {
  const { w, rng } = ctx;
  const spec = inc.type.emergency;
  if (!spec) throw new Error(`${inc.type.key} has no emergency wording`);
  const s = inc.subject && inc.place && inc.place.kind !== 'farmland' ? inc.subject : null;
  const owner = inc.place?.residentId ? w.residentById.get(inc.place.residentId) : undefined;
  const unitName = s ? writeSouthName(rng, s, 'emergency') : inc.place ? inc.place.name : `${inc.village.name}${inc.road.name}`;
  const responsible = s ? w.residentById.get(s.repResidentId) : owner;
  const tl = timeline(rng, at, '未整改' as HazardXlsxRow['整改状态'], [['整改中', 120, 2880], ['已整改', 1440, 10080]], ctx.end);
  const [status, updated] = last(tl);
  const p = place(rng, inc, originOf(rng, [['gps', 25], ['geocoded', 20], [null, 55]]), 12);
  const row: HazardXlsxRow = {
    序号: 0,
    隐患编号: '',
    单位名称: unitName,
    统一社会信用代码: s?.uscc && rng.chance(0.6) ? usccVariant(rng, s.uscc) : '',
    行业类别: spec.industry,
    隐患类别代码: spec.code,
    隐患类别: spec.name,
    隐患等级: '一般隐患',
    隐患描述: rng.pick(spec.texts),
    所在乡镇: inc.village.townName,
    详细地址: address(ctx, inc, 'emergency'),
    经度: p ? round(p[0], 6) : null,
    纬度: p ? round(p[1], 6) : null,
    排查时间: fmt(at).slice(0, 16),
    排查人员: `${rng.pick(w.residents).name}、${rng.pick(w.residents).name}`,
    整改措施: rng.pick(spec.measures),
    整改期限: fmtDate(at + rng.int(7, 30) * DAY),
    整改状态: status,
    责任人: responsible?.name ?? '',
    联系电话: responsible && rng.chance(0.5) ? Number(responsible.mobile) : null,
    填报单位: `${inc.village.townName}应急管理办公室`,
    更新时间: fmt(updated),
  };
  return { department: 'emergency', createdAt: at, record: row as unknown as Record<string, unknown>, subjectId: s ? s.id : null, incident: inc, numbering: ['ledger-row'] };
}

/** The south county files with the original eight departments (no 数字化城管, 110 handover or 卫生监督 channels yet). */
export const SOUTH_BUILDERS: Partial<Record<Channel, (ctx: ChannelContext, inc: Incident, at: number) => Emission>> = {
  hotline: southHotline,
  grid: southGrid,
  environment: southEnvironment,
  enforcement: southEnforcement,
  natural_resources: southNaturalResources,
  emergency: southEmergency,
};
