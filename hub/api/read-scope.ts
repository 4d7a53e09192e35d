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

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Tasks joined to their matter, restricted to the caller's jurisdiction and (liaison) department. */
export function scopedTasks(db: Knex, p: Principal): Knex.QueryBuilder {
  const q = db('tasks as t').join('matters as m', 'm.id', 't.matter_id');
  if (p.jurisdiction) q.where('m.division_code', 'like', `${escapeLike(p.jurisdiction)}%`);
  if (p.role === 'liaison') q.where('t.department', p.department ?? '\u0000none');
  return q;
}

/** Golden subjects located in the caller's jurisdiction (a subject without a division is county-level). */
export function scopedSubjects(db: Knex, p: Principal): Knex.QueryBuilder {
  const q = db('subjects as s');
  if (p.jurisdiction) q.where('s.division_code', 'like', `${escapeLike(p.jurisdiction)}%`);
  return q;
}

/** Reports and matters restricted to the caller's jurisdiction. */
export function scopedMatters(db: Knex, p: Principal): Knex.QueryBuilder {
  const q = db('matters as m');
  if (p.jurisdiction) q.where('m.division_code', 'like', `${escapeLike(p.jurisdiction)}%`);
  return q;
}
