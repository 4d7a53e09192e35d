/**
 * Input validation shared by every route, installed once on the server:
 *   - querystrings and path parameters are text on the wire, so their validator coerces ("50" → 50);
 *     JSON bodies have real types, so theirs does not (a number where a name belongs is an error,
 *     not the string "5");
 *   - routes that declare no querystring get an empty one: an unknown parameter is an error on
 *     every route, not silently ignored on some;
 *   - control characters (NUL and friends) and lone UTF-16 surrogates (a JSON "\ud800" escape
 *     without its pair) are refused in any text a caller sends, keys included, with the field's
 *     name: PostgreSQL cannot store NUL or an unpaired surrogate in text, and nothing an operator
 *     types contains them.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export class BadInputError extends Error {
  readonly statusCode = 400;
  readonly validation = [];
}

function ajv(options: Options): Ajv {
  return addFormats(new Ajv({ useDefaults: true, removeAdditional: false, allErrors: false, strict: false, ...options }));
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type Problem = 'control' | 'surrogate';

function problemOf(text: string): Problem | null {
  if (CONTROL.test(text)) return 'control';
  if (LONE_SURROGATE.test(text)) return 'surrogate';
  return null;
}

/** The first text (or key) in a value that cannot be stored as text, with its path. */
function findBadText(v: unknown, path: string): { path: string; problem: Problem } | null {
  if (typeof v === 'string') {
    const problem = problemOf(v);
    return problem ? { path, problem } : null;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findBadText(v[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const at = path ? `${path}.${k}` : k;
      const inKey = problemOf(k);
      if (inKey) return { path: `${path}${path ? '.' : ''}(a key)`, problem: inKey };
      const hit = findBadText(x, at);
      if (hit) return hit;
    }
  }
  return null;
}

const PROBLEM_TEXT: Record<Problem, string> = {
  control: '含有控制字符 (contains a control character such as NUL); send plain text',
  surrogate: '含有无效的 Unicode 字符 (contains a lone UTF-16 surrogate such as \\ud800 without its pair); send valid Unicode text',
};

export function installValidation(app: FastifyInstance): void {
  const coercing = ajv({ coerceTypes: 'array' });
  const strict = ajv({ coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    const schema = (route.schema ??= {});
    schema.querystring ??= { type: 'object', additionalProperties: false, properties: {} };
  });
  app.addHook('preValidation', async (req: FastifyRequest) => {
    for (const [part, value] of [['querystring', req.query], ['params', req.params], ['body', req.body]] as const) {
      const bad = findBadText(value, '');
      if (bad !== null) throw new BadInputError(`${part}${bad.path ? `/${bad.path}` : ''} ${PROBLEM_TEXT[bad.problem]}`);
    }
  });
}
