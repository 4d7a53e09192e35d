/**
 * Builds the command-center screen (hub/web/src) into hub/web/dist: one ES module bundle and one
 * stylesheet, minified, with ECharts inside — the page loads nothing from outside the hub.
 * Runs on `npm ci` / `npm install` (prepare), before `npm test` and `npm run demo`, and alone as
 * `npm run build:web`. Prints the gzip weight, which must stay within 1.5 MB.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'hub', 'web');
const out = join(root, 'dist');
export const WEB_BUDGET_GZIP_BYTES = 1.5 * 1024 * 1024;

export async function buildWeb(): Promise<{ gzipBytes: number }> {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { app: join(root, 'src', 'main.ts'), 'app-style': join(root, 'src', 'style.css') },
    outdir: out,
    entryNames: '[name]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // one stylesheet named app.css next to app.js
  copyFileSync(join(out, 'app-style.css'), join(out, 'app.css'));
  copyFileSync(join(root, 'index.html'), join(out, 'index.html'));
  const gzipBytes = ['app.js', 'app.css'].reduce((n, f) => n + gzipSync(readFileSync(join(out, f))).length, 0);
  if (gzipBytes > WEB_BUDGET_GZIP_BYTES) throw new Error(`the screen weighs ${gzipBytes} bytes gzip, over the 1.5 MB budget`);
  return { gzipBytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { gzipBytes } = await buildWeb();
  process.stderr.write(`[build-web] hub/web/dist: JS+CSS ${(gzipBytes / 1024).toFixed(0)} KiB gzip\n`);
}
