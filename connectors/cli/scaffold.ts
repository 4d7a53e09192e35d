/**
 * countyhub new <name> [--source http-json|http-xml|file-drop]: a working adapter folder to start
 * from — manifest (the chosen generic source), mapping to a Report, one good and one bad fixture, and
 * the fixture test — which passes as generated. The worker finds the folder by its manifest.ts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countyProfile } from '../../core/county-profile.js';
import { ConfigError } from '../../core/errors.js';

const ADAPTERS_DIR = resolve(import.meta.dirname, '..', 'adapters');

export const SCAFFOLD_SOURCES = ['http-json', 'http-xml', 'file-drop'] as const;
export type ScaffoldSource = (typeof SCAFFOLD_SOURCES)[number];

function manifestSource(kind: ScaffoldSource, name: string): { type: string; imp: string; body: string } {
  if (kind === 'file-drop') {
    return {
      type: 'FileDropSettings',
      imp: `import type { FileDropSettings } from '../../sources/file-drop.js';`,
      body: `{
    kind: 'file-drop',
    folder: '/data/drops/${name}', // overridden per county in CONNECTOR_CONFIG
    encoding: 'auto', // BOM, else UTF-8 if valid, else GB18030 (GBK)
  }`,
    };
  }
  const xml = kind === 'http-xml';
  return {
    type: 'HttpPollSettings',
    imp: `import type { HttpPollSettings } from '../../sources/http-poll.js';`,
    body: `{
    kind: 'http-poll',
    url: 'http://127.0.0.1:9999/api/records', // overridden per county in CONNECTOR_CONFIG
    auth: { type: 'none' }, // or { type: 'headers', headers: { 'X-App-Key': '…' } } — secrets in CONNECTOR_CONFIG
    pagination: { style: 'page', pageParam: 'page', sizeParam: 'size', size: 100, firstPage: 1 },
    // paramFormat: how the platform wants the since parameter (as-is, yyyyMMddHHmmss, yyyy-MM-dd HH:mm:ss, epoch-s, epoch-ms, iso)
    // probeSince: a time after which the platform surely has records: checked at start
    incremental: { param: 'updatedSince', paramFormat: 'as-is', field: 'updatedAt', initial: '2000-01-01 00:00:00' },
    idField: 'id',${xml ? `
    format: 'xml', // charset: from Content-Type or the XML declaration; set charset: 'gb18030' when neither says it
    recordsPath: 'response.rows.row',` : `
    recordsPath: 'data',`}
  }`,
  };
}

export function scaffold(name: string, dir = ADAPTERS_DIR, source: ScaffoldSource = 'http-json'): string {
  if (!SCAFFOLD_SOURCES.includes(source)) throw new ConfigError('--source', `must be one of ${SCAFFOLD_SOURCES.join(', ')}`);
  const src = manifestSource(source, name);
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(name)) throw new ConfigError('name', 'use lower-case letters, digits and hyphens, e.g. "culture-tourism"');
  const root = join(dir, name);
  if (existsSync(root)) throw new ConfigError('name', `${root} already exists`);
  // the example fixture is placed in a town of the county this runs for (its profile)
  const town = countyProfile().towns[0]!;
  mkdirSync(join(root, 'fixtures'), { recursive: true });
  const files: Record<string, string> = {
    'manifest.ts': `import type { ConnectorManifest } from '../../sdk/types.js';
${src.imp}

/** TODO: one line on the department platform this adapter reads. */
export const manifest: ConnectorManifest<${src.type}> = {
  id: '${name}',
  department: '${name}', // TODO: a department id from schemas/catalogues/departments.json
  title: '${name}', // Chinese name shown to operators
  sourceSystem: '${name}',
  emits: ['report'],
  pollIntervalMs: 5000,
  source: ${src.body},
};
`,
    'mapping.ts': `import { cleanText } from '../../../core/normalise/index.js';
import { divisionCode, object, sourceRecordId, structuredText } from '../../sdk/mapping-helpers.js';
import { categoryOf, chineseDateTime, reportRecord, statusTable } from '../../sdk/platform.js';
import type { Mapping } from '../../sdk/types.js';

// TODO: the platform's status codes or labels → RECEIVED DISPATCHED IN_PROGRESS FOLLOW_UP CLOSED REJECTED WITHDRAWN CANCELLED
const status = statusTable({ '1': 'RECEIVED', '2': 'IN_PROGRESS', '3': 'CLOSED' }, 'status');

/** One source record → one Report. Pure: no I/O, no clock (use ctx.ingestTime). */
export const mapping: Mapping = (payload, ctx) => {
  const o = object(payload);
  const category = cleanText(o.category, { field: 'category', maxLength: 50 });
  const envelope = {
    id: sourceRecordId(o.id, 'id'),
    version: chineseDateTime(o.updatedAt, 'updatedAt').epochMs,
    eventTime: chineseDateTime(o.reportedAt, 'reportedAt').epochMs,
    divisionCode: divisionCode(o.divisionCode, 'divisionCode'),
    // location: locationFromText(o.position, { crs: 'BD09', field: 'position' }),
  };
  return [
    reportRecord(ctx, envelope, {
      channel: 'OTHER',
      title: structuredText(o.title, { field: 'title', maxLength: 200 }),
      description: cleanText(o.content, { field: 'content', required: true, maxLength: 4000 }) as string,
      sourceCategoryCode: category,
      categoryCode: categoryOf(ctx, category),
      ...status(o.status),
      address: structuredText(o.address, { field: 'address', maxLength: 500 }),
    }),
  ];
};
`,
    'mapping.test.ts': `import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapping } from './mapping.js';

describeFixtures(manifest, mapping, new URL('./fixtures', import.meta.url).pathname);
`,
    'fixtures/01-example.json': JSON.stringify(
      {
        description: 'a record as the platform serves it becomes a Report (replace with a recorded one)',
        input: { id: 'R1', title: '示例', content: '示例内容', address: town.name, divisionCode: `${town.code}001`, status: '1', reportedAt: '2026年03月01日 08时00分', updatedAt: '2026-03-01 09:00:00' },
        expected: [
          {
            kind: 'report',
            key: town.code,
            value: {
              envelope: { sourceSystem: name, department: name, sourceRecordId: 'R1', sourceVersion: 1772326800000, eventTime: 1772323200000, ingestTime: 1767225600000, divisionCode: `${town.code}001`, gridCode: null, location: null, connector: name },
              channel: 'OTHER', title: '示例', description: '示例内容', sourceCategoryCode: null, categoryCode: null, status: 'RECEIVED', sourceStatus: '1', urgency: null,
              address: town.name, reporterNameMasked: null, reporterPhoneHash: null, reporterPhoneMasked: null, subjectUscc: null, subjectName: null, attachmentUrls: [], deadline: null,
              reporterIdHash: null, reporterIdMasked: null,
            },
          },
        ],
      },
      null,
      2,
    ),
    'fixtures/10-missing-content.json': JSON.stringify(
      {
        description: 'a record without content is dead-lettered naming the field',
        input: { id: 'R2', title: '示例', content: '', divisionCode: `${town.code}001`, status: '1', reportedAt: '2026-03-01 08:00:00', updatedAt: '2026-03-01 09:00:00' },
        error: { code: 'CH_VALIDATION', field: 'content' },
      },
      null,
      2,
    ),
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(root, f), text + (text.endsWith('\n') ? '' : '\n'));
  return root;
}
