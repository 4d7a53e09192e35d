/**
 * 110 pushes an incident again when 12345 signs for it or returns it: the same 接警单编号 with a
 * later 更新时间. The adapter keeps each version — its webhook idempotency is incident number +
 * update time, and the mapping's source version is the update time, so the hub applies the new state
 * instead of ignoring it as the version it already has.
 */
import { describe, expect, it } from 'vitest';
import { findAdapter } from '../../../connectors/adapters/index.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import type { WebhookSettings } from '../../../connectors/sources/webhook.js';
import type { Report } from '../../../schemas/index.js';
import { planHandovers, stateChanges } from '../../../simulators/police-110/handovers.js';

const adapter = findAdapter('police-110');
const ctx = fixtureContext(adapter.manifest);
const map = (h: object) => (adapter.mapping(h, ctx)[0]!.value as Report);

describe('police-110: an incident pushed again with a new state', () => {
  const planned = planHandovers(60, 3, Date.UTC(2026, 10, 23, 1));
  const later = stateChanges(planned, 0.3);

  it('the pusher re-sends a share of the good incidents, signed for or returned, with a later update time', () => {
    expect(later.length).toBeGreaterThanOrEqual(15);
    expect(new Set(later.map((h) => h.yjzt))).toEqual(new Set(['2', '3']));
    for (const h of later) expect(h.bad).toBeUndefined();
  });

  it('each re-push maps to the same source record with a higher source version and its new status', () => {
    for (const h of later) {
      const first = map(planned.find((p) => p.jjdbh === h.jjdbh)!);
      const again = map(h);
      expect(again.envelope.sourceRecordId).toBe(first.envelope.sourceRecordId);
      expect(again.envelope.sourceVersion).toBeGreaterThan(first.envelope.sourceVersion);
      expect(first.status).toBe('RECEIVED');
      expect(again.status).toBe(h.yjzt === '2' ? 'DISPATCHED' : 'REJECTED');
    }
  });

  it('the webhook keys pushes on incident number and update time, so the re-push is not taken for a re-sent one', () => {
    const idem = (adapter.manifest.source as WebhookSettings).idempotency;
    expect(idem).toEqual({ field: ['jjdbh', 'gxsj'] });
    const keys = (hs: typeof planned) => hs.map((h) => `${h.jjdbh}|${h.gxsj}`);
    const firstKeys = new Set(keys(planned));
    for (const k of keys(later)) expect(firstKeys.has(k)).toBe(false);
  });
});
