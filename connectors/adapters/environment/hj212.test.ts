import { describe, expect, it } from 'vitest';
import { buildFrame, crc16 as simulatorCrc16 } from '../../../simulators/environment/hj212.js';
import { CountyHubError } from '../../../core/errors.js';
import { hj212Crc16, hj212CrcHex, parseHj212 } from './hj212.js';

/** The example frame printed in HJ 212-2017 (and quoted by every implementation of it). */
const STANDARD_DATA = 'QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&';
const STANDARD_FRAME = `##0101${STANDARD_DATA}1C80\r\n`;

function frameOf(data: string): string {
  return `##${String(Buffer.byteLength(data)).padStart(4, '0')}${data}${hj212CrcHex(data)}\r\n`;
}

function failure(fn: () => unknown): CountyHubError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CountyHubError);
    return err as CountyHubError;
  }
  throw new Error('expected the frame to be rejected');
}

describe('HJ 212-2017 CRC16', () => {
  it('gives 1C80 for the standard example data segment', () => {
    expect(hj212Crc16(STANDARD_DATA)).toBe(0x1c80);
    expect(hj212CrcHex(STANDARD_DATA)).toBe('1C80');
  });

  it('is not CRC-16/MODBUS (the standard defines its own variant)', () => {
    // CRC-16/MODBUS of "123456789" is 4B37; the HJ 212 register update gives something else
    expect(hj212CrcHex('123456789')).not.toBe('4B37');
  });

  it('agrees with the simulator, an independent implementation, on many frames', () => {
    for (let i = 0; i < 200; i++) {
      const data = `QN=2026030519420${String(i).padStart(4, '0')};ST=31;CN=2011;MN=MN${i};CP=&&DataTime=20260305194200;a34004-Rtd=${(i * 1.7).toFixed(1)},a34004-Flag=N&&`;
      expect(hj212Crc16(data)).toBe(simulatorCrc16(Buffer.from(data)));
    }
  });
});

describe('parseHj212', () => {
  it('reads the standard example: header fields, CP parameters, declared length 101', () => {
    const f = parseHj212(STANDARD_FRAME);
    expect(f).toMatchObject({ qn: '20160801085857223', st: '32', cn: '1062', pw: '100000', mn: '010000A8900016F000169DC0', flag: 5, dataTime: null, crc: '1C80' });
    expect(f.params).toEqual({ RtdInterval: '30' });
    expect(Buffer.byteLength(f.dataSegment)).toBe(101);
  });

  it('groups pollutant items by code and keeps DataTime apart', () => {
    const f = parseHj212(frameOf('QN=20260305194207123;ST=22;CN=2011;PW=123456;MN=15062510000101;Flag=4;CP=&&DataTime=20260305194200;a34004-Rtd=35.2,a34004-Flag=N;a34002-Rtd=80,a34002-Flag=M&&'));
    expect(f.dataTime).toBe('20260305194200');
    expect(Object.fromEntries(f.pollutants)).toEqual({ a34004: { Rtd: '35.2', Flag: 'N' }, a34002: { Rtd: '80', Flag: 'M' } });
  });

  it('accepts a frame without the trailing CR LF and a lower-case CRC', () => {
    const frame = STANDARD_FRAME.trimEnd().replace(/1C80$/, '1c80');
    expect(parseHj212(frame).crc).toBe('1C80');
  });

  it('rejects a changed character with a CRC error naming frame.crc', () => {
    const e = failure(() => parseHj212(STANDARD_FRAME.replace('RtdInterval=30', 'RtdInterval=31')));
    expect(e).toMatchObject({ code: 'CH_VALIDATION', field: 'frame.crc' });
    expect(e.message).toContain('1C80');
  });

  it('rejects frames built damaged by the simulator: CRC and length', () => {
    const fields = { qn: '20260305194207123', st: '32', cn: '2011', pw: '123456', mn: '15062510000101', flag: 4, cp: [['DataTime=20260305194200'], ['w01018-Rtd=86.2', 'w01018-Flag=N']] };
    expect(parseHj212(buildFrame(fields)).mn).toBe('15062510000101');
    expect(failure(() => parseHj212(buildFrame(fields, 'crc'))).field).toBe('frame.crc');
    expect(failure(() => parseHj212(buildFrame(fields, 'length'))).field).toBe('frame.length');
  });

  it('checks the declared length in bytes, so a multi-byte character counts as its UTF-8 bytes', () => {
    const data = 'QN=20260305194207123;ST=32;CN=2011;MN=ABC;CP=&&DataTime=20260305194200;w01018-Rtd=1,备注=甲&&';
    expect(parseHj212(frameOf(data)).params['备注']).toBe('甲');
    const wrong = `##${String(data.length).padStart(4, '0')}${data}${hj212CrcHex(data)}`;
    expect(failure(() => parseHj212(wrong)).field).toBe('frame.length');
  });

  it('names the part of the frame that is wrong', () => {
    expect(failure(() => parseHj212('')).field).toBe('frame');
    expect(failure(() => parseHj212(`#0101${STANDARD_DATA}1C80`)).field).toBe('frame');
    expect(failure(() => parseHj212(`##01a1${STANDARD_DATA}1C80`)).field).toBe('frame.length');
    expect(failure(() => parseHj212(`##0101${STANDARD_DATA}1C8G`)).field).toBe('frame.crc');
    expect(failure(() => parseHj212(frameOf('QN=20260305194207123;ST=32;CN=2011;MN=ABC;CP=DataTime=20260305194200'))).field).toBe('frame.CP');
    expect(failure(() => parseHj212(frameOf('QN=20260305194207123;ST=32;CN=2011;CP=&&DataTime=20260305194200&&'))).field).toBe('frame.MN');
    expect(failure(() => parseHj212(frameOf('QN=2026;ST=32;CN=2011;MN=ABC;CP=&&&&'))).field).toBe('frame.QN');
    expect(failure(() => parseHj212(frameOf('ST=32;CN=2011;MN=ABC;CP=&&DataTime=2026030519&&'))).field).toBe('frame.CP.DataTime');
    expect(failure(() => parseHj212(frameOf('ST=32;CN=2011;MN=ABC;XX=1;CP=&&&&'))).field).toBe('frame.XX');
    expect(failure(() => parseHj212(STANDARD_FRAME.replace('30', '31'), 'payload.msg')).field).toBe('payload.msg.crc');
  });
});
