/**
 * The one place the routes take their base queries from. It applies the caller's jurisdiction
 * (division-code prefix) and, for department liaisons, their department; a route that starts from
 * these functions cannot show a town another town's rows. The caller is always authenticated
 * (hub/api/auth/authenticate.ts closes every non-public route before a handler runs).
 */
import type { Knex } from 'knex';
import type { FastifyRequest } from 'fastify';
import type { Principal, Role } from './principal.js';

export class NotAuthenticatedError extends Error {
  readonly statusCode = 401;
  constructor() {
    super('未登录 (not authenticated): send the access token of a principal');
  }
}

export class ForbiddenError extends Error {
  readonly statusCode = 403;
}

export function principalOf(req: FastifyRequest): Principal {
  const p = req.principal;
  if (!p) throw new NotAuthenticatedError();
  return p;
}

/** The caller, when its role is one of `roles`; otherwise 403 naming the roles that may. */
export function requireRole(req: FastifyRequest, roles: readonly Role[]): Principal {
  const p = principalOf(req);
  if (!roles.includes(p.role)) throw new ForbiddenError(`无权限 (forbidden): this needs the role ${roles.join(' or ')}; you are ${p.role}`);
  return p;
}

/** A value for SQL LIKE with its own %, _ and \ taken literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Rows whose division code starts with `prefix`, in the forms the matter indexes of migration 007
 * serve in time order: a 12-digit code is a village's own code (codes have at most 12 digits); from
 * 9 digits on, the prefix fixes the town, `left(code, 9)`.
 */
export function withinDivision(q: Knex.QueryBuilder, column: string, prefix: string): Knex.QueryBuilder {
  if (prefix.length === 12) return q.where(column, prefix);
  q.where(column, 'like', `${escapeLike(prefix)}%`);
  if (prefix.length >= 9) q.whereRaw(`left(${column}, 9) = ?`, [prefix.slice(0, 9)]);
  return q;
}

/** Rows whose division code lies in the caller's jurisdiction (the whole county when it has none). */
function withinJurisdiction(q: Knex.QueryBuilder, p: Principal, column: string): Knex.QueryBuilder {
  return p.jurisdiction ? withinDivision(q, column, p.jurisdiction) : q;
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

/** Matters in the caller's jurisdiction; a liaison sees the matters its department has a task on. */
export function scopedMatters(db: Knex, p: Principal): Knex.QueryBuilder {
  const q = withinJurisdiction(db('matters as m'), p, 'm.division_code');
  if (p.role === 'liaison') q.whereExists(db('tasks as lt').whereRaw('lt.matter_id = m.id').where('lt.department', p.department ?? '\u0000none'));
  return q;
}
