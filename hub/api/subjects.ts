/**
 * GET /api/v1/subjects (search by name variant, USCC or address) and /api/v1/subjects/:id — the
 * cross-department profile (一企一档): the golden record with field provenance, every linked source
 * record, and the matters and reports about the subject.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { keyString, nameKey } from '../merge/names.js';
import { escapeLike, principalOf, scopedMatters, scopedSubjects } from './read-scope.js';
import { MATTER_STATUS_LABELS } from './labels.js';
import { maskText } from './personal-data.js';

interface SubjectRow {
  id: string;
  subject_type: string;
  uscc: string | null;
  name: string;
  address: string | null;
  division_code: string | null;
  town_code: string | null;
  golden: Record<string, unknown>;
  updated_at: Date;
}

const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, description: '名称（可为简称、括号注记、全角半角不同的写法）' },
    uscc: { type: 'string', pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$', description: '统一社会信用代码' },
    address: { type: 'string', minLength: 2, maxLength: 200, description: '地址片段' },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
} as const;

function summary(s: SubjectRow) {
  return { id: String(s.id), type: s.subject_type, uscc: s.uscc, name: s.name, address: s.address, divisionCode: s.division_code, updatedAt: s.updated_at.toISOString() };
}

export async function subjectRoutes(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  const { db } = opts;

  app.get<{ Querystring: { name?: string; uscc?: string; address?: string; limit: number } }>(
    '/subjects',
    { schema: { querystring: searchQuery, tags: ['subjects'], summary: '主体检索 (search subjects by name variant, USCC or address)' } },
    async (req, reply) => {
      const { name, uscc, address, limit } = req.query;
      if (!name && !uscc && !address) {
        return reply.code(400).send({ error: 'bad_request', message: '请给出 name、uscc 或 address 之一 (give name, uscc or address)' });
      }
      const q = scopedSubjects(db, principalOf(req)).select('s.*').orderBy('s.id').limit(limit);
      if (uscc) q.where('s.uscc', uscc.toUpperCase());
      if (address) q.where('s.address', 'like', `%${escapeLike(address)}%`);
      if (name) {
        // The merge engine's name key (legal form, brackets, width, 老王→王记 folded away): every
        // spelling the hub linked is in subject_keys, so a variant finds the subject by the same key.
        const k = nameKey(name);
        q.where((w) => {
          w.whereIn('s.id', db('subject_keys').select('subject_id').where('key', `name:${keyString(k)}`));
          if (k.core) w.orWhereIn('s.id', db('subject_keys').select('subject_id').where('key', 'like', `name:${escapeLike(k.core)}|%`));
          w.orWhere('s.name', 'like', `%${escapeLike(name)}%`);
        });
      }
      return { items: ((await q) as SubjectRow[]).map(summary) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/subjects/:id',
    {
      schema: {
        params: { type: 'object', additionalProperties: false, properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } }, required: ['id'] },
        tags: ['subjects'],
        summary: '一企一档 (a subject with its golden record, provenance and every linked record)',
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const s = (await scopedSubjects(db, p).select('s.*').where('s.id', req.params.id).first()) as SubjectRow | undefined;
      if (!s) {
        // an id that went when its records joined another subject (or the subject was renamed after a smaller record)
        const movedTo = await currentSubjectId(db, req.params.id);
        if (movedTo && (await scopedSubjects(db, p).where('s.id', movedTo).first('s.id'))) {
          return reply
            .code(308)
            .header('location', `${req.url.split('?')[0]!.replace(/[0-9]+$/, movedTo)}`)
            .send({ error: 'moved', movedTo, message: `主体 ${req.params.id} 已并入主体 ${movedTo} (the subject's records are now on ${movedTo})` });
        }
      }
      if (!s) return reply.code(404).send({ error: 'not_found', message: `主体 ${req.params.id} 不存在或不在您的辖区 (no such subject in your jurisdiction)` });
      const [links, matters, reports] = await Promise.all([
        db('subject_links').where('subject_id', s.id).orderBy('linked_at'),
        scopedMatters(db, p).select('m.id', 'm.title', 'm.status', 'm.division_code', 'm.updated_at').where('m.subject_id', s.id).orderBy('m.updated_at', 'desc').limit(200),
        scopedMatters(db, p)
          .join('reports as r', 'r.matter_id', 'm.id')
          .where('r.subject_id', s.id)
          .select('r.source_system', 'r.source_record_id', 'r.department', 'r.title', 'r.event_time', 'r.matter_id')
          .orderBy('r.event_time', 'desc')
          .limit(200),
      ]);
      return {
        ...summary(s),
        // field → { value, provenance: source system, record, time } as survivorship chose it
        golden: s.golden,
        links: links.map((l: { source_system: string; source_record_id: string; kind: string; source_version: string; record: unknown; decision: unknown; linked_at: Date }) => ({
          sourceSystem: l.source_system,
          sourceRecordId: l.source_record_id,
          kind: l.kind,
          sourceVersion: String(l.source_version),
          record: l.record,
          decision: l.decision,
          linkedAt: l.linked_at.toISOString(),
        })),
        matters: matters.map((m: { id: string; title: string; status: string; division_code: string | null; updated_at: Date }) => ({
          id: String(m.id),
          title: maskText(m.title),
          status: m.status,
          statusLabel: MATTER_STATUS_LABELS[m.status] ?? m.status,
          divisionCode: m.division_code,
          updatedAt: m.updated_at.toISOString(),
        })),
        reports: reports.map((r: { source_system: string; source_record_id: string; department: string; title: string | null; event_time: Date; matter_id: string }) => ({
          sourceSystem: r.source_system,
          sourceRecordId: r.source_record_id,
          department: r.department,
          title: maskText(r.title),
          eventTime: r.event_time.toISOString(),
          matterId: String(r.matter_id),
        })),
      };
    },
  );
}

/** Where a subject id that went now leads: the live subject at the end of its redirects, if any. */
async function currentSubjectId(db: Db, id: string): Promise<string | null> {
  let at = id;
  // redirects are kept flat (each points at a live subject), so one hop is the rule; a few allow for a race
  for (let hop = 0; hop < 5; hop++) {
    const r = (await db('subject_redirects').where({ old_id: at }).first('new_id')) as { new_id: string } | undefined;
    if (!r) return null;
    at = String(r.new_id);
    if (await db('subjects').where({ id: at }).first('id')) return at;
  }
  return null;
}
