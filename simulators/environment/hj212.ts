/**
 * The monitoring point's side of HJ 212-2017: building frames as data loggers (数采仪) send them.
 * Written independently of the connector's parser on purpose — both are checked against the
 * standard's published example (##0101…RtdInterval=30&&1C80), so a shared mistake cannot hide.
 */

/** CRC16 of HJ 212-2017's appendix (register 0xFFFF; (reg >> 8) ^ byte; 8 shifts with 0xA001). */
export function crc16(bytes: Uint8Array): number {
  let reg = 0xffff;
  for (const b of bytes) {
    reg = (reg >> 8) ^ b;
    for (let i = 0; i < 8; i++) reg = reg & 1 ? (reg >> 1) ^ 0xa001 : reg >> 1;
  }
  return reg;
}

export interface FrameFields {
  qn: string;
  st: string;
  cn: string;
  pw: string;
  mn: string;
  flag: number;
  /** CP groups in order, e.g. [['DataTime=20260305194200'], ['a34004-Rtd=35.2', 'a34004-Flag=N']] */
  cp: string[][];
}

/** Damage a frame the way transmission does: a flipped character (CRC fails) or a lost tail (length fails). */
export type Corruption = 'crc' | 'length';

export function buildFrame(f: FrameFields, corrupt?: Corruption): string {
  const data = `QN=${f.qn};ST=${f.st};CN=${f.cn};PW=${f.pw};MN=${f.mn};Flag=${f.flag};CP=&&${f.cp.map((g) => g.join(',')).join(';')}&&`;
  const bytes = Buffer.from(data, 'utf8');
  const crc = crc16(bytes).toString(16).toUpperCase().padStart(4, '0');
  const len = String(bytes.length).padStart(4, '0');
  if (corrupt === 'crc') {
    // one digit of a value changed after the CRC was computed
    const at = data.lastIndexOf('-Rtd=') + 5;
    const ch = data[at] === '9' ? '0' : String.fromCharCode(data.charCodeAt(at) + 1);
    return `##${len}${data.slice(0, at)}${ch}${data.slice(at + 1)}${crc}\r\n`;
  }
  if (corrupt === 'length') return `##${len}${data.slice(0, -7)}&&${crc}\r\n`;
  return `##${len}${data}${crc}\r\n`;
}

/** QN: yyyyMMddHHmmssSSS in Beijing time. */
export function qnOf(epochMs: number): string {
  return new Date(epochMs + 8 * 3600_000).toISOString().replace(/[-:TZ.]/g, '').slice(0, 17);
}

/** DataTime: yyyyMMddHHmmss in Beijing time. */
export function dataTimeOf(epochMs: number): string {
  return qnOf(epochMs).slice(0, 14);
}
