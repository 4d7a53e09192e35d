/** The 12345 simulator can serve a county dataset's work orders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readDepartment } from '../../../simulators/county/dataset.js';
import { generateDataset } from '../../../simulators/county/generate.js';
import { HotlineStore, type WorkOrder } from '../../../simulators/hotline-12345/server.js';

const dir = mkdtempSync(join(tmpdir(), 'county-hotline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('loads dataset work orders as they are and numbers new orders after them', () => {
  generateDataset({ seed: 2, scale: 0.02 }, dir);
  const orders = readDepartment<WorkOrder>(dir, 'hotline').map((l) => l.record);
  const store = new HotlineStore({ seed: 1, now: () => Date.parse('2026-03-02T12:00:00+08:00') });
  expect(store.loadWorkOrders(orders)).toBe(orders.length);
  expect(store.orders.size).toBe(orders.length);
  const sample = orders[Math.floor(orders.length / 2)] as WorkOrder;
  expect(store.orders.get(sample.gdbh)).toEqual(sample);
  expect(store.list(undefined, 'gxsj').length).toBe(orders.length);
  const fresh = store.generate();
  expect(store.orders.size).toBe(orders.length + 1);
  expect(orders.some((o) => o.gdbh === fresh.gdbh)).toBe(false);
  expect(Number(fresh.gdbh.slice(-6))).toBeGreaterThan(Math.max(...orders.map((o) => Number(o.gdbh.slice(-6)))));
});
