/**
 * A complaint of the 生态环境信访投诉举报管理平台 (12369), as the platform serves it
 * (connectors/adapters/environment/native.ts#EnvironmentComplaint, Chinese field names; see
 * docs/dataset-format.md) → canonical Report (channel COMPLAINT).
 *
 *  - 举报编号 is the record id, 更新时间 its version, 举报时间 the event time.
 *  - 经度/纬度 are Baidu (BD-09, 坐标系) geocodes of the address, null when not geocoded; they become
 *    WGS-84 with the original kept.
 *  - The platform gives only the 6-digit 区县代码 and the town by name (所属乡镇): the division is the
 *    town-level code (connectors/sdk/towns.ts); a town it does not know leaves the division empty.
 *  - 污染类型编码 (DQ-03 …) is the source category (schemas/catalogues/category-mappings/environment.json).
 *  - Anonymous complaints (是否匿名 = 是) carry no reporter data at all, whatever the row holds;
 *    otherwise the name is masked and the phone keyed-hashed and masked.
 *  - 被举报对象 / 被举报对象统一社会信用代码 are the subject (the USCC is validated, GB 32100).
 *  - 办理时限 is a date: the deadline is the end of that day (Shanghai).
 */
import type { Report, ReportStatus } from '../../../schemas/index.js';
import type { EnvironmentComplaint, EnvironmentStatus } from './native.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { object, structuredText, townKey, structuredId } from '../../sdk/mapping-helpers.js';
import { cleanText, maskName, normaliseCode, parseTimestamp, protectPhone, validateUscc, type Crs } from '../../../core/normalise/index.js';
import type { Mapping, MappingContext } from '../../sdk/types.js';
import { locationOf } from './location.js';
import { townGazetteer } from '../../sdk/towns.js';

/** A field of the native record (checked against the contract type by the compiler). */
const f = <K extends keyof EnvironmentComplaint>(k: K): K => k;

/**
 * 办理状态 (ENVIRONMENT_STATUSES) → canonical status. 已受理 means accepted and assigned to a handling
 * unit (承办单位 and 办理时限 are set then), i.e. dispatched; 不予受理 is a rejection.
 */
export const COMPLAINT_STATUS: Readonly<Record<EnvironmentStatus, ReportStatus>> = {
  待受理: 'RECEIVED',
  已受理: 'DISPATCHED',
  调查处理中: 'IN_PROGRESS',
  已办结: 'CLOSED',
  不予受理: 'REJECTED',
};

const CRS: Record<string, Crs> = { BD09: 'BD09', GCJ02: 'GCJ02', WGS84: 'WGS84', CGCS2000: 'CGCS2000' };
const YES = new Set(['是', 'Y', '1', 'TRUE']);
const NO = new Set(['否', 'N', '0', 'FALSE']);
const DAY_MS = 86_400_000;
const towns = townGazetteer();

const blank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function isAnonymous(raw: unknown): boolean {
  if (blank(raw)) return false;
  const v = typeof raw === 'boolean' ? String(raw).toUpperCase() : typeof raw === 'string' || typeof raw === 'number' ? String(raw).normalize('NFKC').trim().toUpperCase() : '';
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  throw new ValidationError(f('是否匿名'), `是否匿名应为"是"或"否" (expected 是/否, got ${JSON.stringify(raw)})`);
}

function crsOf(raw: unknown): Crs {
  if (blank(raw)) return 'BD09'; // the platform geocodes with Baidu
  const crs = CRS[String(raw).normalize('NFKC').toUpperCase().replace(/[\s_-]/g, '')];
  if (!crs) throw new ValidationError(f('坐标系'), `坐标系未知 (unknown coordinate system ${JSON.stringify(raw)}; expected BD09, GCJ02, WGS84 or CGCS2000)`);
  return crs;
}

/** 区县代码 (6 digits) + 所属乡镇 → the town-level 12-digit division code, or null when the town is unknown. */
function divisionOf(o: Record<string, unknown>, address: string | null): string | null {
  const countyRaw = o[f('区县代码')];
  const county = blank(countyRaw) ? null : normaliseCode(String(countyRaw), f('区县代码'));
  if (county !== null && !/^\d{6}$/.test(county)) throw new ValidationError(f('区县代码'), `区县代码应为6位数字 (county code must be 6 digits, got "${county}")`);
  const townName = cleanText(o[f('所属乡镇')], { field: f('所属乡镇'), maxLength: 50 });
  const town = towns.byName(townName) ?? towns.inAddress(address);
  if (town === null || (county !== null && !town.code.startsWith(county))) return null;
  return town.divisionCode;
}

function deadlineOf(raw: unknown, ctx: MappingContext, reported: { raw: unknown; epochMs: number }): number | null {
  if (blank(raw)) return null;
  const t = parseTimestamp(raw, f('办理时限'), { now: new Date(ctx.ingestTime) });
  // a date alone means "by the end of that day"
  const deadline = typeof raw === 'string' && /^\s*\d{4}-\d{1,2}-\d{1,2}\s*$/.test(raw.normalize('NFKC')) ? t.epochMs + DAY_MS - 1000 : t.epochMs;
  if (deadline < reported.epochMs) throw new ValidationError(f('办理时限'), `办理时限早于举报时间 (deadline ${String(raw)} is before the complaint ${String(reported.raw)})`);
  return deadline;
}

export const mapComplaint: Mapping = (payload, ctx) => {
  const o = object(payload);
  const id = structuredId(o[f('举报编号')], f('举报编号'));
  const now = { now: new Date(ctx.ingestTime) };
  const updated = parseTimestamp(o[f('更新时间')], f('更新时间'), now);
  const reported = parseTimestamp(o[f('举报时间')], f('举报时间'), now);

  const sourceStatus = cleanText(o[f('办理状态')], { field: f('办理状态'), required: true, maxLength: 20 });
  const status = (COMPLAINT_STATUS as Record<string, ReportStatus | undefined>)[sourceStatus.replace(/\s/g, '')];
  if (!status) throw new MappingError(`未知的办理状态 "${sourceStatus}" (unknown 办理状态; expected one of ${Object.keys(COMPLAINT_STATUS).join('/')})`, f('办理状态'));

  const anonymous = isAnonymous(o[f('是否匿名')]);
  const name = anonymous ? null : structuredText(o[f('举报人')], { field: f('举报人'), maxLength: 50 });
  const phoneRaw = anonymous ? null : cleanText(o[f('联系电话')], { field: f('联系电话') });
  const phone = phoneRaw === null ? null : protectPhone(phoneRaw, ctx.personalDataKey, f('联系电话'));

  const typeRaw = o[f('污染类型编码')];
  const typeCode = blank(typeRaw) ? null : normaliseCode(String(typeRaw), f('污染类型编码'));
  if (typeCode !== null && !/^[A-Z]{2}-\d{2}$/.test(typeCode)) throw new ValidationError(f('污染类型编码'), `污染类型编码格式错误 (expected e.g. DQ-03, got "${typeCode}")`);

  const usccRaw = o[f('被举报对象统一社会信用代码')];
  const uscc = blank(usccRaw) ? null : validateUscc(usccRaw, f('被举报对象统一社会信用代码'));
  const address = structuredText(o[f('被举报对象地址')], { field: f('被举报对象地址'), maxLength: 500 });
  const division = divisionOf(o, address);

  const report: Report = {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: id,
      sourceVersion: updated.epochMs,
      eventTime: reported.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: division,
      gridCode: null,
      location: locationOf(o[f('经度')], o[f('纬度')], crsOf(o[f('坐标系')]), { lng: f('经度'), lat: f('纬度') }),
      connector: ctx.connectorId,
    },
    channel: 'COMPLAINT',
    // the platform has no title: the complaint is its content
    title: null,
    description: cleanText(o[f('举报内容')], { field: f('举报内容'), required: true, maxLength: 4000 }),
    sourceCategoryCode: typeCode,
    categoryCode: ctx.mapCategory(typeCode),
    status,
    sourceStatus,
    urgency: null,
    address,
    reporterNameMasked: name ? maskName(name) : null,
    reporterPhoneHash: phone?.hash ?? null,
    reporterPhoneMasked: phone?.masked ?? null,
    subjectUscc: uscc,
    subjectName: structuredText(o[f('被举报对象')], { field: f('被举报对象'), maxLength: 200 }),
    attachmentUrls: [],
    deadline: deadlineOf(o[f('办理时限')], ctx, { raw: o[f('举报时间')], epochMs: reported.epochMs }),
  };
  return [{ kind: 'report', key: townKey(division, id), value: report }];
};
