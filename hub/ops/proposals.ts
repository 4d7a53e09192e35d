/**
 * Merge proposals (合并建议): pairs of matters or subjects the matchers judged probably one but
 * not surely — a report that nearly matched a matter (`review`), or matched two (`alsoMatching`);
 * a subject record that nearly matched a golden subject. Raised inside the ingest transaction;
 * operators accept or dismiss them through the API (hub/api/proposals.ts), an acceptance being an
 * ordinary audited merge decision.
 */
import type { Knex } from 'knex';
import { deterministicId } from '../store/ids.js';
import { DecisionError, type Actor, type DecisionOps } from './types.js';

export type ProposalKind = 'matter' | 'subject';

export interface Proposal {
  kind: ProposalKind;
  /** The two matters or subjects, in any order. */
  ids: [string, string];
  sourceSystem: string;
  sourceRecordId: string;
  rule: string;
  score: number;
  explanation: string;
  at: number;
}

/** Raises a proposal unless the pair already has one (the first reason stays; a dismissal stands). */
export async function raiseProposal(tx: Knex.Transaction, p: Proposal): Promise<void> {
  const [a, b] = [...p.ids].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0)) as [string, string];
  if (a === b) return;
  await tx('merge_proposals')
    .insert({
      id: deterministicId('proposal', p.kind, a, b),
      kind: p.kind,
      a_id: a,
      b_id: b,
      source_system: p.sourceSystem,
      source_record_id: p.sourceRecordId,
      rule: p.rule,
      score: p.score,
      explanation: p.explanation,
      raised_at: new Date(p.at),
    })
    .onConflict(['kind', 'a_id', 'b_id'])
    .ignore();
}

export interface ProposalRow {
  id: string;
  kind: ProposalKind;
  a_id: string;
  b_id: string;
  source_system: string;
  source_record_id: string;
  rule: string;
  score: number;
  explanation: string;
  raised_at: Date;
  status: 'open' | 'accepted' | 'dismissed';
  decided_by: string | null;
  decided_at: Date | null;
  note: string | null;
}

/**
 * An operator's answer to a proposal. Accepting is the ordinary merge decision (audited and
 * published by DecisionOps), after which the proposal is marked; a proposal whose pair an operator
 * already merged by hand is marked accepted without merging again. Dismissing is audited.
 */
export class ProposalOps {
  constructor(
    private readonly db: Knex,
    private readonly decisions: DecisionOps,
    private readonly now: () => number = Date.now,
  ) {}

  async accept(id: string, input: { into?: string; reason: string }, actor: Actor): Promise<{ proposal: string; kept: string; merged: string; alreadyMerged: boolean }> {
    const p = await this.open(id);
    const into = input.into ?? (await this.defaultKept(p));
    if (into !== String(p.a_id) && into !== String(p.b_id)) throw new DecisionError('invalid', `保留对象 ${into} 不属于该建议 (into must be ${p.a_id} or ${p.b_id})`);
    const other = into === String(p.a_id) ? String(p.b_id) : String(p.a_id);
    const table = p.kind === 'matter' ? 'matters' : 'subjects';
    const mergedInto = async (x: string) => ((await this.db(table).where({ id: x }).first('merged_into')) as { merged_into: string | null } | undefined)?.merged_into ?? null;
    const already = String((await mergedInto(other)) ?? '') === into || String((await mergedInto(into)) ?? '') === other;
    if (!already) {
      const reason = `采纳合并建议 ${p.id}：${input.reason}`;
      if (p.kind === 'matter') await this.decisions.mergeMatters({ into, from: [other], reason }, actor);
      else await this.decisions.mergeSubjects({ into, from: [other], reason }, actor);
    }
    await this.decide(id, 'accepted', input.reason, actor, { into, from: other, alreadyMerged: already });
    return { proposal: String(p.id), kept: into, merged: other, alreadyMerged: already };
  }

  async dismiss(id: string, input: { reason: string }, actor: Actor): Promise<{ proposal: string }> {
    await this.open(id);
    await this.decide(id, 'dismissed', input.reason, actor, {});
    return { proposal: id };
  }

  private async open(id: string): Promise<ProposalRow> {
    const p = (await this.db('merge_proposals').where({ id }).first()) as ProposalRow | undefined;
    if (!p) throw new DecisionError('not_found', `合并建议 ${id} 不存在 (no such proposal)`);
    if (p.status !== 'open') throw new DecisionError('conflict', `合并建议 ${id} 已处理（${p.status === 'accepted' ? '已采纳' : '已驳回'}，${p.decided_by ?? ''}） (already ${p.status})`);
    return p;
  }

  /** Matters: the one reported first; subjects: the one with a registry code (USCC), else the older id. */
  private async defaultKept(p: ProposalRow): Promise<string> {
    if (p.kind === 'matter') {
      const rows = (await this.db('matters').whereIn('id', [p.a_id, p.b_id]).orderBy([{ column: 'first_reported_at' }, { column: 'id' }]).select('id')) as Array<{ id: string }>;
      return String(rows[0]?.id ?? p.a_id);
    }
    const rows = (await this.db('subjects').whereIn('id', [p.a_id, p.b_id]).orderByRaw('uscc is null, id').select('id')) as Array<{ id: string }>;
    return String(rows[0]?.id ?? p.a_id);
  }

  private async decide(id: string, status: 'accepted' | 'dismissed', note: string, actor: Actor, detail: object): Promise<void> {
    const at = this.now();
    await this.db.transaction(async (tx) => {
      const n = await tx('merge_proposals').where({ id, status: 'open' }).update({ status, decided_by: actor.principalId, decided_at: new Date(at), note });
      // another operator answered it meanwhile: theirs stands
      if (n === 0) throw new DecisionError('conflict', `合并建议 ${id} 已被他人处理 (answered meanwhile)`);
      const p = (await tx('merge_proposals').where({ id }).first('kind')) as { kind: ProposalKind };
      await tx('merge_audit').insert({ kind: p.kind, action: status === 'accepted' ? 'accept-proposal' : 'dismiss-proposal', detail: JSON.stringify({ proposal: id, reason: note, ...detail }), actor: actor.principalId, actor_role: actor.role, remote_addr: actor.from, at: new Date(at) });
    });
  }
}
