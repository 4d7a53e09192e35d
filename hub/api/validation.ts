/**
 * Input validation shared by every route, installed once on the server:
 *   - querystrings and path parameters are text on the wire, so their validator coerces ("50" → 50);
 *     JSON bodies have real types, so theirs does not (a number where a name belongs is an error,
 *     not the string "5");
 *   - routes that declare no querystring get an empty one: an unknown parameter is an error on
 *     every route, not silently ignored on some;
 *   - control characters (NUL and friends) are refused in any text a caller sends: PostgreSQL
 *     cannot store NUL in text, and nothing an operator types contains them.
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

function findControl(v: unknown, path: string): string | null {
  if (typeof v === 'string') return CONTROL.test(v) ? path : null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findControl(v[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const hit = findControl(x, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return null;
}

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
      const at = findControl(value, '');
      if (at !== null) throw new BadInputError(`${part}${at ? `/${at}` : ''} 含有控制字符 (contains a control character such as NUL); send plain text`);
    }
  });
}
