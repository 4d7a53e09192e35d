/**
 * Where a benchmark's time goes in PostgreSQL: every statement a knex instance runs, timed from
 * dispatch to response and grouped by what it does ("insert matter_events", "select reports").
 * The hub applies records one transaction at a time, so the statements never overlap and their sum
 * is the wall time spent waiting on the database; the rest is Node (decoding, matching, knex).
 * Only statements inside a transaction count: outside one are the benchmark's own lag polls (four
 * a second, on another connection of the pool, overlapping the hub's), counted apart.
 */
import type { Knex } from 'knex';

export interface StatementCost {
  statement: string;
  count: number;
  ms: number;
}

export class QueryProfile {
  private readonly started = new Map<string, number>();
  private readonly costs = new Map<string, StatementCost>();
  private stopped = false;
  /** Statements outside any transaction: not the hub's apply path. */
  outside = 0;

  constructor(db: Knex) {
    db.on('query', (q: { __knexQueryUid: string; __knexTxId?: string }) => {
      if (this.stopped) return;
      if (q.__knexTxId === undefined) this.outside += 1;
      else this.started.set(q.__knexQueryUid, performance.now());
    });
    const done = (q: { __knexQueryUid: string; sql: string }) => {
      const t0 = this.started.get(q.__knexQueryUid);
      if (t0 === undefined || this.stopped) return;
      this.started.delete(q.__knexQueryUid);
      const statement = statementOf(q.sql);
      const c = this.costs.get(statement) ?? { statement, count: 0, ms: 0 };
      c.count += 1;
      c.ms += performance.now() - t0;
      this.costs.set(statement, c);
    };
    db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => done(q));
    db.on('query-error', (_e: unknown, q: { __knexQueryUid: string; sql: string }) => done(q));
  }

  /** Statements from now on are not counted (the benchmark's own, after the measured part). */
  stop(): void {
    this.stopped = true;
  }

  /** Most expensive first. */
  statements(): StatementCost[] {
    return [...this.costs.values()].sort((a, b) => b.ms - a.ms);
  }

  totalMs(): number {
    return this.statements().reduce((n, c) => n + c.ms, 0);
  }

  count(): number {
    return this.statements().reduce((n, c) => n + c.count, 0);
  }
}

/** "insert matter_events", "select reports", "update matters", "lock" … from the SQL text. */
export function statementOf(sql: string): string {
  const s = sql.trim().replace(/\s+/g, ' ');
  if (/pg_advisory_xact_lock/i.test(s)) return 'advisory lock';
  // a union of selects, as knex writes it: (select … from "matters" …) union (…)
  const verb = (/^\(?(\w+)/.exec(s)?.[1] ?? '?').toLowerCase();
  const table = verb === 'insert' ? /^insert into "?([\w.]+)"?/i.exec(s) : verb === 'update' ? /^update "?([\w.]+)"?/i.exec(s) : verb === 'delete' ? /^delete from "?([\w.]+)"?/i.exec(s) : / from "?([\w.]+)"?/i.exec(s);
  return `${verb} ${table?.[1] ?? ''}`.trim();
}
