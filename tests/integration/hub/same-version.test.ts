/**
 * Platforms that version records by an update time to the second (12345's 更新时间) give two
 * changes within one second the same version. The hub must apply the second change — not drop it
 * as a redelivery — and still ignore a true redelivery of either.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { applyReport } from '../../../hub/ingest/apply-report.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import type { Report } from '../../../schemas/index.js';
import { EXAMPLES } from '../../unit/schemas/examples.js';

const schema = `t_samever_${randomBytes(3).toString('hex')}`;
const db = createDb(inject('stack').databaseUrl, { schema });
const routing = HubRouting.load();
afterAll(async () => {
  await db.raw(`drop schema if exists "${schema}" cascade`);
  await db.destroy();
});

const pos = (offset: number) => ({ topic: 'reports', partition: 0, offset: String(offset) });

describe('two changes of a record within one second of the source clock', () => {
  it('the second change is applied; redeliveries of either change nothing', async () => {
    await migrate(db, schema);
    const first: Report = { ...EXAMPLES.report, status: 'RECEIVED', sourceStatus: '受理' };
    const second: Report = { ...first, status: 'DISPATCHED', sourceStatus: '派单', envelope: { ...first.envelope, ingestTime: first.envelope.ingestTime + 300 } };
    const apply = (r: Report, offset: number) => db.transaction((tx) => applyReport(tx, r, pos(offset), routing));

    expect((await apply(first, 1)).outcome).toBe('new');
    expect((await apply(second, 2)).outcome).toBe('updated');
    // a redelivery of the same change (another ingest time) is a duplicate
    expect((await apply({ ...second, envelope: { ...second.envelope, ingestTime: second.envelope.ingestTime + 9_000 } }, 2)).outcome).toBe('duplicate');

    const rows = await db('reports').select('status', 'source_status', 'matter_id');
    expect(rows).toEqual([expect.objectContaining({ status: 'DISPATCHED', source_status: '派单' })]);
    expect(await db('matters').count<Array<{ count: string }>>('* as count')).toEqual([{ count: '1' }]);
    const lineage = await db('source_records').select('payload', 'offset');
    expect(lineage).toHaveLength(1);
    expect((lineage[0]!.payload as Report).status).toBe('DISPATCHED');
  });
});
