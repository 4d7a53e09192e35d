/**
 * Principals and their credentials, stored in PostgreSQL.
 *
 * An API key is `chk_<key id>_<secret>`; only SHA-256 of the secret is stored, so the table leaks
 * nothing usable. Secrets are 32 random bytes: a fast hash is the right choice for them (a slow
 * password hash protects guessable secrets, which these are not) and keeps every request cheap.
 * A JWT (HS256, signed with the hub's secret) names the principal in `sub`; the principal is read
 * from the database on every request, so disabling it or changing its role takes effect at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { ROLES, type Principal, type Role } from '../principal.js';

export interface NewPrincipal {
  id?: string;
  name: string;
  role: Role;
  jurisdiction?: string;
  department?: string | null;
  canUnmask?: boolean;
}

export class PrincipalError extends Error {
  readonly statusCode = 400;
}

interface PrincipalRow {
  id: string;
  name: string;
  role: string;
  jurisdiction: string;
  department: string | null;
  can_unmask: boolean;
  disabled_at: Date | null;
}

function toPrincipal(r: PrincipalRow): Principal {
  return { id: r.id, name: r.name, role: r.role as Role, jurisdiction: r.jurisdiction, department: r.department, canUnmask: r.can_unmask };
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Creates (or, with the same id, replaces) a principal. Checks the combinations that would make scope ambiguous. */
export async function createPrincipal(db: Knex, p: NewPrincipal): Promise<Principal> {
  if (!ROLES.includes(p.role)) throw new PrincipalError(`unknown role ${p.role}; one of ${ROLES.join(', ')}`);
  const jurisdiction = p.jurisdiction ?? '';
  if (jurisdiction && !/^\d{2,12}$/.test(jurisdiction)) throw new PrincipalError(`jurisdiction must be a division-code prefix (digits), got ${jurisdiction}`);
  if (p.role === 'town_operator' && jurisdiction.length < 9) throw new PrincipalError('a town operator needs a town jurisdiction (9-digit division-code prefix)');
  if (p.role === 'liaison' && !p.department) throw new PrincipalError('a department liaison needs a department');
  const row = {
    id: p.id ?? `p_${randomBytes(6).toString('hex')}`,
    name: p.name,
    role: p.role,
    jurisdiction,
    department: p.department ?? null,
    can_unmask: p.canUnmask ?? false,
    disabled_at: null,
  };
  await db('principals').insert(row).onConflict('id').merge();
  return toPrincipal(row);
}

/** A new API key for the principal; the only time the plain key exists is in the return value. */
export async function issueApiKey(db: Knex, principalId: string): Promise<string> {
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db('api_keys').insert({ id: keyId, principal_id: principalId, secret_sha256: sha256(secret).toString('hex') });
  return `chk_${keyId}_${secret}`;
}

export async function revokeApiKey(db: Knex, keyId: string): Promise<void> {
  await db('api_keys').where({ id: keyId }).update({ revoked_at: new Date() });
}

export async function disablePrincipal(db: Knex, principalId: string): Promise<void> {
  await db('principals').where({ id: principalId }).update({ disabled_at: new Date() });
}

/** The active principal with this id, or null. */
export async function findPrincipal(db: Knex, id: string): Promise<Principal | null> {
  const r = await db('principals').where({ id }).whereNull('disabled_at').first<PrincipalRow | undefined>();
  return r ? toPrincipal(r) : null;
}

/** The principal an API key belongs to, or null when the key is malformed, unknown, revoked or its principal disabled. */
export async function principalForApiKey(db: Knex, key: string): Promise<Principal | null> {
  const m = /^chk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$/.exec(key);
  if (!m) return null;
  const row = await db('api_keys as k')
    .join('principals as p', 'p.id', 'k.principal_id')
    .where('k.id', m[1]!)
    .whereNull('k.revoked_at')
    .whereNull('p.disabled_at')
    .first<(PrincipalRow & { secret_sha256: string }) | undefined>('p.*', 'k.secret_sha256');
  if (!row) return null;
  const expected = Buffer.from(row.secret_sha256, 'hex');
  const given = sha256(m[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? toPrincipal(row) : null;
}
