/**
 * 数字化城管 (GB/T 30428): a case as the SOAP WebService `queryCases` serves it — one <case> element
 * of the GBK envelope, every value a text (simulators/urban-management/server.ts serves the same
 * fields). 状态 follows 立案 → 派遣 → 处置 → 核查 → 结案, or 作废 (voided as a duplicate).
 */
import type { UrbanCase } from '../../urban-management/server.js';

export const URBAN_MANAGEMENT_SOURCE = { department: 'urban_management', sourceSystem: 'digital-urban-management', idField: 'ajbh' } as const;

/** The served fields of a case (the simulator's own bookkeeping, t and bad, is not served). */
export type UrbanCaseRecord = Omit<UrbanCase, 't' | 'bad'>;
