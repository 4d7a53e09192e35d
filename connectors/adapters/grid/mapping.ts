/**
 * Grid event (camelCase JSON, GCJ-02 coordinates, numeric status) → canonical Report; a verification
 * (核查, recordType 核查) the center asked of the grid workers → a StatusChange on the center's task.
 */
import type { Location, Report, ReportStatus, StatusChange } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { cleanText, maskName, normaliseCode, parseTimestamp, protectPhone, toCanonical, validateUscc, type BBox } from '../../../core/normalise/index.js';
import { divisionCode, object, structuredText, townKey, sourceRecordId } from '../../sdk/mapping-helpers.js';
import type { Mapping } from '../../sdk/types.js';
import { COUNTY_BBOX } from './manifest.js';

const STATUS: Record<string, ReportStatus> = {
  1: 'RECEIVED', // 待受理
  2: 'DISPATCHED', // 已派遣
  3: 'IN_PROGRESS', // 处置中
  4: 'FOLLOW_UP', // 待核查
  5: 'CLOSED', // 已结案
  6: 'REJECTED', // 已退回
};
const STATUS_BY_NAME: Record<string, string> = { 待受理: '1', 已派遣: '2', 处置中: '3', 待核查: '4', 已结案: '5', 已退回: '6' };

function coordinate(raw: unknown, field: string): number | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw new ValidationError(field, `坐标不是数字 (expected a number, got ${JSON.stringify(raw)})`);
  return n;
}

/**
 * GCJ-02 → WGS-84, keeping what the device sent. Devices that swap latitude and longitude are fixed with
 * the county's box; a point outside the county either way is dead-lettered; no position (null, or 0,0
 * from a device without a fix) gives no location rather than losing the report.
 */
function location(o: Record<string, unknown>, bbox: BBox): Location | null {
  const lng = coordinate(o.lng, 'lng');
  const lat = coordinate(o.lat, 'lat');
  if (lng === null && lat === null) return null;
  if (lng === null || lat === null) throw new ValidationError(lng === null ? 'lng' : 'lat', '坐标不完整 (only one of lng/lat is present)');
  if (lng === 0 && lat === 0) return null;
  const p = toCanonical({ lng, lat, crs: 'GCJ02' }, bbox, 'lng');
  return { lng: p.lng, lat: p.lat, originalLng: p.original.lng, originalLat: p.original.lat, originalCrs: 'GCJ02' };
}

function photos(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((u): u is string => typeof u === 'string' && /^https?:\/\/\S+$/.test(u.trim())).map((u) => u.trim());
}

/** 核查结果 → whether the departments' result holds. */
const VERIFIED: Record<string, boolean> = { 通过: true, 合格: true, 不通过: false, 不合格: false };

/**
 * The grid worker's verification of a closure (核查): a FOLLOW_UP carrying the verdict as its result,
 * on the task the center named (rwbh) — passed: the matter can close; failed: the lead's task goes
 * back to work with the worker's words (重办). Keyed by the matter, like the departments' progress
 * on it, so it follows the closure it verifies on the status-change topic.
 */
function mapVerification(o: Record<string, unknown>, id: string, ctx: Parameters<Mapping>[1]): StatusChange {
  const matterId = sourceRecordId(o.sjbh, 'sjbh');
  const taskId = sourceRecordId(o.rwbh, 'rwbh');
  const verdict = structuredText(o.hcjg, { field: 'hcjg', maxLength: 10 });
  const passed = verdict === null ? undefined : VERIFIED[verdict];
  if (passed === undefined) throw new MappingError(`未知的核查结果 "${String(o.hcjg)}" (unknown verification verdict; expected ${Object.keys(VERIFIED).join('/')})`, 'hcjg');
  const at = parseTimestamp(o.hcsj, 'hcsj');
  const updated = parseTimestamp(o.updateTime, 'updateTime');
  const opinion = cleanText(o.hcyj, { field: 'hcyj', maxLength: 2000 });
  return {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: id,
      sourceVersion: updated.epochMs,
      eventTime: at.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: null,
      gridCode: null,
      location: null,
      connector: ctx.connectorId,
    },
    target: { kind: 'TASK', record: null, matterId, taskId },
    status: 'FOLLOW_UP',
    sourceStatus: passed ? '核查通过' : '核查不通过',
    // the worker's clock, like a 回访: the hub judges a verdict by time against the closure it verifies
    version: at.epochMs,
    occurredAt: at.epochMs,
    actorDepartment: ctx.department,
    actorUnitName: null,
    actorNameMasked: null,
    note: opinion,
    requestedDeadline: null,
    dispatchVersion: null,
    result: { outcome: passed ? 'RESOLVED' : 'UNRESOLVED', sourceOutcome: verdict, text: opinion ?? verdict! },
    attachments: [],
  };
}

export function makeGridMapping(bbox: BBox): Mapping {
  return (payload, ctx) => {
    const o = object(payload);
    const id = sourceRecordId(o.eventId, 'eventId');
    if (o.recordType === '核查') {
      const change = mapVerification(o, id, ctx);
      return [{ kind: 'status-change', key: change.target.matterId!, value: change }];
    }
    const updated = parseTimestamp(o.updateTime, 'updateTime');
    const reported = parseTimestamp(o.reportTime, 'reportTime');
    const happened = o.happenTime ? parseTimestamp(o.happenTime, 'happenTime') : reported;

    const rawStatus = o.status ?? (typeof o.statusName === 'string' ? STATUS_BY_NAME[o.statusName] : undefined);
    const status = rawStatus === undefined || rawStatus === null ? undefined : STATUS[String(rawStatus)];
    if (!status) throw new MappingError(`未知的事件状态 "${String(o.status ?? o.statusName)}" (unknown grid event status; expected 1–6)`, 'status');
    const sourceStatus = structuredText(o.statusName, { field: 'statusName', maxLength: 20 }) ?? String(rawStatus);

    const gridRaw = structuredText(o.gridCode, { field: 'gridCode' });
    const gridCode = gridRaw === null ? null : normaliseCode(gridRaw, 'gridCode');
    if (gridCode !== null && !/^\d{15}$/.test(gridCode)) {
      throw new ValidationError('gridCode', `网格编码应为15位数字 (grid code must be the 12-digit village code + a 3-digit serial, got "${gridCode}")`);
    }
    const division = divisionCode(o.divisionCode, 'divisionCode') ?? (gridCode ? gridCode.slice(0, 12) : null);
    if (gridCode && division && !gridCode.startsWith(division)) {
      throw new ValidationError('gridCode', `网格编码与行政区划不符 (grid ${gridCode} does not belong to division ${division})`);
    }

    const phoneRaw = cleanText(o.reporterPhone, { field: 'reporterPhone' });
    const phone = phoneRaw ? protectPhone(phoneRaw, ctx.personalDataKey, 'reporterPhone') : null;
    const name = structuredText(o.reporterName, { field: 'reporterName', maxLength: 50 });
    const sourceCategory = structuredText(o.eventTypeCode, { field: 'eventTypeCode', maxLength: 100 });
    const usccRaw = cleanText(o.subjectCreditCode, { field: 'subjectCreditCode' });
    const deadline = o.deadline ? parseTimestamp(o.deadline, 'deadline').epochMs : null;

    const report: Report = {
      envelope: {
        sourceSystem: ctx.sourceSystem,
        department: ctx.department,
        sourceRecordId: id,
        sourceVersion: updated.epochMs,
        eventTime: happened.epochMs,
        ingestTime: ctx.ingestTime,
        divisionCode: division,
        gridCode,
        location: location(o, bbox),
        connector: ctx.connectorId,
      },
      channel: 'GRID',
      title: structuredText(o.title, { field: 'title', maxLength: 200 }),
      description: cleanText(o.content, { field: 'content', required: true, maxLength: 4000 }),
      sourceCategoryCode: sourceCategory,
      categoryCode: ctx.mapCategory(sourceCategory),
      status,
      sourceStatus,
      urgency: structuredText(o.level, { field: 'level', maxLength: 10 }),
      address: structuredText(o.address, { field: 'address', maxLength: 500 }),
      reporterNameMasked: name ? maskName(name) : null,
      reporterPhoneHash: phone?.hash ?? null,
      reporterPhoneMasked: phone?.masked ?? null,
      subjectUscc: usccRaw ? validateUscc(usccRaw, 'subjectCreditCode') : null,
      subjectName: structuredText(o.subjectName, { field: 'subjectName', maxLength: 200 }),
      attachmentUrls: photos(o.photos),
      deadline,
    };
    return [{ kind: 'report', key: townKey(division, id), value: report }];
  };
}

export const mapGridEvent: Mapping = makeGridMapping(COUNTY_BBOX);
