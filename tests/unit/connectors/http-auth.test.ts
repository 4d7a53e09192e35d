/** Authentication of the generic HTTP sources: OAuth2 client credentials and app-key signatures in HMAC-SM3. No stack. */
import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetriable, UpstreamRejectedError } from '../../../core/errors.js';
import { HttpPollSource, type HttpPollSettings } from '../../../connectors/sources/http-poll.js';

let app: FastifyInstance;
let base: string;
let issued = 0;
let valid = new Set<string>();
const ROWS = [{ id: 'A1', t: '2026-11-23 09:30:00' }, { id: 'A2', t: '2026-11-23 09:31:00' }];

beforeAll(async () => {
  app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
  app.post<{ Body: Record<string, string> }>('/oauth/token', async (req, reply) => {
    const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (req.body.grant_type !== 'client_credentials' || basic !== 'county:s3cret') return reply.code(401).send({ error: 'invalid_client' });
    const token = `tok-${++issued}`;
    valid.add(token);
    return { access_token: token, token_type: 'bearer', expires_in: 7200 };
  });
  app.get('/api/oauth/rows', async (req, reply) => {
    if (!valid.has(String(req.headers.authorization ?? '').replace(/^Bearer /, ''))) return reply.code(401).send({ error: 'invalid_token' });
    return { data: ROWS };
  });
  app.get('/api/signed/rows', async (req, reply) => {
    const h = req.headers as Record<string, string>;
    const expected = createHmac('sm3', 'sm3-secret-0001').update(`${h['appid']}${h['ts']}${h['nonce']}${req.url}`).digest('hex');
    if (h['appid'] !== 'county-app' || h['sign'] !== expected) return reply.code(401).send({ error: 'bad signature' });
    return { data: ROWS };
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
});

const settings = (path: string, auth: HttpPollSettings['auth']): HttpPollSettings => ({
  kind: 'http-poll',
  url: `${base}${path}`,
  auth,
  pagination: { style: 'page', pageParam: 'page', sizeParam: 'size', size: 10, firstPage: 1 },
  incremental: { param: 'since', field: 't', initial: '2026-11-01 00:00:00' },
  idField: 'id',
  recordsPath: 'data',
});
const ids = async (s: HttpPollSource) => (await s.nextPage(undefined, new AbortController().signal)).records.map((r) => r.id);

describe('OAuth2 client credentials', () => {
  const oauth = (secret = 's3cret'): HttpPollSettings['auth'] => ({ type: 'oauth2', tokenUrl: `${base}/oauth/token`, clientId: 'county', clientSecret: secret });

  it('fetches a token once and keeps it; a token revoked early is replaced once, and the page is read', async () => {
    const source = new HttpPollSource(settings('/api/oauth/rows', oauth()));
    const before = issued;
    expect(await ids(source)).toEqual(['A1', 'A2']);
    expect(await ids(source)).toEqual(['A1', 'A2']);
    expect(issued - before).toBe(1);
    valid = new Set(); // the platform revokes every token
    expect(await ids(source)).toEqual(['A1', 'A2']);
    expect(issued - before).toBe(2);
  });

  it('wrong client credentials: refused naming the settings, not retried', async () => {
    const err = await ids(new HttpPollSource(settings('/api/oauth/rows', oauth('wrong')))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamRejectedError);
    expect(isRetriable(err)).toBe(false);
    expect((err as Error).message).toMatch(/refused the client credentials.*clientId\/clientSecret/);
  });
});

describe('app-key signature in HMAC-SM3 with the platform\'s header names', () => {
  const appKey = (secret: string): HttpPollSettings['auth'] => ({
    type: 'app-key', appKey: 'county-app', appSecret: secret, algorithm: 'hmac-sm3',
    headerNames: { key: 'appid', timestamp: 'ts', nonce: 'nonce', signature: 'sign' },
  });
  it('the platform verifies the signature and answers the rows', async () => {
    expect(await ids(new HttpPollSource(settings('/api/signed/rows', appKey('sm3-secret-0001'))))).toEqual(['A1', 'A2']);
  });
  it('a wrong secret is refused (401), not retried', async () => {
    const err = await ids(new HttpPollSource(settings('/api/signed/rows', appKey('another-secret')))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamRejectedError);
    expect((err as Error).message).toMatch(/HTTP 401/);
  });
});
