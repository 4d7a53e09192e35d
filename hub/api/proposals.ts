/**
 * The review queue (待研判合并建议): pairs of matters or subjects the matchers judged probably one
 * but left to a person, with the rule, score and explanation that raised them and a summary of
 * each side. Operators accept (an ordinary merge decision, audited and sent to the departments) or
 * dismiss (audited). Only pairs whose both sides are in the caller's jurisdiction are listed or
 * answerable; any other looks absent.
 */
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { Db } from '../store/db.js';
import { ProposalOps, type ProposalRow } from '../ops/proposals.js';
import { DecisionError, type DecisionOps } from '../ops/types.js';
import { decodeCursor, encodeCursor, PAGE_PROPERTIES } from './cursor.js';
import { actorOf, DECIDERS, DecisionsUnavailableError, REASON } from './decisions.js';
import { MATTER_STATUS_LABELS } from './labels.js';
import { ROW_ID } from './params.js';
import { maskText } from './personal-data.js';
import type { Principal } from './principal.js';
import { requireRole, scopedMatters, scopedSubjects } from './read-scope.js';

const READERS = [...DECIDERS, 'auditor'] as const;
const STATUS_LABELS = { open: '待研判', accepted: '已采纳', dismissed: '已驳回' } as const;
const KIND_LABELS = { matter: '事项合并', subject: '主体合并' } as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGE_PROPERTIES,
    kind: { type: 'string', enum: ['matter', 'subject'], default: 'matter' },
    status: { type: 'string', enum: ['open', 'accepted', 'dismissed'], default: 'open' },
  },
} as const;
const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: ROW_ID } } as const;

/** Proposals of a kind whose both sides the caller may see. */
function scopedProposals(db: Knex, p: Principal, kind: 'matter' | 'subject'): Knex.QueryBuilder {
  const side = (column: string) => (kind === 'matter' ? scopedMatters(db, p).whereRaw(`m.id = ${column}`) : scopedSubjects(db, p).whereRaw(`s.id = ${column}`));
  return db('merge_proposals as p').where('p.kind', kind).whereExists(side('p.a_id')).whereExists(side('p.b_id'));
}

interface MatterSide {
  id: string;
  title: string;
  status: string;
  division_code: string | null;
  report_count: number;
  first_reported_at: Date | null;
  merged_into: string | null;
}
interface SubjectSide {
  id: string;
  name: string;
  uscc: string | null;
  division_code: string | null;
  address: string | null;
  merged_into: string | null;
}

async function sides(db: Knex, kind: 'matter' | 'subject', ids: string[]): Promise<Map<string, object>> {
  const out = new Map<string, object>();
  if (ids.length === 0) return out;
  if (kind === 'matter') {
    const rows = (await db('matters').whereIn('id', ids).select('id', 'title', 'status', 'division_code', 'report_count', 'first_reported_at', 'merged_into')) as MatterSide[];
    for (const m of rows) {
      out.set(String(m.id), { id: String(m.id), title: maskText(m.title), status: m.status, statusLabel: MATTER_STATUS_LABELS[m.status] ?? m.status, divisionCode: m.division_code, reportCount: m.report_count, firstReportedAt: m.first_reported_at?.toISOString() ?? null, mergedInto: m.merged_into ? String(m.merged_into) : null });
    }
  } else {
    const rows = (await db('subjects').whereIn('id', ids).select('id', 'name', 'uscc', 'division_code', 'address', 'merged_into')) as SubjectSide[];
    for (const s of rows) out.set(String(s.id), { id: String(s.id), name: s.name, uscc: s.uscc, divisionCode: s.division_code, address: s.address ? maskText(s.address) : null, mergedInto: s.merged_into ? String(s.merged_into) : null });
  }
  return out;
}

export async function proposalRoutes(app: FastifyInstance, opts: { db: Db; decisions?: DecisionOps }): Promise<void> {
  const { db } = opts;
  const proposals = opts.decisions ? new ProposalOps(db, opts.decisions) : undefined;
  const ops = (): ProposalOps => {
    if (!proposals) throw new DecisionsUnavailableError();
    return proposals;
  };

  app.get<{ Querystring: { limit: number; cursor?: string; kind: 'matter' | 'subject'; status: 'open' | 'accepted' | 'dismissed' } }>(
    '/proposals',
    { schema: { querystring: listQuery, tags: ['decisions'], summary: '合并建议（待研判）：疑似同一事项/主体，附规则、得分与依据 (merge proposals to review)' } },
    async (req) => {
      const p = requireRole(req, READERS);
      const { limit, cursor, kind, status } = req.query;
      const q = scopedProposals(db, p, kind)
        .where('p.status', status)
        .select('p.*')
        .orderBy([{ column: 'p.raised_at', order: 'desc' }, { column: 'p.id', order: 'desc' }])
        .limit(limit + 1);
      if (cursor) {
        const [at, id] = decodeCursor(cursor);
        q.whereRaw('(p.raised_at, p.id) < (?::timestamptz, ?::bigint)', [at, id]);
      }
      const rows = (await q) as ProposalRow[];
      const page = rows.slice(0, limit);
      const summaries = await sides(db, kind, [...new Set(page.flatMap((r) => [String(r.a_id), String(r.b_id)]))]);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => {
          const a = summaries.get(String(r.a_id)) as { mergedInto: string | null; status?: string } | undefined;
          const b = summaries.get(String(r.b_id)) as { mergedInto: string | null; status?: string } | undefined;
          // a side merged elsewhere or closed: the proposal can no longer be taken as it stands
          const actionable = r.status === 'open' && !!a && !!b && !a.mergedInto && !b.mergedInto && a.status !== 'CLOSED' && b.status !== 'CLOSED';
          return {
            id: String(r.id),
            kind: r.kind,
            kindLabel: KIND_LABELS[r.kind],
            status: r.status,
            statusLabel: STATUS_LABELS[r.status],
            rule: r.rule,
            score: r.score,
            explanation: maskText(r.explanation),
            raisedAt: r.raised_at.toISOString(),
            raisedBy: { sourceSystem: r.source_system, sourceRecordId: r.source_record_id },
            a: a ?? { id: String(r.a_id) },
            b: b ?? { id: String(r.b_id) },
            actionable,
            decidedBy: r.decided_by,
            decidedAt: r.decided_at?.toISOString() ?? null,
            note: r.note,
          };
        }),
        nextCursor: rows.length > limit && last ? encodeCursor(last.raised_at.toISOString(), String(last.id)) : null,
      };
    },
  );

  /** The proposal, when both its sides are in the caller's jurisdiction. */
  async function visible(p: Principal, id: string): Promise<void> {
    const row = (await db('merge_proposals').where({ id }).first('kind')) as { kind: 'matter' | 'subject' } | undefined;
    const seen = row ? await scopedProposals(db, p, row.kind).where('p.id', id).first('p.id') : undefined;
    if (!seen) throw new DecisionError('not_found', `合并建议 ${id} 不存在或不在您的辖区内 (no such proposal in your jurisdiction)`);
  }

  app.post<{ Params: { id: string }; Body: { into?: string; reason: string } }>(
    '/proposals/:id/accept',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { into: ROW_ID, reason: REASON } },
        tags: ['decisions'],
        summary: '采纳合并建议：按普通合并决定执行并留痕 (accept: merge the pair)',
      },
    },
    async (req) => {
      const p = requireRole(req, DECIDERS);
      await visible(p, req.params.id);
      return ops().accept(req.params.id, req.body, actorOf(req, p));
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/proposals/:id/dismiss',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: REASON } },
        tags: ['decisions'],
        summary: '驳回合并建议：不是同一事项/主体 (dismiss: not the same)',
      },
    },
    async (req) => {
      const p = requireRole(req, DECIDERS);
      await visible(p, req.params.id);
      return ops().dismiss(req.params.id, req.body, actorOf(req, p));
    },
  );
}
