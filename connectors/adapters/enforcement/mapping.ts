/**
 * 综合行政执法案件 row (simulators/county/native/enforcement.ts#EnforcementCase, Chinese column
 * names) → a canonical Case AND a Report.
 *
 * The dataset declares enforcement records report-role (docs/dataset-format.md: every record is
 * about exactly one matter): a case starts as an officer's finding — on patrol (巡查发现), or when
 * inspecting what a complaint, a 12345 transfer or a grid worker reported. The Report carries that
 * finding (channel PATROL for patrols, INSPECTION for on-site checks of matters reported elsewhere;
 * 案情简述 as description, the place, the party's USCC/name), so the hub merges it with the other
 * channels' reports of the same matter. The Case carries the procedure: stage, party, penalty,
 * stage times; its relatedReports names the Report of the same record, which ties the case to the
 * matter the hub puts that report in.
 *
 * Both are keyed by town (9-digit prefix of 行政区划代码) like every report, so the case and the
 * reports of its matter meet in one partition.
 */
import type { Case, CaseOrigin, CaseStage, CaseStageTimes, Location, Party, PartyType, PenaltyDecision, Report, ReportChannel, ReportStatus } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { cleanText, maskName, parseTimestamp, protectPhone, protectResidentId, toCanonical, validateUscc, type ParsedTime } from '../../../core/normalise/index.js';
import { divisionCode, object, structuredText, townKey, structuredId } from '../../sdk/mapping-helpers.js';
import type { Mapping, MappingContext } from '../../sdk/types.js';
import { COUNTY_BBOX } from './manifest.js';

/**
 * 案件状态 → procedure stage. The dataset's labels (线索登记 … 不予立案) plus those the case-handling
 * system shows between them (法制审核, 执行中) and common variants. 线索登记 is the 检查 stage for a
 * clue an officer found on patrol, 受理 for one that came in from outside (see stageOf).
 */
const STAGE: Record<string, CaseStage> = {
  线索登记: 'ACCEPTANCE',
  现场检查: 'INSPECTION',
  案件受理: 'ACCEPTANCE',
  已受理: 'ACCEPTANCE',
  立案: 'FILING',
  已立案: 'FILING',
  调查取证: 'INVESTIGATION',
  调查终结: 'INVESTIGATION',
  法制审核: 'REVIEW',
  案件审查: 'REVIEW',
  处罚告知: 'DECISION',
  听证: 'DECISION',
  处罚决定: 'DECISION',
  执行中: 'EXECUTION',
  处罚执行: 'EXECUTION',
  结案: 'CLOSED',
  已结案: 'CLOSED',
  不予立案: 'NOT_FILED',
  撤销立案: 'TERMINATED',
  终止调查: 'TERMINATED',
};

const ORIGIN: Record<string, CaseOrigin> = {
  巡查发现: 'PATROL',
  投诉举报: 'COMPLAINT',
  '12345转办': 'HOTLINE',
  网格上报: 'GRID',
  部门移送: 'REFERRAL',
  上级交办: 'ASSIGNED',
  监测发现: 'MONITORING',
  抽检发现: 'MONITORING',
};

const REPORT_STATUS: Record<CaseStage, ReportStatus> = {
  INSPECTION: 'RECEIVED',
  ACCEPTANCE: 'RECEIVED',
  FILING: 'IN_PROGRESS',
  INVESTIGATION: 'IN_PROGRESS',
  REVIEW: 'IN_PROGRESS',
  DECISION: 'IN_PROGRESS',
  EXECUTION: 'IN_PROGRESS',
  CLOSED: 'CLOSED',
  NOT_FILED: 'CLOSED',
  TERMINATED: 'CLOSED',
  UNKNOWN: 'UNKNOWN',
};

function stageOf(label: string, origin: CaseOrigin): CaseStage {
  const stage = STAGE[label.normalize('NFKC').replace(/\s/g, '')];
  if (!stage) {
    throw new MappingError(`未知的案件状态 "${label}" (unknown case status; expected one of ${Object.keys(STAGE).join('/')})`, '案件状态');
  }
  return stage === 'ACCEPTANCE' && label.trim() === '线索登记' && origin === 'PATROL' ? 'INSPECTION' : stage;
}

function time(raw: unknown, field: string, ctx: MappingContext): ParsedTime {
  return parseTimestamp(raw, field, { now: new Date(ctx.ingestTime) });
}

function optionalTime(raw: unknown, field: string, ctx: MappingContext): number | null {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null;
  return time(raw, field, ctx).epochMs;
}

function coordinate(raw: unknown, field: string): number | null {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw new ValidationError(field, `坐标不是数字 (a coordinate must be a number, got ${JSON.stringify(raw)})`);
  return n;
}

/** WGS-84 from the PDA (MariaDB DECIMAL arrives as text); none (desk entry, or 0,0 without a fix) → null; swapped → fixed with the county box. */
function location(o: Record<string, unknown>): Location | null {
  const lng = coordinate(o['经度'], '经度');
  const lat = coordinate(o['纬度'], '纬度');
  if (lng === null && lat === null) return null;
  if (lng === null || lat === null) throw new ValidationError(lng === null ? '经度' : '纬度', '坐标不完整 (only one of 经度/纬度 is present)');
  if (lng === 0 && lat === 0) return null;
  const p = toCanonical({ lng, lat, crs: 'WGS84' }, COUNTY_BBOX, '经度');
  return { lng: p.lng, lat: p.lat, originalLng: p.original.lng, originalLat: p.original.lat, originalCrs: 'WGS84' };
}

/** 罚款金额 in yuan (number, or DECIMAL text "500.00") → fen, exactly. */
function fineFen(raw: unknown): number | null {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.normalize('NFKC').trim().replace(/,/g, '') : '';
  const m = /^(\d{1,13})(?:\.(\d{1,2})0*)?$/.exec(text);
  if (!m) throw new ValidationError('罚款金额', `罚款金额格式错误 (the fine must be a non-negative amount in yuan with at most two decimals, got ${JSON.stringify(raw)})`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const PARTY_TYPE: Record<string, PartyType> = { 单位: 'ENTERPRISE', 个体工商户: 'INDIVIDUAL_BUSINESS', 个人: 'PERSON', 未查明: 'UNKNOWN' };

/** 当事人: USCC and name for units and individual businesses, masked name and keyed ID hash for persons and operators. */
function partyOf(o: Record<string, unknown>, ctx: MappingContext): Party | null {
  const kind = cleanText(o['当事人类型'], { field: '当事人类型', maxLength: 10 });
  const name = structuredText(o['当事人名称'], { field: '当事人名称', maxLength: 200 });
  const usccRaw = cleanText(o['统一社会信用代码'], { field: '统一社会信用代码' });
  const uscc = usccRaw === null ? null : validateUscc(usccRaw, '统一社会信用代码');
  const rep = structuredText(o['法定代表人'], { field: '法定代表人', maxLength: 100 });
  const idRaw = cleanText(o['证件号码'], { field: '证件号码' });
  const id = idRaw === null ? null : protectResidentId(idRaw, ctx.personalDataKey, '证件号码', { now: new Date(ctx.ingestTime) });
  const phoneRaw = cleanText(o['联系电话'], { field: '联系电话' });
  const phone = phoneRaw === null ? null : protectPhone(phoneRaw, ctx.personalDataKey, '联系电话');

  let partyType: PartyType = (kind && PARTY_TYPE[kind]) || 'UNKNOWN';
  // a unit's USCC says whether it is an enterprise or another kind of organisation (cooperative, institution …)
  if (partyType === 'ENTERPRISE' && uscc && !uscc.startsWith('91')) partyType = uscc.startsWith('92') ? 'INDIVIDUAL_BUSINESS' : 'ORGANISATION';
  if (partyType === 'UNKNOWN' && !name && !uscc && !id && !phone && !rep) return null; // 未查明: nobody identified yet

  const isPerson = partyType === 'PERSON';
  // the natural person: the party itself, or the operator of an individual business (never a unit's name)
  const personName = isPerson ? name : partyType === 'INDIVIDUAL_BUSINESS' ? rep : null;
  const person = personName || id ? { nameMasked: personName ? maskName(personName) : null, idHash: id?.hash ?? null, idMasked: id?.masked ?? null } : null;
  return {
    partyType,
    uscc,
    organisationName: isPerson ? null : name,
    person,
    phoneHash: phone?.hash ?? null,
    phoneMasked: phone?.masked ?? null,
  };
}

export const mapEnforcementCase: Mapping = (payload, ctx) => {
  const o = object(payload);
  const id = structuredId(o['案件编号'], '案件编号');
  const updated = time(o['更新时间'], '更新时间', ctx);
  const found = time(o['发现时间'], '发现时间', ctx);
  const registered = time(o['登记时间'], '登记时间', ctx);
  const sourceOrigin = cleanText(o['案件来源'], { field: '案件来源', maxLength: 20 });
  const origin: CaseOrigin = (sourceOrigin && ORIGIN[sourceOrigin.normalize('NFKC').replace(/\s/g, '')]) || 'OTHER';
  const sourceStage = cleanText(o['案件状态'], { field: '案件状态', required: true, maxLength: 20 });
  const stage = stageOf(sourceStage, origin);

  const division = divisionCode(o['行政区划代码'], '行政区划代码');
  const envelope = {
    sourceSystem: ctx.sourceSystem,
    department: ctx.department,
    sourceRecordId: id,
    sourceVersion: updated.epochMs,
    eventTime: found.epochMs,
    ingestTime: ctx.ingestTime,
    divisionCode: division,
    gridCode: null,
    location: location(o),
    connector: ctx.connectorId,
  };
  const description = cleanText(o['案情简述'], { field: '案情简述', required: true, maxLength: 4000 });
  const address = structuredText(o['案发地址'], { field: '案发地址', maxLength: 500 });
  const causeCode = structuredText(o['案由编码'], { field: '案由编码', maxLength: 20 });
  const cause = structuredText(o['案由名称'], { field: '案由名称', maxLength: 200 });
  const party = partyOf(o, ctx);

  const decisionNumber = structuredText(o['处罚决定书文号'], { field: '处罚决定书文号', maxLength: 100 });
  const fine = fineFen(o['罚款金额']);
  const decidedAt = optionalTime(o['处罚决定时间'], '处罚决定时间', ctx);
  const penalty: PenaltyDecision | null =
    decisionNumber !== null || fine !== null
      ? { decisionNumber, types: fine !== null && fine > 0 ? ['FINE'] : [], fineFen: fine !== null && fine > 0 ? fine : null, confiscatedFen: null, decidedAt, description: null }
      : null;
  const filedAt = optionalTime(o['立案时间'], '立案时间', ctx);
  const closed = stage === 'CLOSED' || stage === 'NOT_FILED' || stage === 'TERMINATED';
  const stageTimes: CaseStageTimes = {
    inspectedAt: origin === 'PATROL' ? found.epochMs : null,
    acceptedAt: registered.epochMs,
    filedAt,
    investigatedAt: null,
    reviewedAt: null,
    decidedAt,
    executedAt: null,
    // the system keeps no closing time in older rows: a closed case is not changed after closing, so its update time is when it closed
    closedAt: optionalTime(o['结案时间'], '结案时间', ctx) ?? (closed ? updated.epochMs : null),
  };

  const theCase: Case = {
    envelope,
    caseNumber: structuredText(o['立案号'], { field: '立案号', maxLength: 100 }),
    stage,
    sourceStage,
    origin,
    causeOfAction: cause,
    powerItemCode: causeCode,
    legalBasis: [],
    summary: description,
    address,
    party,
    penalty,
    relatedReports: [{ sourceSystem: ctx.sourceSystem, sourceRecordId: id }],
    matterId: null,
    handlingDepartment: ctx.department,
    handlingUnitName: structuredText(o['承办中队'], { field: '承办中队', maxLength: 100 }),
    stageTimes,
    deadline: null,
  };

  const channel: ReportChannel = origin === 'PATROL' ? 'PATROL' : 'INSPECTION';
  const report: Report = {
    envelope,
    channel,
    title: cause,
    description,
    sourceCategoryCode: causeCode,
    categoryCode: ctx.mapCategory(causeCode),
    status: REPORT_STATUS[stage],
    sourceStatus: sourceStage,
    urgency: null,
    address,
    reporterNameMasked: null,
    reporterPhoneHash: null,
    reporterPhoneMasked: null,
    subjectUscc: party?.uscc ?? null,
    subjectName: party?.organisationName ?? null,
    attachmentUrls: [],
    deadline: null,
    reporterIdHash: null,
    reporterIdMasked: null,
  };
  const key = townKey(division, id);
  return [
    { kind: 'case', key, value: theCase },
    { kind: 'report', key, value: report },
  ];
};
