/**
 * Every department adapter the worker knows. Adding a department: create its folder (copy
 * `countyhub new <name>` output), then add one line here.
 */
import type { ConnectorManifest, Mapping, Source } from '../sdk/types.js';
import { createSource } from '../sources/index.js';
import { alarms as environmentAlarms, complaints as environmentComplaints } from './environment/index.js';
import * as grid from './grid/index.js';
import { environmentFeedback, gridFeedback, hotlineFeedback, mapping as feedbackMapping } from './dispatch-feedback/index.js';
import * as approval from './approval/index.js';
import * as emergency from './emergency/index.js';
import * as enforcement from './enforcement/index.js';
import * as hotline from './hotline-12345/index.js';
import * as market from './market/index.js';
import * as naturalResources from './natural-resources/index.js';

export interface Adapter {
  manifest: ConnectorManifest;
  mapping: Mapping;
}

export const ADAPTERS: Adapter[] = [
  hotline, grid, environmentAlarms, environmentComplaints, market, enforcement, naturalResources, emergency, approval,
  // the departments' progress on the centre's assignments, read back from each platform they went to
  ...[hotlineFeedback, gridFeedback, environmentFeedback].map((manifest) => ({ manifest, mapping: feedbackMapping })),
];

export function findAdapter(id: string): Adapter {
  const a = ADAPTERS.find((x) => x.manifest.id === id);
  if (!a) throw new Error(`no adapter "${id}"; known: ${ADAPTERS.map((x) => x.manifest.id).join(', ')}`);
  return a;
}

export function sourceFor(manifest: ConnectorManifest): Source {
  return createSource(manifest.source as never);
}
