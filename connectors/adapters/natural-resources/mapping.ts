/**
 * A land-patrol finding (巡查线索) from the natural-resources law-enforcement supervision system's
 * CSV export → canonical Report (channel PATROL).
 *
 * - Every value is text; columns are read by their Chinese header names (see columns.ts).
 * - Times are Excel's way (2026/3/2, 2026/3/2 0:22), Shanghai wall time.
 * - The patrol GPS writes WGS-84 or CGCS2000 (taken as WGS-84) with 6 decimals; an empty 坐标系
 *   with coordinates present is the GPS default, WGS-84.
 * - The export has no update time. A finding is exported again when its status moves on
 *   (待核查 → 已核查 → 已立案/已整改, or 核实无问题), so the version is the discovery time plus the
 *   status's step: the same finding in the same status from two exports is the same version (the
 *   hub keeps one), a later status is a newer version.
 * - The party (当事人) is a person, a cooperative/enterprise, or 不详. An organisation becomes the
 *   report's subject (with its USCC when the ID column holds one); a person's name and ID number
 *   leave the connector only masked (and the ID is validated), in the description.
 * - Parcel facts (land type, area in 亩, satellite spot number, clue source, handling) go into the
 *   description after the patrol's own text; the town comes from the gazetteer (towns.ts).
 */
import type { Report, ReportStatus } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { structuredText, townKey, sourceRecordId } from '../../sdk/mapping-helpers.js';
import { cleanText, maskName, normaliseCode, parseTimestamp, protectResidentId, validateUscc, type Crs } from '../../../core/normalise/index.js';
import type { Mapping } from '../../sdk/types.js';
import { columns, locationOf, nameText, numberCell, requireExportColumn } from './columns.js';
import { townGazetteer, withDivisionNames, type TownGazetteer } from '../../sdk/towns.js';

/** Status label → canonical status and its step in the finding's life (the version offset). */
const STATUS: Record<string, { status: ReportStatus; step: number }> = {
  待核查: { status: 'RECEIVED', step: 0 },
  已核查: { status: 'IN_PROGRESS', step: 1 },
  已立案: { status: 'IN_PROGRESS', step: 2 },
  已整改: { status: 'CLOSED', step: 3 },
  核实无问题: { status: 'CLOSED', step: 3 },
};

const CRS: Record<string, Crs> = {
  WGS84: 'WGS84',
  CGCS2000: 'CGCS2000',
  '2000国家大地坐标系': 'CGCS2000',
  国家2000: 'CGCS2000',
  GCJ02: 'GCJ02',
  BD09: 'BD09',
};

/** 当事人 values that say "nobody known". */
const UNKNOWN_PARTY = /^(不详|未知|无|暂无|待查|-+|—+|\/)$/u;
/** Names of organisations (cooperatives, enterprises, units) as opposed to persons. */
const ORGANISATION = /(合作社|公司|厂|场|站|店|部|馆|中心|协会|学校|医院|委员会|经济组织|村民小组|政府|办事处|局|所|队|集团)(\(.*\))?$|有限/u;

function crsOf(raw: unknown): Crs {
  const text = cleanText(raw, { field: '坐标系', maxLength: 30 });
  if (text === null) return 'WGS84';
  const crs = CRS[text.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase()] ?? CRS[text.trim()];
  if (!crs) throw new ValidationError('坐标系', `坐标系未知 (unknown coordinate system "${text}"; the patrol GPS writes WGS84 or CGCS2000)`);
  return crs;
}

export function makePatrolMapping(gazetteer: TownGazetteer = townGazetteer()): Mapping {
  return (payload, ctx) => {
    const col = columns(payload);
    requireExportColumn(col, '线索编号', 'a patrol-finding export');
    const idRaw = sourceRecordId(col('线索编号'), '线索编号');
    const id = normaliseCode(idRaw, '线索编号');

    const patrolDay = col('巡查日期') === null ? null : parseTimestamp(col('巡查日期'), '巡查日期');
    const foundRaw = col('发现时间');
    if (foundRaw === null && patrolDay === null) throw new ValidationError('发现时间', '必填项为空: 发现时间 and 巡查日期 are both empty; a finding needs the time it was found');
    const found = foundRaw === null ? (patrolDay as NonNullable<typeof patrolDay>) : parseTimestamp(foundRaw, '发现时间');

    const sourceStatus = cleanText(col('状态'), { field: '状态', required: true, maxLength: 20 });
    const status = STATUS[sourceStatus];
    if (!status) throw new MappingError(`未知的线索状态 "${sourceStatus}" (unknown finding status; expected one of ${Object.keys(STATUS).join('/')})`, '状态');

    const code = col('问题类型代码') === null ? null : normaliseCode(String(col('问题类型代码')), '问题类型代码');
    if (code !== null && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(code)) {
      throw new ValidationError('问题类型代码', `问题类型代码格式错误 (expected a code such as ZY-TD-01, got "${code.slice(0, 40)}")`);
    }
    const typeName = structuredText(col('问题类型'), { field: '问题类型', maxLength: 100 });
    const categoryCode = ctx.mapCategory(code) ?? ctx.mapCategory(typeName);

    const town = nameText(col('乡镇（苏木）'), { field: '乡镇（苏木）', maxLength: 50 });
    const village = nameText(col('村（嘎查）'), { field: '村（嘎查）', maxLength: 50 });
    const position = structuredText(col('位置描述'), { field: '位置描述', maxLength: 500 });
    const known = gazetteer.byName(town) ?? gazetteer.inAddress(position);
    const division = known?.divisionCode ?? null;
    const location = locationOf(col('经度'), col('纬度'), crsOf(col('坐标系')), { lng: '经度', lat: '纬度' });

    const area = numberCell(col('涉及面积（亩）'), '涉及面积（亩）', '面积');
    if (area !== null && (area < 0 || area > 1_000_000)) throw new ValidationError('涉及面积（亩）', `面积不合理 (area ${area} 亩 is outside 0 … 1,000,000)`);

    // the party: an organisation is the report's subject; a person is only shown masked
    const partyName = nameText(col('当事人'), { field: '当事人', maxLength: 200 });
    const partyIdRaw = cleanText(col('当事人证件号码'), { field: '当事人证件号码', maxLength: 40 });
    const party = partyName === null || UNKNOWN_PARTY.test(partyName) ? null : partyName;
    const organisation = party !== null && (ORGANISATION.test(party) || (Array.from(party).length > 6 && !party.includes('·')));
    let subjectName: string | null = null;
    let subjectUscc: string | null = null;
    let partyText: string | null = null;
    if (organisation) {
      subjectName = party;
      if (partyIdRaw !== null) subjectUscc = validateUscc(partyIdRaw, '当事人证件号码');
    } else {
      const person = partyIdRaw === null ? null : protectResidentId(partyIdRaw, ctx.personalDataKey, '当事人证件号码');
      if (party !== null) partyText = `${maskName(party)}${person ? `（${person.masked}）` : ''}`;
      else if (person) partyText = person.masked;
    }

    const remark = cleanText(col('备注'), { field: '备注', maxLength: 2000 });
    const handling = cleanText(col('处置情况'), { field: '处置情况', maxLength: 500 });
    const spot = col('图斑编号') === null ? null : structuredText(normaliseCode(String(col('图斑编号')), '图斑编号'), { field: '图斑编号', maxLength: 64 });
    const landType = structuredText(col('地类'), { field: '地类', maxLength: 50 });
    const clueSource = structuredText(col('线索来源'), { field: '线索来源', maxLength: 50 });
    const facts = [
      landType && `地类：${landType}`,
      area !== null && `涉及面积：${String(area)}亩`,
      spot && `图斑编号：${spot}`,
      clueSource && `线索来源：${clueSource}`,
      partyText && `当事人：${partyText}`,
      handling && `处置情况：${handling}`,
    ].filter((x): x is string => typeof x === 'string');
    const lead = remark ?? [typeName, position].filter(Boolean).join('：');
    if (!lead) throw new ValidationError('备注', '必填项为空: the finding has no text (备注), no problem type and no position to describe it');
    const description = facts.length ? `${lead}\n【地块信息】${facts.join('；')}` : lead;

    const report: Report = {
      envelope: {
        sourceSystem: ctx.sourceSystem,
        department: ctx.department,
        sourceRecordId: id,
        sourceVersion: found.epochMs + status.step,
        eventTime: found.epochMs,
        ingestTime: ctx.ingestTime,
        divisionCode: division,
        gridCode: null,
        location,
        connector: ctx.connectorId,
      },
      channel: 'PATROL',
      title: typeName,
      description,
      sourceCategoryCode: code ?? typeName,
      categoryCode,
      status: status.status,
      sourceStatus,
      urgency: null,
      address: withDivisionNames(position, town, village, known),
      reporterNameMasked: null,
      reporterPhoneHash: null,
      reporterPhoneMasked: null,
      subjectUscc,
      subjectName,
      attachmentUrls: [],
      deadline: null,
      reporterIdHash: null,
      reporterIdMasked: null,
    };
    return [{ kind: 'report', key: townKey(division, id), value: report }];
  };
}

export const mapPatrolFinding: Mapping = makePatrolMapping();
