import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { PositionSpread, type SpreadRow } from '../../../hub/merge/position-spread.js';

/** Reports of two platforms naming one door, the second's positions `off` metres east of the first's. */
function doorReports(n: number, off: number): SpreadRow[] {
  const rows: SpreadRow[] = [];
  for (let i = 0; i < n; i++) {
    const at = { lng: 108.7 + i * 0.01, lat: 39.85 };
    const address = `团结路${100 + i}号`;
    rows.push({ sourceSystem: 'grid', eventTime: i * 60_000, location: at, divisionCode: '150625100001', address });
    rows.push({ sourceSystem: 'enforcement', eventTime: i * 60_000 + 1, location: { lng: at.lng + off / 85_000, lat: at.lat }, divisionCode: '150625100001', address });
  }
  return rows;
}

describe('the position spread the hub loads (POSITION_SPREAD_FILE)', () => {
  it('is the estimate the county’s reports gave, read back from its file', () => {
    const estimated = PositionSpread.fromReports(doorReports(30, 40));
    expect(estimated.spreadM('grid', 'enforcement')).toBeGreaterThan(30);
    const dir = mkdtempSync(join(tmpdir(), 'spread-'));
    const file = join(dir, 'position-spread.json');
    writeFileSync(file, JSON.stringify(estimated.toJSON()));
    const routing = HubRouting.load({ positionSpreadFile: file });
    expect(routing.positionSpread?.spreadM('enforcement', 'grid')).toBe(estimated.spreadM('grid', 'enforcement'));
    expect(routing.positionSpread?.entries()).toEqual(estimated.entries());
    // too few distances say nothing, in the file as in the estimate
    const few = PositionSpread.fromReports(doorReports(5, 40));
    expect(PositionSpread.fromJSON(few.toJSON()).spreadM('grid', 'enforcement')).toBeNull();
  });

  it('refuses a file that is not one', () => {
    expect(() => PositionSpread.fromJSON({ format: 'countyhub-text-weights', version: 1 } as never)).toThrow(/position-spread v1/);
    expect(() => PositionSpread.fromJSON({ format: 'countyhub-position-spread', version: 1, minPairs: 20, pairs: { grid: { n: 3, p90M: 10 } } })).toThrow(/bad pair grid/);
  });
});
