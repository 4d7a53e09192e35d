/**
 * Which hour a record is counted in (its own source update time), and the connector's ledger:
 * a page counts only when it commits, and a version delivered again is not counted again.
 */
import { describe, expect, it } from 'vitest';
import { hourStartMs, ledgerKey, missingRecords, recordHourMs } from '../../../core/reconciliation.js';
import { isDigestKey, ReconciliationLedger, type RecordTally } from '../../../connectors/runtime/reconciliation-ledger.js';
import type { ConnectorHourLedger } from '../../../core/reconciliation.js';

const at = (iso: string) => Date.parse(iso);

describe('the hour a record belongs to', () => {
  it('is the hour of its source update time, to the millisecond at the edges', () => {
    expect(hourStartMs(at('2026-12-06T01:00:00.000Z'))).toBe(at('2026-12-06T01:00:00.000Z'));
    expect(hourStartMs(at('2026-12-06T01:59:59.999Z'))).toBe(at('2026-12-06T01:00:00.000Z'));
    expect(hourStartMs(at('2026-12-06T02:00:00.000Z'))).toBe(at('2026-12-06T02:00:00.000Z'));
  });

  it('is a Beijing hour: 09:00–10:00 in Asia/Shanghai is one UTC hour (no half-hour offset)', () => {
    // 12345's 更新时间 2026-12-06 09:40:00 (+08:00)
    expect(new Date(recordHourMs({ sourceVersion: at('2026-12-06T09:40:00+08:00'), eventTime: 0 })).toISOString()).toBe('2026-12-06T01:00:00.000Z');
  });

  it('does not depend on when the record was read or applied: a record changed at 09:40 read at 11:05 is in 09:00', () => {
    const changed = at('2026-12-06T09:40:00+08:00');
    expect(recordHourMs({ sourceVersion: changed, eventTime: at('2026-12-05T08:00:00+08:00') })).toBe(at('2026-12-06T09:00:00+08:00'));
  });

  it('falls back to the event time when the version is a revision number, not a time', () => {
    expect(recordHourMs({ sourceVersion: 7, eventTime: at('2026-12-06T03:15:00Z') })).toBe(at('2026-12-06T03:00:00Z'));
    expect(recordHourMs({ sourceVersion: at('2150-01-01T00:00:00Z'), eventTime: at('2026-12-06T03:15:00Z') })).toBe(at('2026-12-06T03:00:00Z'));
  });

  it('missing counts only what a later stage lacks, never a surplus', () => {
    expect(missingRecords({ read: 10, delivered: 9, dead_lettered: 1, produced: 9, hub_applied: 9 })).toBe(0);
    expect(missingRecords({ read: 10, delivered: 9, dead_lettered: 1, produced: 9, hub_applied: 7, hub_dead_lettered: 1 })).toBe(1);
    expect(missingRecords({ produced: 3, hub_applied: 5 })).toBe(0);
  });
});

describe('the connector ledger', () => {
  const connector = { id: 'hotline-12345', sourceSystem: 'hotline-12345', department: 'hotline' };
  const h9 = at('2026-12-06T01:00:00Z');
  const h10 = at('2026-12-06T02:00:00Z');
  const delivered = (id: string, version: number): RecordTally => ({ outcome: 'delivered', hourMs: hourStartMs(version), key: `${id}\u001f${version}`, produced: [{ hourMs: hourStartMs(version), key: `hotline-12345\u001f${id}\u001f${version}` }] });
  /** The hours' counts messages (digest messages, key <hour>#<segment>, left out). */
  const counted = (msgs: Array<{ key?: unknown; value: unknown }>) => msgs.filter((m) => !isDigestKey(String(m.key)));
  const values = (msgs: Array<{ key?: unknown; value: unknown }>) => counted(msgs).map((m) => JSON.parse(String(m.value)) as ConnectorHourLedger);
  const digestBytes = (msgs: Array<{ key?: unknown; value: unknown }>) => msgs.filter((m) => isDigestKey(String(m.key))).map((m) => Buffer.from((JSON.parse(String(m.value)) as ConnectorHourLedger).seen, 'base64').length);

  it('counts a page only when its transaction commits: an aborted page read again counts once', () => {
    const ledger = new ReconciliationLedger(connector);
    const page = [delivered('A', h9 + 60_000), delivered('B', h9 + 120_000)];
    ledger.stage(page); // the transaction aborted (kill -9): never committed
    expect(ledger.counts(h9)).toBeUndefined();
    const again = ledger.stage(page);
    expect(values(again.messages)).toMatchObject([{ hour: '2026-12-06T01:00:00.000Z', read: 2, delivered: 2, produced: 2, deadLettered: 0 }]);
    expect(counted(again.messages)[0]!.key).toBe(ledgerKey('hotline-12345', h9));
    again.commit();
    expect(ledger.counts(h9)).toMatchObject({ read: 2, delivered: 2, produced: 2 });
  });

  it('a version delivered again in a committed page is not counted again; a new version is', () => {
    const ledger = new ReconciliationLedger(connector);
    ledger.stage([delivered('A', h9 + 60_000)]).commit();
    const second = ledger.stage([delivered('A', h9 + 60_000), delivered('A', h10 + 5_000)]);
    // only the hour that changed is written again
    expect(values(second.messages).map((v) => [v.hour, v.read])).toEqual([['2026-12-06T02:00:00.000Z', 1]]);
    second.commit();
    expect(ledger.counts(h9)).toMatchObject({ read: 1, produced: 1 });
    expect(ledger.counts(h10)).toMatchObject({ read: 1, produced: 1 });
  });

  it('dead letters count by reason in the hour of their update time, and read = delivered + dead-lettered', () => {
    const ledger = new ReconciliationLedger(connector);
    ledger.stage([delivered('A', h9 + 1), { outcome: 'dead_lettered', hourMs: h9, key: 'B\u001fraw1', code: 'CH_MAPPING' }, { outcome: 'dead_lettered', hourMs: h9, key: 'B\u001fraw1', code: 'CH_MAPPING' }]).commit();
    const c = ledger.counts(h9)!;
    expect(c).toMatchObject({ read: 2, delivered: 1, deadLettered: 1, produced: 1, deadReasons: { CH_MAPPING: 1 } });
    expect(c.read).toBe(c.delivered + c.deadLettered);
  });

  it("a page's digests go in a message of their own, so a restarted worker knows what it counted and no message grows with the hour", () => {
    const ledger = new ReconciliationLedger(connector);
    const staged = ledger.stage([delivered('A', h9 + 1), delivered('B', h9 + 2)]);
    expect(digestBytes(staged.messages)).toEqual([4 * 8]); // two read keys and two produced keys, 8 bytes each
    expect(values(staged.messages)[0]!.seen).toBe(''); // the counts message carries none
    staged.commit();
    // the next page of the same hour: its own digests only, under the next segment
    const next = ledger.stage([delivered('C', h9 + 3)]);
    expect(digestBytes(next.messages)).toEqual([2 * 8]);
    expect(next.messages.map((m) => String(m.key))).toEqual([`${ledgerKey('hotline-12345', h9)}#1`, ledgerKey('hotline-12345', h9)]);
    expect(values(next.messages)[0]).toMatchObject({ read: 3, segments: 2 });
  });
});
