/**
 * 市场主体登记信息 row (simulators/county/native/market.ts#MarketEntityRow, Chinese column names of
 * the exchange catalogue) → canonical Subject.
 *
 * - The record id is the registry's internal 主体身份代码 (PRIPID); the version is 更新时间.
 * - Kafka key: the USCC. It names the entity for life (a change of name, address or status keeps it),
 *   so every version of a subject stays in order on one partition, and any other department's
 *   Subject or Approval keyed by the same USCC meets it there. A town code is not derivable here:
 *   the registry gives only the 6-digit county (行政区划代码), the USCC's area segment is the
 *   registering county too, and only the hub has the division table to resolve the town in 住所.
 *   A row without a USCC (an old registration) is keyed by its record id.
 * - 行政区划代码 is the 6-digit county code: kept as registeredDivisionCode (the Subject schema
 *   accepts a 6-digit GB/T 2260 code there); envelope.divisionCode stays null because it must be a
 *   12-digit code of the business address, which the registry does not give. A 12-digit code, when
 *   a registry has one, fills both.
 * - The legal representative (or operator) leaves only as a masked name and a keyed ID hash.
 */
import type { RegistrationStatus, Subject, SubjectType } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { cleanText, maskName, normaliseCode, parseTimestamp, protectPhone, protectResidentId, validateUscc } from '../../../core/normalise/index.js';
import { object, structuredText, structuredId } from '../../sdk/mapping-helpers.js';
import type { Mapping, MappingContext } from '../../sdk/types.js';

/** 登记状态 (national registration-status code table, with the variants exchanges write) → county set. */
const STATUS: Record<string, RegistrationStatus> = {
  '存续(在营、开业、在册)': 'ACTIVE',
  存续: 'ACTIVE',
  在营: 'ACTIVE',
  开业: 'ACTIVE',
  在业: 'ACTIVE',
  在册: 'ACTIVE',
  '吊销,未注销': 'REVOKED',
  吊销: 'REVOKED',
  '吊销,已注销': 'CANCELLED',
  注销: 'CANCELLED',
  撤销: 'CANCELLED',
  迁出: 'MOVED_OUT',
  停业: 'SUSPENDED',
  歇业: 'SUSPENDED',
  清算: 'LIQUIDATING',
  清算中: 'LIQUIDATING',
};

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
/** Registered enterprises older than the registry's 1990 default bound exist (state-owned since the 1950s). */
const FIRST_REGISTRATION = new Date('1949-10-01T00:00:00+08:00');

/** 主体类型 as registered → subject type; the USCC's registering-authority/type digits when the text says nothing. */
function subjectTypeOf(form: string | null, uscc: string | null): SubjectType {
  if (form) {
    if (form.includes('个体')) return 'INDIVIDUAL_BUSINESS';
    if (form.includes('合作社')) return 'FARMER_COOPERATIVE';
    if (/公司|企业|合伙|独资|分支机构|分公司|营业单位/.test(form)) return 'ENTERPRISE';
  }
  if (uscc) {
    const head = uscc.slice(0, 2);
    if (head === '91') return 'ENTERPRISE';
    if (head === '92') return 'INDIVIDUAL_BUSINESS';
    if (head === '93') return 'FARMER_COOPERATIVE';
    if (/^(1|5|8|N|Y|A)/.test(head)) return 'ORGANISATION';
  }
  return 'OTHER';
}

/** A calendar date (成立日期, 核准日期) as Avro `date`: days since 1970-01-01 of the Shanghai calendar. */
function calendarDay(raw: unknown, field: string, ctx: MappingContext): { day: number; epochMs: number } | null {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null;
  const t = parseTimestamp(raw, field, { now: new Date(ctx.ingestTime), notBefore: FIRST_REGISTRATION });
  return { day: Math.floor((t.epochMs + SHANGHAI_OFFSET_MS) / DAY_MS), epochMs: t.epochMs };
}

/** 曾用名: former names separated by "；" (or ";"), oldest first as the registry appends them. */
function formerNames(raw: unknown, current: string): string[] {
  const text = cleanText(raw, { field: '曾用名', maxLength: 2000 });
  if (text === null) return [];
  const out: string[] = [];
  for (const part of text.split(/[；;]/)) {
    const name = structuredText(part, { field: '曾用名', maxLength: 200 });
    if (name !== null && name !== current && !out.includes(name)) out.push(name);
  }
  return out;
}

/** 行政区划代码: 6-digit county (GB/T 2260) or 12-digit statistical code. */
function registeredDivision(raw: unknown): string | null {
  const text = cleanText(raw, { field: '行政区划代码' });
  if (text === null) return null;
  const code = normaliseCode(text, '行政区划代码');
  if (!/^\d{6}$/.test(code) && !/^\d{12}$/.test(code)) {
    throw new ValidationError('行政区划代码', `行政区划代码应为6位或12位数字 (division code must be the 6-digit county code or a 12-digit statistical code, got "${code}")`);
  }
  return code;
}

/** 行业代码 (GB/T 4754-2017): section letter and/or up to 4 digits, e.g. H6210 or H. */
function industryCode(raw: unknown): string | null {
  const text = cleanText(raw, { field: '行业代码' });
  if (text === null) return null;
  const code = normaliseCode(text, '行业代码').toUpperCase();
  if (!/^([A-T]\d{0,4}|\d{2,4})$/.test(code)) {
    throw new ValidationError('行业代码', `行业代码格式错误 (industry code must be a GB/T 4754 section letter and/or up to 4 digits, e.g. H6210; got "${code}")`);
  }
  return code;
}

export const mapMarketEntity: Mapping = (payload, ctx) => {
  const o = object(payload);
  const id = structuredId(o['主体身份代码'], '主体身份代码');
  const updated = parseTimestamp(o['更新时间'], '更新时间', { now: new Date(ctx.ingestTime) });
  const name = structuredText(o['主体名称'], { field: '主体名称', required: true, maxLength: 200 }) as string;

  const usccRaw = cleanText(o['统一社会信用代码'], { field: '统一社会信用代码' });
  const uscc = usccRaw === null ? null : validateUscc(usccRaw, '统一社会信用代码');

  const sourceStatus = cleanText(o['登记状态'], { field: '登记状态', required: true, maxLength: 50 });
  const status = STATUS[sourceStatus.normalize('NFKC').replace(/\s/g, '')];
  if (!status) {
    throw new MappingError(`未知的登记状态 "${sourceStatus}" (unknown registration status; expected e.g. 存续（在营、开业、在册）/注销/吊销，未注销/迁出/停业/清算)`, '登记状态');
  }

  const legalForm = structuredText(o['主体类型'], { field: '主体类型', maxLength: 100 });
  const repName = structuredText(o['法定代表人'], { field: '法定代表人', maxLength: 100 });
  const repIdRaw = cleanText(o['法定代表人证件号码'], { field: '法定代表人证件号码' });
  const repId = repIdRaw === null ? null : protectResidentId(repIdRaw, ctx.personalDataKey, '法定代表人证件号码', { now: new Date(ctx.ingestTime) });
  const phoneRaw = cleanText(o['联系电话'], { field: '联系电话' });
  const phone = phoneRaw === null ? null : protectPhone(phoneRaw, ctx.personalDataKey, '联系电话');

  const established = calendarDay(o['成立日期'], '成立日期', ctx);
  const approved = calendarDay(o['核准日期'], '核准日期', ctx);
  if (established && approved && approved.day < established.day) {
    throw new ValidationError('核准日期', `核准日期早于成立日期 (approval date ${String(o['核准日期'])} is before establishment ${String(o['成立日期'])})`);
  }
  const division = registeredDivision(o['行政区划代码']);

  const subject: Subject = {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: id,
      sourceVersion: updated.epochMs,
      // the registration state this row describes took effect on its approval date
      eventTime: approved?.epochMs ?? established?.epochMs ?? updated.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: division && division.length === 12 ? division : null,
      gridCode: null,
      location: null,
      connector: ctx.connectorId,
    },
    subjectType: subjectTypeOf(legalForm, uscc),
    uscc,
    legacyCode: null,
    name,
    formerNames: formerNames(o['曾用名'], name),
    legalForm,
    legalRepresentative: repName || repId ? { nameMasked: repName ? maskName(repName) : null, idHash: repId?.hash ?? null, idMasked: repId?.masked ?? null } : null,
    person: null,
    registeredAddress: structuredText(o['住所'], { field: '住所', maxLength: 500 }),
    businessAddress: null,
    registeredDivisionCode: division,
    industryCode: industryCode(o['行业代码']),
    industryName: structuredText(o['行业名称'], { field: '行业名称', maxLength: 100 }),
    businessScope: cleanText(o['经营范围'], { field: '经营范围', maxLength: 4000 }),
    registrationStatus: status,
    sourceRegistrationStatus: sourceStatus,
    registrationAuthority: structuredText(o['登记机关'], { field: '登记机关', maxLength: 100 }),
    establishedDate: established?.day ?? null,
    licences: [],
    phoneHash: phone?.hash ?? null,
    phoneMasked: phone?.masked ?? null,
    placeType: null,
    sourcePlaceType: null,
    operatorUscc: null,
  };
  return [{ kind: 'subject', key: uscc ?? `id:${id}`, value: subject }];
};
