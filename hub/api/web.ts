/**
 * The command center's screen (hub/web, built into hub/web/dist by scripts/build-web.ts), served at
 * `/` by the hub itself: county intranets have no internet, so the page, its script, its styles and
 * its map library all come from here. The files hold no data; every API call they make is
 * authenticated like any other, which is why these paths are public (auth/authenticate.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
const TYPES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8', 'app.js.LEGAL.txt': 'text/plain; charset=utf-8' };

export async function webRoutes(app: FastifyInstance, opts: { dir?: string }): Promise<void> {
  const dir = opts.dir ?? WEB_DIST;
  // read once at start: a handful of files, and a missing build is said at once rather than per request
  const files = new Map<string, Buffer>();
  for (const f of ['index.html', ...Object.keys(TYPES)]) if (existsSync(join(dir, f))) files.set(f, readFileSync(join(dir, f)));

  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    const html = files.get('index.html');
    if (!html) return reply.code(503).type('text/plain; charset=utf-8').send('指挥中心页面尚未构建：请运行 npm run build:web (the screen is not built; run npm run build:web)');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
  app.get<{ Params: { file: string } }>('/app/:file', { schema: { hide: true } }, async (req, reply) => {
    const body = files.get(req.params.file);
    if (!body) return reply.code(404).send({ error: 'not_found', message: `没有这个文件 (no file ${req.params.file})` });
    return reply.type(TYPES[req.params.file]!).header('cache-control', 'no-cache').send(body);
  });
}
