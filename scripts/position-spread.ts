/**
 * The platforms' position spread at one door (hub/merge/position-spread.ts) from report rows in the
 * matter replay's format (scripts/dataset-reports.ts), as eval:merge and the replay estimate it from
 * the evaluated dataset's own reports (no labels).
 *
 *   npx tsx scripts/position-spread.ts <dataset folder> [out.json]   prints the estimated pairs; writes
 *   the file the hub loads (POSITION_SPREAD_FILE) when given one
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubRouting } from '../hub/ingest/routing.js';
import { PositionSpread } from '../hub/merge/position-spread.js';
import type { RegionIndex } from '../hub/merge/regions.js';
import { datasetReportRows } from './dataset-reports.js';

interface SpreadSourceRow { source_system: string; event_time: number | string; lng: number | null; lat: number | null; location_origin?: string | null; division_code: string | null; address: string | null }

export function positionSpreadFromRows(rows: Iterable<SpreadSourceRow>, regions?: RegionIndex): PositionSpread {
  const mapped = [...rows].map((r) => ({
    sourceSystem: r.source_system,
    eventTime: Number(r.event_time),
    location: r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : null,
    locationOrigin: r.location_origin ?? null,
    divisionCode: r.division_code,
    address: r.address,
  }));
  return PositionSpread.fromReports(mapped, regions ? { regions } : {});
}

export function buildPositionSpread(dir: string): PositionSpread {
  const routing = HubRouting.load({ divisionsFile: join(dir, 'geo/divisions.json') });
  return positionSpreadFromRows(datasetReportRows(dir).rows, routing.regions);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, out] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: npx tsx scripts/position-spread.ts <dataset folder> [out.json]');
    process.exit(2);
  }
  const spread = buildPositionSpread(dir);
  for (const [k, s] of spread.entries()) console.log(`${k.padEnd(50)} n=${s.n} p90 ${s.p90M} m`);
  if (out) {
    writeFileSync(out, JSON.stringify(spread.toJSON(), null, 1));
    console.error(`position spread of ${spread.entries().length} platform pairs → ${out}`);
  }
}
