/**
 * 卫生监督: one inspection record (<JDJL>) of the supervision system's nightly XML export in GB18030,
 * every value a text (simulators/health-inspection/export.ts writes the same fields). 检查时间 as
 * 2026年03月02日 09时30分, 更新时间 as yyyy-MM-dd HH:mm:ss, the position as "纬度,经度" (WGS-84, some
 * rows the other way round), 处理状态 1 待整改 · 2 整改中 · 3 已整改待复查 · 4 立案查处 · 5 已撤销 · 6 复查合格.
 */
export type { Inspection } from '../../health-inspection/export.js';

export const HEALTH_INSPECTION_SOURCE = { department: 'health_inspection', sourceSystem: 'health-supervision', idField: 'JDBH' } as const;
