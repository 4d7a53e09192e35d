/**
 * The demo county's gazetteer (标准地址库), written as `geo/gazetteer.jsonl` in the format the hub
 * reads (docs/gazetteer-format.md, hub/geo/gazetteer.ts): roads and villagers' groups' lanes with
 * their door-number ranges and positions, the door plates of named places, compounds and
 * landmarks. A real county converts its own address registry into the same lines.
 *
 * Only what a county's registry would hold is written: where roads run and which door numbers
 * they carry, where registered doors, compounds and named places are. Nothing about incidents.
 */
import { join } from 'node:path';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { round, type Point } from './geo.js';
import type { Road, World } from './world.js';

const pt = (p: Point): [number, number] => [round(p[0], 7), round(p[1], 7)];
/** Door n's position on the road's centre line (door plates sit on either side of it). */
const centre = (r: Road, n: number): Point => {
  const t = n / (r.maxNo + 1);
  return [r.a[0] + (r.b[0] - r.a[0]) * t, r.a[1] + (r.b[1] - r.a[1]) * t];
};

/** Place kinds whose sign names people use as landmarks (xx超市对面): shops open to the public. */
const LANDMARK_KINDS = new Set(['restaurant', 'shop', 'entertainment', 'market', 'gas_station']);

export function writeGazetteer(w: World, outDir: string): number {
  mkdirSync(join(outDir, 'geo'), { recursive: true });
  const fd = openSync(join(outDir, 'geo', 'gazetteer.jsonl'), 'w');
  let n = 0;
  const line = (o: unknown) => {
    writeSync(fd, `${JSON.stringify(o)}\n`);
    n++;
  };
  line({ kind: 'meta', format: 'countyhub-gazetteer', formatVersion: 1, county: w.county.code, crs: 'WGS84' });
  for (const v of w.villages) {
    for (const r of v.roads) {
      const groupNo = r.kind === 'group' ? Number.parseInt(r.name, 10) : null;
      // door numbers run from one end to the other; odd on one side, even on the other
      line({ kind: r.kind === 'group' ? 'group' : 'road', id: r.id, name: r.name, ...(groupNo !== null ? { group: groupNo } : {}), townCode: v.townCode, villageCode: v.code, line: [pt(centre(r, 1)), pt(centre(r, r.maxNo))], doors: [1, r.maxNo] });
    }
    for (const [i, c] of v.compounds.entries()) {
      line({ kind: 'compound', id: `${v.code}-C${i + 1}`, name: c.name, townCode: v.townCode, villageCode: v.code, road: c.roadId, door: c.doorNo, point: pt(c.location), buildings: c.buildings });
    }
  }
  const plates = new Set<string>();
  for (const p of w.places) {
    const key = `${p.roadId}#${p.address.doorNo}`;
    if (!plates.has(key)) {
      plates.add(key);
      line({ kind: 'door', road: p.roadId, door: p.address.doorNo, point: pt(p.location) });
    }
    if (LANDMARK_KINDS.has(p.kind) && p.name) line({ kind: 'landmark', id: p.id, name: p.name, townCode: p.townCode, villageCode: p.villageCode, road: p.roadId, door: p.address.doorNo, point: pt(p.location) });
  }
  closeSync(fd);
  return n;
}
