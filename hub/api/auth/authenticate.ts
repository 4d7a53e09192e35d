/**
 * Authentication for every route: one onRequest hook decides who is calling before any handler
 * runs. Routes are closed by default — only the paths in PUBLIC are open (health, readiness,
 * metrics, the API documentation) — so a route added later cannot be forgotten.
 *
 * Credentials: `Authorization: Bearer <token>` (or `X-API-Key: <key>`) where the token is an API
 * key (`chk_…`) or a JWT (HS256 with the hub's secret; `sub` is the principal id). Browsers cannot
 * set headers on an EventSource, so the stream alone also accepts `?access_token=`; access logs
 * never print query strings of that route.
 */
import { createHash } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import type { Principal } from '../principal.js';
import { findPrincipal, principalForApiKey } from './principals.js';

// the screen's static files (hub/api/web.ts) hold no data: the page signs in and calls the API like anyone
const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/$/, /^\/app\//];
const QUERY_TOKEN_ROUTES = new Set(['/api/v1/stream']);

export interface AuthOptions {
  db: Knex;
  /** Secret for HS256 JWTs; without one, only API keys are accepted. */
  jwtSecret?: string;
  /** How long a resolved credential is trusted before the database is asked again (revocation delay). */
  cacheMs?: number;
}

export class AuthError extends Error {
  readonly statusCode = 401;
}

export function isPublicPath(url: string): boolean {
  return PUBLIC.some((re) => re.test(url));
}

function credentialOf(req: FastifyRequest, route: string): string | null {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new AuthError('Authorization 头格式应为 "Bearer <token>" (malformed Authorization header)');
    return m[1]!;
  }
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key) return key;
  if (QUERY_TOKEN_ROUTES.has(route)) {
    const t = (req.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof t === 'string' && t) return t;
  }
  return null;
}

export function registerAuthentication(app: FastifyInstance, opts: AuthOptions): void {
  const verify = opts.jwtSecret ? createVerifier({ key: opts.jwtSecret, algorithms: ['HS256'], cache: true }) : null;
  const cacheMs = opts.cacheMs ?? 5_000;
  const cache = new Map<string, { principal: Principal | null; until: number }>();

  async function resolve(token: string): Promise<Principal | null> {
    const k = createHash('sha256').update(token).digest('base64');
    const hit = cache.get(k);
    if (hit && hit.until > Date.now()) return hit.principal;
    let principal: Principal | null = null;
    if (token.startsWith('chk_')) principal = await principalForApiKey(opts.db, token);
    else if (verify) {
      let claims: { sub?: unknown };
      try {
        claims = verify(token) as { sub?: unknown };
      } catch (err) {
        throw new AuthError(`令牌无效 (invalid token: ${(err as { code?: string }).code ?? 'verification failed'})`);
      }
      principal = typeof claims.sub === 'string' ? await findPrincipal(opts.db, claims.sub) : null;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(k, { principal, until: Date.now() + cacheMs });
    return principal;
  }

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const route = req.routeOptions.url;
    // unknown paths get their 404 — after authentication, so probing reveals nothing of the API
    if (route !== undefined && isPublicPath(route)) return;
    if (route === undefined && isPublicPath(req.url.split('?')[0]!)) return;
    const token = credentialOf(req, route ?? '');
    if (!token) throw new AuthError('未登录 (not authenticated): send "Authorization: Bearer <API key or token>"');
    const principal = await resolve(token);
    if (!principal) throw new AuthError('凭据无效或已停用 (unknown, revoked or disabled credentials)');
    req.principal = principal;
  });
}

/** A JWT for a principal, e.g. for a browser session exchanged against an API key. */
export function signToken(secret: string, principalId: string, ttlSeconds = 900): string {
  return createSigner({ key: secret, algorithm: 'HS256', expiresIn: ttlSeconds * 1000 })({ sub: principalId });
}
