/**
 * A row of the hidden-danger ledger (隐患排查治理台账, sheet 隐患台账) that towns and inspectors upload
 * as an XLSX workbook → canonical Report (channel INSPECTION).
 *
 * - Cells are what Excel holds: times may be text ("2026-03-02 04:15"), date cells (read as wall
 *   time) or serial numbers (46083.177…); numbers may be stored as text and the other way round.
 *   Times are read in spreadsheet mode (serials are days since 1899-12-30, Shanghai wall time).
 * - The enterprise's USCC is typed by hand (lower case, spaces, full width): normalised and
 *   validated; a code failing the GB 32100 check dead-letters the row.
 * - 隐患等级 (一般/重大) becomes the urgency; 整改期限 (a date) the deadline, at the end of that day;
 *   a deadline before the inspection is impossible.
 * - The responsible person (责任人) leaves the connector only as a masked name in the description;
 *   the phone number is not passed on (the Report has no field for a third party's phone).
 * - Coordinates are CGCS2000 from the inspection app (taken as WGS-84), often empty.
 */
import type { Report, ReportStatus } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { structuredText, townKey, sourceRecordId } from '../../sdk/mapping-helpers.js';
import { cleanText, maskName, normaliseCode, parseTimestamp, validateUscc } from '../../../core/normalise/index.js';
import type { Mapping } from '../../sdk/types.js';
import { columns, endOfShanghaiDay, locationOf, nameText, requireExportColumn } from '../natural-resources/columns.js';
import { townGazetteer, withDivisionNames, type TownGazetteer } from '../../sdk/towns.js';

const STATUS: Record<string, ReportStatus> = {
  未整改: 'RECEIVED',
  整改中: 'IN_PROGRESS',
  已整改: 'FOLLOW_UP', // rectified, waiting for the inspector to verify and close (销号)
  已销号: 'CLOSED',
};

const LEVELS: Record<string, string> = { 一般隐患: '一般隐患', 一般: '一般隐患', 重大隐患: '重大隐患', 重大: '重大隐患' };

/** Cells people fill with "nothing" instead of leaving them empty. */
const EMPTY = /^(无|暂无|\/|-+|—+|0)$/u;

const SPREADSHEET = { source: 'spreadsheet' } as const;

/** Unit names that are homes, not enterprises or shops. */
const DWELLING = /(自建房|民房|住宅|居民楼|\d+号楼|\d+栋)$/u;

export function makeHazardMapping(gazetteer: TownGazetteer = townGazetteer()): Mapping {
  return (payload, ctx) => {
    const col = columns(payload);
    requireExportColumn(col, '隐患编号', 'a hidden-danger ledger (sheet 隐患台账, header on row 2)');
    const idRaw = sourceRecordId(col('隐患编号'), '隐患编号');
    const id = normaliseCode(idRaw, '隐患编号');
    const inspected = parseTimestamp(col('排查时间'), '排查时间', SPREADSHEET);
    const updated = col('更新时间') === null ? inspected : parseTimestamp(col('更新时间'), '更新时间', SPREADSHEET);
    if (updated.epochMs < inspected.epochMs) {
      throw new ValidationError('更新时间', `更新时间早于排查时间 (updated ${updated.iso} before the inspection ${inspected.iso})`);
    }

    const sourceStatus = cleanText(col('整改状态'), { field: '整改状态', required: true, maxLength: 20 });
    const status = STATUS[sourceStatus];
    if (!status) throw new MappingError(`未知的整改状态 "${sourceStatus}" (unknown rectification status; expected one of ${Object.keys(STATUS).join('/')})`, '整改状态');

    const levelRaw = cleanText(col('隐患等级'), { field: '隐患等级', required: true, maxLength: 20 });
    const level = LEVELS[levelRaw.replace(/\s+/g, '')];
    if (!level) throw new ValidationError('隐患等级', `隐患等级无法识别 (hazard level "${levelRaw}"; expected 一般隐患 or 重大隐患)`);

    const deadlineDay = col('整改期限') === null ? null : parseTimestamp(col('整改期限'), '整改期限', SPREADSHEET);
    const deadline = deadlineDay === null ? null : endOfShanghaiDay(deadlineDay.epochMs);
    if (deadline !== null && deadline < inspected.epochMs) {
      throw new ValidationError('整改期限', `整改期限早于排查时间 (deadline ${deadlineDay?.iso.slice(0, 10)} is before the inspection ${inspected.iso})`);
    }

    // a number cell is a code Excel has damaged: validateUscc says so
    const usccCell = col('统一社会信用代码');
    const usccRaw = typeof usccCell === 'number' ? usccCell : cleanText(usccCell, { field: '统一社会信用代码', maxLength: 40 });
    const uscc = usccRaw === null || (typeof usccRaw === 'string' && EMPTY.test(usccRaw)) ? null : validateUscc(usccRaw, '统一社会信用代码');
    const unitName = nameText(col('单位名称'), { field: '单位名称', maxLength: 200 });
    // a dwelling ("钱刚自建房", "3号楼") is no enterprise: not the report's subject, and its owner's name only masked
    const dwelling = unitName !== null && uscc === null && DWELLING.test(unitName);
    const unit = dwelling ? null : unitName;
    const dwellingText = dwelling ? (unitName as string).replace(/^([\p{Script=Han}·]{2,12})(自建房|民房|住宅)$/u, (_m, owner: string, kind: string) => `${maskName(owner)}${kind}`) : null;

    const code = col('隐患类别代码') === null ? null : normaliseCode(String(col('隐患类别代码')), '隐患类别代码');
    if (code !== null && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(code)) {
      throw new ValidationError('隐患类别代码', `隐患类别代码格式错误 (expected a code such as YH05, got "${code.slice(0, 40)}")`);
    }
    const typeName = structuredText(col('隐患类别'), { field: '隐患类别', maxLength: 100 });

    const town = nameText(col('所在乡镇'), { field: '所在乡镇', maxLength: 50 });
    const street = structuredText(col('详细地址'), { field: '详细地址', maxLength: 500 });
    const known = gazetteer.byName(town) ?? gazetteer.inAddress(street);
    const division = known?.divisionCode ?? null;

    const what = cleanText(col('隐患描述'), { field: '隐患描述', required: true, maxLength: 2000 });
    const measures = cleanText(col('整改措施'), { field: '整改措施', maxLength: 1000 });
    const industry = structuredText(col('行业类别'), { field: '行业类别', maxLength: 50 });
    const responsible = nameText(col('责任人'), { field: '责任人', maxLength: 50 });
    const reportingUnit = structuredText(col('填报单位'), { field: '填报单位', maxLength: 200 });
    const facts = [
      dwellingText && `检查对象：${dwellingText}`,
      `隐患等级：${level}`,
      industry && `行业类别：${industry}`,
      measures && `整改措施：${measures}`,
      deadlineDay && `整改期限：${deadlineDay.iso.slice(0, 10)}`,
      responsible && `责任人：${maskName(responsible)}`,
      reportingUnit && `填报单位：${reportingUnit}`,
    ].filter((x): x is string => typeof x === 'string');

    const report: Report = {
      envelope: {
        sourceSystem: ctx.sourceSystem,
        department: ctx.department,
        sourceRecordId: id,
        sourceVersion: updated.epochMs,
        eventTime: inspected.epochMs,
        ingestTime: ctx.ingestTime,
        divisionCode: division,
        gridCode: null,
        location: locationOf(col('经度'), col('纬度'), 'CGCS2000', { lng: '经度', lat: '纬度' }),
        connector: ctx.connectorId,
      },
      channel: 'INSPECTION',
      title: typeName,
      description: `${what}\n【隐患信息】${facts.join('；')}`,
      sourceCategoryCode: code ?? typeName,
      categoryCode: ctx.mapCategory(code) ?? ctx.mapCategory(typeName),
      status,
      sourceStatus,
      urgency: level,
      address: withDivisionNames(street, town, null, known),
      reporterNameMasked: null,
      reporterPhoneHash: null,
      reporterPhoneMasked: null,
      subjectUscc: uscc,
      subjectName: unit,
      attachmentUrls: [],
      deadline,
      reporterIdHash: null,
      reporterIdMasked: null,
    };
    return [{ kind: 'report', key: townKey(division, id), value: report }];
  };
}

export const mapHazard: Mapping = makeHazardMapping();
