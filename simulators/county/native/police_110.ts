/**
 * 公安 110 非警务警情 handed over to 12345: one record of a signed JSON push ({records: [...]}), as
 * simulators/police-110 pushes it. Times yyyy/MM/dd HH:mm:ss; the caller's position as one BD-09
 * "lng,lat" text; 移交状态 1 已移交 · 2 已签收 · 3 已退回; an incident is pushed again when its state
 * changes, with a later 更新时间 (the dataset holds its latest push).
 */
import type { Handover } from '../../police-110/handovers.js';

export const POLICE_110_SOURCE = { department: 'police_110', sourceSystem: 'police-110-handover', idField: 'jjdbh' } as const;

export type HandoverRecord = Omit<Handover, 'bad'>;
