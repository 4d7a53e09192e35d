/**
 * The one place the read routes of this branch take their base queries from. It applies the
 * caller's jurisdiction (division-code prefix) and, for liaisons, their department. When
 * hub/api/scope.ts (the auth branch) lands, these functions delegate to it so every route keeps
 * a single point of scoping.
 */
import type { Knex } from 'knex';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';

export class NotAuthenticatedError extends Error {
  readonly statusCode = 401;
  constructor() {
    super('未登录 (not authenticated): send the access token of a principal');
  }
}

/** The caller; a server built without authentication (tests, the demo) sees the whole county. */
export function principalOf(req: FastifyRequest): Principal {
  const p = (req as FastifyRequest & { principal?: Principal | null }).principal;
  if (p === undefined) return { id: 'anonymous', name: '匿名', role: 'commander', jurisdiction: '', department: null, canUnmask: false };
  if (p === null) throw new NotAuthenticatedError();
  return p;
}

/** A value for SQL LIKE with its own %, _ and \ taken literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Rows whose division code lies in the caller's jurisdiction (the whole county when it has none). */
function withinJurisdiction(q: Knex.QueryBuilder, p: Principal, column: string): Knex.QueryBuilder {
  return p.jurisdiction ? q.where(column, 'like', `${escapeLike(p.jurisdiction)}%`) : q;
}

/** Tasks joined to their matter, restricted to the caller's jurisdiction and (liaison) department. */
export function scopedTasks(db: Knex, p: Principal): Knex.QueryBuilder {
  const q = withinJurisdiction(db('tasks as t').join('matters as m', 'm.id', 't.matter_id'), p, 'm.division_code');
  if (p.role === 'liaison') q.where('t.department', p.department ?? '\u0000none');
  return q;
}

/** Golden subjects located in the caller's jurisdiction (a subject without a division is county-level). */
export function scopedSubjects(db: Knex, p: Principal): Knex.QueryBuilder {
  return withinJurisdiction(db('subjects as s'), p, 's.division_code');
}

/** Reports and matters restricted to the caller's jurisdiction. */
export function scopedMatters(db: Knex, p: Principal): Knex.QueryBuilder {
  return withinJurisdiction(db('matters as m'), p, 'm.division_code');
}
