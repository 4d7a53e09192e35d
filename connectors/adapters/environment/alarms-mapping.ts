/**
 * An alarm pushed by the online-monitoring platform (污染源自动监控平台) → canonical Report
 * (channel ALARM). The push wraps the HJ 212-2017 frame the monitoring point sent with what the
 * platform knows about the point:
 *   { "id": "BJ…", "alarmType": "超标报警", "pointName": "…总排口", "enterpriseName": "…",
 *     "uscc": "…", "xzqhdm": "150625100001", "lng": 108.7, "lat": 39.8, "limits": {"w01018": 50},
 *     "frame": "##0123QN=…;ST=32;CN=2011;…&&ABCD\r\n" }
 * The frame is verified (length and CRC16); a damaged frame is dead-lettered naming frame.crc or
 * frame.length. The record id is MN:QN — the point's code and the frame's request number — so the
 * same frame pushed twice is the same record.
 */
import type { Report } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { divisionCode, object, townKey, sourceRecordId } from '../../sdk/mapping-helpers.js';
import { cleanText, formatShanghai, parseTimestamp, validateUscc } from '../../../core/normalise/index.js';
import type { Mapping } from '../../sdk/types.js';
import { HJ212_DATA_FLAGS, HJ212_POLLUTANTS, parseHj212 } from './hj212.js';
import { locationOf } from './location.js';

/** Commands that carry monitoring data (real-time, minute, hourly, daily). */
const DATA_COMMANDS: Record<string, string> = { '2011': '实时数据', '2051': '分钟数据', '2061': '小时数据', '2031': '日数据' };
const VALUE_ITEMS: Array<[string, string]> = [
  ['Rtd', '实时值'],
  ['Avg', '均值'],
  ['Max', '最大值'],
  ['Min', '最小值'],
];
/**
 * The department's complaint catalogue (schemas/catalogues/category-mappings/environment.json)
 * classifies by pollution type; a pollution-source alarm falls in its industrial class, so alarms
 * and complaints about the same plant meet in one category. Other systems keep their ST code.
 */
const CATEGORY_BY_SYSTEM: Record<string, string> = { '31': 'DQ-01', '32': 'SH-01' };

function limitOf(limits: unknown, code: string): number | null {
  if (limits === null || limits === undefined) return null;
  if (typeof limits !== 'object' || Array.isArray(limits)) throw new ValidationError('limits', `限值应为对象 (limits must map pollutant codes to numbers, got ${Array.isArray(limits) ? 'an array' : typeof limits})`);
  const v = (limits as Record<string, unknown>)[code];
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`limits.${code}`, `限值应为正数 (the limit of ${code} must be a positive number, got "${String(v)}")`);
  return n;
}

export const mapAlarm: Mapping = (payload, ctx) => {
  const o = object(payload);
  const alarmId = sourceRecordId(o.id, 'id');
  const frame = parseHj212(o.frame, 'frame');
  const kind = DATA_COMMANDS[frame.cn];
  if (!kind) throw new MappingError(`报警报文不是监测数据 (the frame's command CN=${frame.cn} carries no monitoring data; expected one of ${Object.keys(DATA_COMMANDS).join(', ')})`, 'frame.CN');
  if (!frame.dataTime) throw new ValidationError('frame.CP.DataTime', 'HJ 212 报文缺少数据时间 DataTime (the frame has no CP DataTime)');
  const dataTime = parseTimestamp(frame.dataTime, 'frame.CP.DataTime');
  const alarmType = cleanText(o.alarmType, { field: 'alarmType', required: true, maxLength: 50 });
  const pointName = cleanText(o.pointName, { field: 'pointName', maxLength: 200 });
  const division = divisionCode(o.xzqhdm, 'xzqhdm');
  const uscc = o.uscc === null || o.uscc === undefined || o.uscc === '' ? null : validateUscc(o.uscc, 'uscc');

  const readings: string[] = [];
  let worst = 0;
  for (const [code, items] of frame.pollutants) {
    const valueItem = VALUE_ITEMS.find(([k]) => items[k] !== undefined);
    if (!valueItem) continue; // e.g. only a flag or a cumulative value
    const [item, label] = valueItem;
    const value = Number(items[item]);
    if (items[item] === '' || !Number.isFinite(value)) throw new ValidationError(`frame.CP.${code}-${item}`, `HJ 212 监测值不是数字 (${code}-${item} must be a number, got "${items[item]}")`);
    const p = HJ212_POLLUTANTS[code];
    const unit = p?.unit ? ` ${p.unit}` : '';
    let text = `${p?.name ?? code}(${code}) ${label} ${items[item]}${unit}`;
    const limit = limitOf(o.limits, code);
    if (limit !== null) {
      text += `（限值 ${limit}${unit}`;
      if (value > limit) {
        const ratio = Math.round(((value - limit) / limit) * 100) / 100;
        worst = Math.max(worst, ratio);
        text += `，超标 ${ratio} 倍`;
      }
      text += '）';
    }
    const flag = items.Flag;
    if (flag && flag !== 'N') text += `，数据标志 ${flag}${HJ212_DATA_FLAGS[flag] ? `(${HJ212_DATA_FLAGS[flag]})` : ''}`;
    readings.push(text);
  }
  if (readings.length === 0) throw new MappingError('HJ 212 报文没有污染物监测值 (the frame carries no pollutant value such as a34004-Rtd)', 'frame.CP');

  const id = `${frame.mn}:${frame.qn ?? frame.dataTime}`;
  const category = CATEGORY_BY_SYSTEM[frame.st] ?? `HJ212-ST${frame.st}`;
  const where = pointName ?? `监测点 ${frame.mn}`;
  const description =
    `${where}${alarmType}：${readings.join('；')}。` +
    `${kind}时间 ${formatShanghai(dataTime.epochMs).slice(0, 19).replace('T', ' ')}，设备MN ${frame.mn}，报警编号 ${alarmId}。`;

  const report: Report = {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: id,
      sourceVersion: dataTime.epochMs,
      eventTime: dataTime.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: division,
      gridCode: null,
      location: locationOf(o.lng, o.lat, 'CGCS2000', { lng: 'lng', lat: 'lat' }),
      connector: ctx.connectorId,
    },
    channel: 'ALARM',
    title: cleanText(`${where}${alarmType}`, { field: 'pointName', maxLength: 200 }),
    description,
    sourceCategoryCode: category,
    categoryCode: ctx.mapCategory(category),
    status: 'RECEIVED',
    sourceStatus: alarmType,
    urgency: worst >= 1 ? '紧急' : '一般',
    address: null,
    reporterNameMasked: null,
    reporterPhoneHash: null,
    reporterPhoneMasked: null,
    subjectUscc: uscc,
    subjectName: cleanText(o.enterpriseName, { field: 'enterpriseName', maxLength: 200 }),
    attachmentUrls: [],
    deadline: null,
  };
  return [{ kind: 'report', key: townKey(division, id), value: report }];
};
