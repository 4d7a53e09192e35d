/**
 * 公安 110 非警务警情 handed over to 12345 (110/12345 linkage): the 110 接处警 system pushes each
 * non-police incident (noise, neighbour disputes, burst pipes, unpaid wages …) to the county as a
 * signed JSON webhook, a batch per push. What such pushes do, reproduced here:
 *  - times as yyyy/MM/dd HH:mm:ss; the caller's position as one BD-09 "lng,lat" text, some swapped;
 *  - a push whose answer is lost is sent again (the same records, signed anew);
 *  - an incident is pushed again when its handover state changes (12345 signs for it: 2, or returns
 *    it: 3), the same 接警单编号 with a later 更新时间 (gxsj) — see `stateChanges`;
 *  - bad rows: an incident with no content (警情内容), one with an unknown handover code.
 * Deterministic for a seed.
 */
import { countyProfile } from '../../core/county-profile.js';
import { transformFromWgs84 } from '../../core/normalise/index.js';
import { pick, seededRandom } from '../shared/county.js';

export interface Handover {
  jjdbh: string; // 接警单编号
  jqlb: string; // 警情类别编码
  jqlbmc: string; // 警情类别名称
  jqnr: string; // 警情内容
  fadz: string; // 发案地址
  zb: string; // BD-09 "lng,lat"
  bjsj: string; // 报警时间
  yjsj: string; // 移交时间
  yjzt: string; // 移交状态: 1 已移交 2 已签收 3 已退回
  gxsj: string; // 更新时间 (a re-push with a new state has a later one)
  bjrdh: string; // 报警人电话
  bad?: 'jqnr' | 'yjzt';
}

const KINDS: Array<[string, string, string[]]> = [
  ['FJW01', '噪声扰民', ['楼上装修噪声持续到深夜', '广场舞音响声音过大']],
  ['FJW02', '邻里纠纷', ['邻居因停车位发生争吵', '楼道堆放杂物引发纠纷']],
  ['FJW03', '水电气故障', ['小区停水一天未恢复', '路口燃气管道有异味']],
  ['FJW04', '拖欠工资', ['工地拖欠农民工工资三个月']],
  ['FJW05', '占道经营', ['夜市摊贩占用消防通道']],
];
const p2 = (n: number) => String(n).padStart(2, '0');
const slash = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
};

export function planHandovers(count: number, seed = 1, startMs = Date.now() - 3600_000): Handover[] {
  const rand = seededRandom(seed);
  const towns = countyProfile().towns;
  return Array.from({ length: count }, (_, i) => {
    const town = towns[i % towns.length]!;
    const [code, name, texts] = pick(rand, KINDS);
    const [x, y] = transformFromWgs84(town.centre[0] + (rand() - 0.5) * 0.02, town.centre[1] + (rand() - 0.5) * 0.02, 'BD09').map((n) => n.toFixed(6)) as [string, string];
    const t = Math.floor(startMs / 1000) * 1000 + i * 7000;
    const h: Handover = {
      jjdbh: `J1506${String(seed).padStart(2, '0')}${String(i + 1).padStart(7, '0')}`,
      jqlb: code, jqlbmc: name,
      jqnr: i % 41 === 9 ? '' : pick(rand, texts),
      fadz: `${town.name}${pick(rand, town.villages)}`,
      zb: i % 6 === 2 ? `${y},${x}` : `${x},${y}`,
      bjsj: slash(t), yjsj: slash(t + 300_000), gxsj: slash(t + 300_000),
      yjzt: i % 43 === 13 ? '9' : '1',
      bjrdh: `139${String(10_000_000 + Math.floor(rand() * 89_999_999)).slice(0, 8)}`,
    };
    if (i % 41 === 9) h.bad = 'jqnr';
    if (i % 43 === 13) h.bad = 'yjzt';
    return h;
  });
}

/**
 * The later pushes of the good incidents whose state changed: every `1/share`-th one signed for by
 * 12345 (2 已签收; every fifth of those returned instead, 3 已退回) half an hour after its handover.
 */
export function stateChanges(planned: Handover[], share: number): Handover[] {
  if (!(share > 0)) return [];
  const every = Math.max(1, Math.round(1 / share));
  return planned
    .filter((h, i) => !h.bad && i % every === 0)
    .map((h, k) => {
      const [d, t] = h.yjsj.split(' ') as [string, string];
      const ms = Date.parse(`${d.replace(/\//g, '-')}T${t}+08:00`) + 1_800_000;
      return { ...h, yjzt: k % 5 === 4 ? '3' : '2', gxsj: slash(ms) };
    });
}
