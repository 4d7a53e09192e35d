/**
 * HJ 212-2017 (污染物在线监控（监测）系统数据传输标准) frames, as online-monitoring platforms
 * forward them:
 *
 *   ##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n
 *   ^^ ^^^^ data segment (its length in bytes, 4 decimal digits)                                                ^^^^ CRC16 (hex)
 *
 * The data segment is `key=value` pairs separated by ";", ending with CP=&&…&& (the command
 * parameters: DataTime and pollutant values such as a34004-Rtd=35.2,a34004-Flag=N, pollutants
 * separated by ";" and a pollutant's items by ","). The CRC is the standard's own CRC16 (appendix
 * of the standard; not CRC-16/MODBUS): register 0xFFFF, each byte XORed into the register shifted
 * right by 8, then 8 shifts with 0xA001. Every check names the part of the frame that failed, so a
 * damaged frame becomes a dead letter that says where.
 * No npm package parses these; this module is small on purpose.
 */
import { ValidationError } from '../../../core/errors.js';

export interface Hj212Frame {
  /** Request number: yyyyMMddHHmmssSSS, unique per frame of one MN. */
  qn: string | null;
  /** System code: 21 surface water, 22 air quality, 31 air pollution source, 32 water pollution source, … */
  st: string;
  /** Command code: 2011 real-time data, 2051 minute, 2061 hourly, 2031 daily data, … */
  cn: string;
  pw: string | null;
  /** The monitoring point's (data logger's) unique code. */
  mn: string;
  flag: number | null;
  /** CP's DataTime, yyyyMMddHHmmss (Beijing time), when present. */
  dataTime: string | null;
  /** Pollutant code → its items (Rtd, Avg, Min, Max, Cou, Flag, ZsRtd, …) as written. */
  pollutants: Map<string, Record<string, string>>;
  /** CP pairs that are not pollutant items (e.g. RtdInterval). */
  params: Record<string, string>;
  dataSegment: string;
  crc: string;
}

/** The standard's CRC16 over the bytes of the data segment. */
export function hj212Crc16(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let reg = 0xffff;
  for (const b of bytes) {
    reg = (reg >> 8) ^ b;
    for (let i = 0; i < 8; i++) {
      const lsb = reg & 1;
      reg >>= 1;
      if (lsb) reg ^= 0xa001;
    }
  }
  return reg & 0xffff;
}

export function hj212CrcHex(data: string | Uint8Array): string {
  return hj212Crc16(data).toString(16).toUpperCase().padStart(4, '0');
}

/** Pollutant codes of HJ 212-2017 appendix B that county platforms commonly forward: name and unit. */
export const HJ212_POLLUTANTS: Record<string, { name: string; unit: string }> = {
  a34004: { name: 'PM2.5', unit: 'μg/m³' },
  a34002: { name: 'PM10', unit: 'μg/m³' },
  a34013: { name: '烟尘', unit: 'mg/m³' },
  a21026: { name: '二氧化硫', unit: 'mg/m³' },
  a21002: { name: '氮氧化物', unit: 'mg/m³' },
  a21004: { name: '二氧化氮', unit: 'μg/m³' },
  a21005: { name: '一氧化碳', unit: 'mg/m³' },
  a05024: { name: '臭氧', unit: 'μg/m³' },
  a24088: { name: '非甲烷总烃', unit: 'mg/m³' },
  a01012: { name: '烟气温度', unit: '℃' },
  a19001: { name: '氧气含量', unit: '%' },
  w01018: { name: '化学需氧量', unit: 'mg/L' },
  w21003: { name: '氨氮', unit: 'mg/L' },
  w21011: { name: '总磷', unit: 'mg/L' },
  w21001: { name: '总氮', unit: 'mg/L' },
  w01001: { name: 'pH值', unit: '' },
  w00000: { name: '污水流量', unit: 'L/s' },
};

/** Data flags of HJ 212-2017 (the state of the instrument when the value was taken). */
export const HJ212_DATA_FLAGS: Record<string, string> = {
  N: '正常',
  F: '停运',
  M: '维护',
  S: '手工输入',
  D: '故障',
  C: '校准',
  T: '超测上限',
  B: '通讯异常',
};

const HEADER_KEYS = ['QN', 'ST', 'CN', 'PW', 'MN', 'Flag'] as const;

/**
 * Parses and verifies one frame. Throws ValidationError naming `<field>.length`, `<field>.crc`,
 * `<field>.MN`, `<field>.CP.DataTime`, … for anything wrong. The trailing \r\n is optional
 * (platforms that wrap frames in JSON often strip it).
 */
export function parseHj212(raw: unknown, field = 'frame'): Hj212Frame {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ValidationError(field, 'HJ 212 报文为空 (the HJ 212 frame is missing)');
  const text = raw.replace(/\r?\n$/, '').replace(/\r$/, '');
  if (!text.startsWith('##')) throw new ValidationError(field, `HJ 212 报文头错误 (a frame starts with "##", got "${text.slice(0, 8)}")`);
  const lenText = text.slice(2, 6);
  if (!/^\d{4}$/.test(lenText)) throw new ValidationError(`${field}.length`, `HJ 212 数据段长度应为4位数字 (the 4-digit data length after "##" is "${lenText}")`);
  if (text.length < 10) throw new ValidationError(field, 'HJ 212 报文过短 (the frame is too short to hold a data segment and a CRC)');
  const dataSegment = text.slice(6, -4);
  const crc = text.slice(-4);
  const declared = Number(lenText);
  const actual = Buffer.byteLength(dataSegment, 'utf8');
  if (declared !== actual) {
    throw new ValidationError(`${field}.length`, `HJ 212 数据段长度不符 (the frame declares ${declared} bytes of data but carries ${actual}: truncated or altered in transit)`);
  }
  if (!/^[0-9A-Fa-f]{4}$/.test(crc)) throw new ValidationError(`${field}.crc`, `HJ 212 校验码应为4位十六进制 (the CRC must be 4 hex digits, got "${crc}")`);
  const expected = hj212CrcHex(dataSegment);
  if (expected !== crc.toUpperCase()) {
    throw new ValidationError(`${field}.crc`, `HJ 212 CRC 校验失败 (the frame's CRC16 is ${crc.toUpperCase()} but its data segment gives ${expected}: the frame was altered in transit)`);
  }

  const cpAt = dataSegment.indexOf('CP=&&');
  if (cpAt < 0 || !dataSegment.endsWith('&&') || dataSegment.length < cpAt + 7) {
    throw new ValidationError(`${field}.CP`, 'HJ 212 数据段缺少 CP=&&…&& (the data segment must end with the command parameters CP=&&…&&)');
  }
  const header: Record<string, string> = {};
  for (const part of dataSegment.slice(0, cpAt).split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ValidationError(`${field}.${part.slice(0, 10) || 'header'}`, `HJ 212 字段格式错误 (expected key=value, got "${part.slice(0, 40)}")`);
    header[part.slice(0, eq)] = part.slice(eq + 1);
  }
  for (const k of ['ST', 'CN', 'MN'] as const) {
    if (!header[k]) throw new ValidationError(`${field}.${k}`, `HJ 212 报文缺少 ${k} (the frame has no ${k}=)`);
  }
  const mn = header.MN!;
  if (!/^[0-9A-Za-z]{1,24}$/.test(mn)) throw new ValidationError(`${field}.MN`, `HJ 212 设备唯一标识 MN 无效 (MN must be 1–24 letters or digits, got "${mn.slice(0, 30)}")`);
  if (!/^\d{2}$/.test(header.ST!)) throw new ValidationError(`${field}.ST`, `HJ 212 系统编码 ST 应为2位数字 (got "${header.ST}")`);
  if (!/^\d{4}$/.test(header.CN!)) throw new ValidationError(`${field}.CN`, `HJ 212 命令编码 CN 应为4位数字 (got "${header.CN}")`);
  const qn = header.QN ?? null;
  if (qn !== null && !/^\d{17}$/.test(qn)) throw new ValidationError(`${field}.QN`, `HJ 212 请求编码 QN 应为17位 yyyyMMddHHmmssSSS (got "${qn}")`);
  const flag = header.Flag === undefined ? null : Number(header.Flag);
  if (flag !== null && (!Number.isInteger(flag) || flag < 0 || flag > 255)) throw new ValidationError(`${field}.Flag`, `HJ 212 Flag 应为0–255的整数 (got "${header.Flag}")`);
  for (const k of Object.keys(header)) {
    if (!(HEADER_KEYS as readonly string[]).includes(k)) throw new ValidationError(`${field}.${k}`, `HJ 212 未知的数据段字段 ${k} (unknown data-segment field; expected ${HEADER_KEYS.join(', ')}, CP)`);
  }

  const pollutants = new Map<string, Record<string, string>>();
  const params: Record<string, string> = {};
  const cp = dataSegment.slice(cpAt + 5, -2);
  for (const group of cp.split(';')) {
    for (const item of group.split(',')) {
      if (item === '') continue;
      const eq = item.indexOf('=');
      if (eq <= 0) throw new ValidationError(`${field}.CP`, `HJ 212 CP 数据格式错误 (expected key=value, got "${item.slice(0, 40)}")`);
      const key = item.slice(0, eq);
      const value = item.slice(eq + 1);
      const dash = key.indexOf('-');
      if (dash > 0) {
        const code = key.slice(0, dash);
        const items = pollutants.get(code) ?? {};
        items[key.slice(dash + 1)] = value;
        pollutants.set(code, items);
      } else params[key] = value;
    }
  }
  const dataTime = params.DataTime ?? null;
  if (dataTime !== null && !/^\d{14}$/.test(dataTime)) throw new ValidationError(`${field}.CP.DataTime`, `HJ 212 数据时间 DataTime 应为14位 yyyyMMddHHmmss (got "${dataTime}")`);
  return { qn, st: header.ST!, cn: header.CN!, pw: header.PW ?? null, mn, flag, dataTime, pollutants, params, dataSegment, crc: crc.toUpperCase() };
}
