/**
 * Which canonical record kinds the hub consumes, and the function that applies each inside the
 * consumer's PostgreSQL transaction. The consumer subscribes to exactly these kinds' topics; a new
 * kind is one entry here (and its apply module), not a change to the consumer.
 */
import type { Knex } from 'knex';
import type { RecordKind, Report, Subject } from '../../schemas/index.js';
import { applyReport, type ApplyEffect, type Position } from './apply-report.js';
import { applySubject } from './apply-subject.js';
import type { HubRouting } from './routing.js';

export type ApplyRecord = (tx: Knex.Transaction, record: unknown, pos: Position, routing: HubRouting) => Promise<ApplyEffect>;

export const HANDLERS: Partial<Record<RecordKind, ApplyRecord>> = {
  report: (tx, r, pos, routing) => applyReport(tx, r as Report, pos, routing),
  subject: (tx, s, pos, routing) => applySubject(tx, s as Subject, pos, routing),
};

export function consumedKinds(): RecordKind[] {
  return Object.keys(HANDLERS) as RecordKind[];
}
