/**
 * 卫生监督 (health inspection): the supervision system's nightly export of inspection records, an
 * XML file in GB18030 (declared in the XML declaration) dropped onto a share. What the real exports
 * do, reproduced here:
 *  - GB18030 four-byte characters in unit names (𠮷, 㵘: extension planes GBK cannot hold);
 *  - times as 2026年11月23日 09时30分, update times as yyyy-MM-dd HH:mm:ss;
 *  - the position as one text "纬度,经度" (lat,lng, WGS84), every seventh row the other way round;
 *  - status codes 1–6 (5 已撤销, the inspection was withdrawn);
 *  - bad rows: a USCC with a wrong check character, an inspection with no description;
 *  - a crashed export: the file stops mid-element (its records come again in the next export).
 * Deterministic for a seed. Used by simulators/health-inspection/main.ts and the tests.
 */
import iconv from 'iconv-lite';
import { countyProfile } from '../../core/county-profile.js';
import { usccCheckChar } from '../../core/normalise/uscc.js';
import type { DropFile } from '../natural-resources/drop-writer.js';
import { pick, seededRandom } from '../shared/county.js';

export interface Inspection {
  JDBH: string;
  DWMC: string;
  TYSHXYDM: string;
  DZ: string;
  ZYLB: string;
  JCSJ: string;
  WTMS: string;
  CLZT: string;
  GXSJ: string;
  ZB: string;
}

/** What the mapping must make of a record: a report, or a dead letter naming the field. */
export interface PlannedInspection {
  record: Inspection;
  bad?: 'TYSHXYDM' | 'WTMS';
}

const FIELDS = ['GGCS', 'YYS', 'YLWS', 'XXWS'] as const;
const UNITS: Record<(typeof FIELDS)[number], string[]> = {
  GGCS: ['宾馆', '洗浴中心', '美容美发店', '游泳馆', '网吧'],
  YYS: ['二次供水泵房', '村集中供水站', '桶装水经营部'],
  YLWS: ['诊所', '卫生室', '口腔门诊部'],
  XXWS: ['中心小学', '幼儿园', '寄宿制中学'],
};
const PROBLEMS: Record<(typeof FIELDS)[number], string[]> = {
  GGCS: ['从业人员未取得有效健康合格证明', '公共用品用具未做到一客一换一消毒', '未公示卫生信息'],
  YYS: ['二次供水水箱未按规定清洗消毒', '未开展水质检测', '供管水人员无健康证明'],
  YLWS: ['超出诊疗科目范围执业', '医疗废物未分类收集', '非卫生技术人员从事诊疗活动'],
  XXWS: ['教室采光照明不达标', '饮用水设施未定期消毒', '传染病晨检记录不全'],
};
const NAME_PREFIX = ['𠮷祥', '鸿运', '康宁', '㵘源', '锦华', '兴隆', '安泰', '福瑞'];
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

function uscc(rand: () => number, area: string): string {
  let body = `92${area}`;
  while (body.length < 17) body += ALPHABET[Math.floor(rand() * 31)];
  return body + usccCheckChar(body);
}

const p2 = (n: number) => String(n).padStart(2, '0');
function wall(ms: number): { cn: string; iso: string } {
  const d = new Date(ms + 8 * 3600_000);
  const [y, mo, da, h, mi, s] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return { cn: `${y}年${p2(mo)}月${p2(da)}日 ${p2(h)}时${p2(mi)}分`, iso: `${y}-${p2(mo)}-${p2(da)} ${p2(h)}:${p2(mi)}:${p2(s)}` };
}

/** `count` inspection records from `startMs` on (one every few minutes). */
export function planInspections(count: number, seed = 1, startMs = Date.UTC(2026, 10, 23, 0, 30)): PlannedInspection[] {
  const rand = seededRandom(seed);
  const profile = countyProfile();
  const out: PlannedInspection[] = [];
  for (let i = 0; i < count; i++) {
    const town = profile.towns[i % profile.towns.length]!;
    const field = FIELDS[i % FIELDS.length]!;
    const at = startMs + i * 180_000 + Math.floor(rand() * 60) * 1000;
    const lat = (town.centre[1] + (rand() - 0.5) * 0.02).toFixed(6);
    const lng = (town.centre[0] + (rand() - 0.5) * 0.02).toFixed(6);
    const village = pick(rand, town.villages);
    let code = uscc(rand, profile.code);
    let bad: PlannedInspection['bad'];
    if (i % 50 === 17) {
      code = code.slice(0, 17) + (code[17] === '0' ? '1' : '0'); // a wrong check character
      bad = 'TYSHXYDM';
    }
    const record: Inspection = {
      JDBH: `WJ${wall(startMs).iso.slice(0, 10).replace(/-/g, '')}-${String(seed).padStart(2, '0')}${String(i + 1).padStart(5, '0')}`,
      DWMC: `${town.name}${pick(rand, NAME_PREFIX)}${pick(rand, UNITS[field])}`,
      TYSHXYDM: code,
      DZ: `${town.name}${village}${1 + Math.floor(rand() * 80)}号`,
      ZYLB: field,
      JCSJ: wall(at).cn,
      WTMS: i % 50 === 33 ? '' : pick(rand, PROBLEMS[field]),
      CLZT: i % 23 === 5 ? '5' : pick(rand, ['1', '2', '3', '4', '6']),
      GXSJ: wall(at + 3_600_000).iso,
      ZB: i % 7 === 3 ? `${lng},${lat}` : `${lat},${lng}`,
    };
    if (i % 50 === 33) bad = 'WTMS';
    out.push({ record, ...(bad ? { bad } : {}) });
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One export file's bytes: GB18030, declared in the XML declaration. */
export function exportXml(records: Inspection[], exportedAt = '2026-11-23 23:00:00'): Buffer {
  const rows = records.map((r) => `  <JDJL>\n${Object.entries(r).map(([k, v]) => `    <${k}>${esc(v)}</${k}>`).join('\n')}\n  </JDJL>`).join('\n');
  const xml = `<?xml version="1.0" encoding="GB18030"?>\n<WSJDDC xmlns="http://wsjd.example.gov.cn/export/v2" dcsj="${exportedAt}" jls="${records.length}">\n${rows}\n</WSJDDC>\n`;
  return iconv.encode(xml, 'gb18030');
}

/** The export files of `planned`, `perFile` records each; `corrupt` of them crash mid-file first (their records come again whole). */
export function planExports(planned: PlannedInspection[], perFile: number, corrupt = 0): DropFile[] {
  const files: DropFile[] = [];
  for (let i = 0, n = 0; i < planned.length; i += perFile, n++) {
    const slice = planned.slice(i, i + perFile).map((p) => p.record);
    const bytes = exportXml(slice);
    const name = `卫生监督检查记录_${String(n + 1).padStart(3, '0')}.xml`;
    if (n < corrupt) files.push({ name: `卫生监督检查记录_${String(n + 1).padStart(3, '0')}_中断.xml`, bytes: bytes.subarray(0, Math.floor(bytes.length * 0.6)), kind: 'corrupt', ids: [], defect: 'the export stopped mid-element' });
    files.push({ name, bytes, kind: 'export', ids: slice.map((r) => r.JDBH) });
  }
  return files;
}
