/**
 * Why did the hub miss or wrongly make pairs? Reads a schema the evaluation kept
 * (`npm run eval:merge -- --dataset <dir> --keep`) and the dataset's truth, then for every missed
 * true pair and every wrong predicted pair — of matters (一件事) and of subjects (一企一档) — finds
 * the report applied later (the one whose decision made or failed the pair), reads the decision the
 * hub stored with it (`reports.merge_decision`, `subject_links.decision`) and re-runs the pure
 * matcher on the pair alone (and checks whether candidate blocking could have found the other
 * side). Each pair gets one error category; counts per category are printed, with a sample of
 * pairs showing both records' features and the matcher's decision, rule and gates.
 *
 *   npx tsx scripts/eval-explain.ts --dataset <dir> --database <url> --schema <name> [--sample 5] [--only matters|subjects] [--category <substring>]
 *
 * Also used by eval-merge.ts `--explain N`.
 */
import { featuresOfRow, type ReportRow } from '../hub/ingest/matter-candidates.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { HubRouting } from '../hub/ingest/routing.js';
import { matchMatter, matchSubject, matterBlocking, familyOf, type MatterCandidate, type ReportFeatures, type SubjectCandidate, type SubjectRecord } from '../hub/merge/index.js';
import { isUsablePoint } from '../hub/merge/geo.js';
import type { SourceRef } from '../simulators/county/generate.js';
import { readJsonl, readManifest, scoreClusters, type TruthMatter, type TruthSubject } from '../simulators/county/dataset.js';

export interface ExplainOptions {
  dataset: string;
  /** Source systems that were evaluated (had an adapter). */
  inScope: ReadonlySet<string>;
  routing: HubRouting;
  /** Sample pairs printed per category. */
  sample: number;
  only?: 'matters' | 'subjects';
  category?: string;
  print?: (line: string) => void;
}

interface RepRow extends ReportRow {
  merge_decision: { decision: string; rule: string; score: number; features: Record<string, unknown> | null; explanation: string } | null;
  title: string | null;
  ord: string;
}

interface MatterRow {
  id: string;
  family: string | null;
  division_code: string | null;
  town_code: string | null;
  grid_code: string | null;
  lng: number | null;
  lat: number | null;
}

const key = (r: { sourceSystem: string; sourceRecordId: string } | { source_system: string; source_record_id: string }): string =>
  'sourceSystem' in r ? `${r.sourceSystem}/${r.sourceRecordId}` : `${r.source_system}/${r.source_record_id}`;

const features = (r: RepRow): ReportFeatures => featuresOfRow(r);

class Tally {
  readonly counts = new Map<string, number>();
  readonly samples = new Map<string, string[][]>();
  constructor(private readonly sample: number) {}
  add(category: string, detail: () => string[]): void {
    this.counts.set(category, (this.counts.get(category) ?? 0) + 1);
    const s = this.samples.get(category) ?? [];
    if (s.length < this.sample) {
      s.push(detail());
      this.samples.set(category, s);
    }
  }
  print(title: string, total: number, out: (l: string) => void, filter?: string): void {
    out(`\n══ ${title}: ${total} pair(s)`);
    const rows = [...this.counts.entries()].sort((a, b) => b[1] - a[1]);
    for (const [c, n] of rows) out(`  ${String(n).padStart(6)}  ${(100 * n / Math.max(1, total)).toFixed(1).padStart(5)} %  ${c}`);
    for (const [c] of rows) {
      if (filter && !c.includes(filter)) continue;
      const s = this.samples.get(c) ?? [];
      if (!s.length) continue;
      out(`\n── ${title} · ${c}`);
      for (const lines of s) {
        for (const l of lines) out(`   ${l}`);
        out('');
      }
    }
  }
}

function pairsOf<T>(xs: readonly T[]): Array<[T, T]> {
  const out: Array<[T, T]> = [];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) out.push([xs[i] as T, xs[j] as T]);
  return out;
}

const short = (s: string | null | undefined, n = 70): string => (s ? (s.length > n ? `${s.slice(0, n)}…` : s) : '—');

function describeReport(r: RepRow, truth: string | undefined): string {
  const loc = r.lng !== null && r.lat !== null ? `${r.lng.toFixed(5)},${r.lat.toFixed(5)}` : 'no-xy';
  return (
    `${key(r)} [truth ${truth ?? '?'} · matter ${r.matter_id}] ${r.event_time.toISOString().slice(5, 16)} ${r.category_code ?? 'no-cat'} div ${r.division_code ?? '—'} grid ${r.grid_code ?? '—'} ${loc}` +
    `\n       addr ${short(r.address, 40)} · subject ${r.subject_name ?? '—'}${r.subject_uscc ? ` (${r.subject_uscc})` : ''}\n       text ${short(`${r.title ? `${r.title}｜` : ''}${r.description}`, 90)}`
  );
}

/** Which of the apply-report candidate queries would have found `m` for report `f` (mirrors loadCandidates). */
function blockingFinds(f: ReportFeatures, m: MatterRow, members: readonly RepRow[]): string | null {
  const b = matterBlocking(f);
  if (b.families && !b.families.includes(m.family ?? '')) return `family ${m.family} of the matter ∉ {${b.families.join(', ')}}`;
  const times = members.map((x) => x.event_time.getTime());
  if (Math.max(...times) < b.from || Math.min(...times) > b.to) return 'outside the time window';
  const paths: string[] = [];
  if (b.bbox && m.lng !== null && m.lat !== null && m.lng >= b.bbox[0] && m.lng <= b.bbox[2] && m.lat >= b.bbox[1] && m.lat <= b.bbox[3]) paths.push('bbox');
  if (f.divisionCode && f.divisionCode.length === 12 && !f.divisionCode.endsWith('000')) {
    if (m.division_code === f.divisionCode) paths.push('village');
  } else if (b.townCode) {
    if (m.town_code === b.townCode) paths.push('town');
  } else if (!b.bbox && m.division_code === null) paths.push('no-division');
  if (f.gridCode && m.grid_code === f.gridCode) paths.push('grid');
  return paths.length ? null : 'no query path (bbox/village/town/grid) reaches it';
}

function gatesOf(d: ReturnType<typeof matchMatter>): string {
  const f = d.features;
  if (!f) return d.rule;
  if (d.decision === 'match') return 'match';
  if (d.decision === 'review') return `review:${d.rule}`;
  return `gate:${[...f.failed].sort().join('+')}`;
}

export async function explainMerge(db: Knex, opts: ExplainOptions): Promise<void> {
  const out = opts.print ?? ((l: string) => console.log(l));
  const manifest = readManifest(opts.dataset);
  const regions = opts.routing.regions;

  const reps: RepRow[] = await db('reports as r')
    .join('source_records as s', function () {
      this.on('s.source_system', 'r.source_system').andOn('s.source_record_id', 'r.source_record_id');
    })
    .groupBy('r.source_system', 'r.source_record_id')
    .select(
      'r.source_system',
      'r.source_record_id',
      db.raw('min(r.matter_id) as matter_id'),
      db.raw('(array_agg(r.merge_decision))[1] as merge_decision'),
      db.raw('min(r.category_code) as category_code'),
      db.raw('min(r.event_time) as event_time'),
      db.raw('min(r.lng) as lng'),
      db.raw('min(r.lat) as lat'),
      db.raw('min(r.division_code) as division_code'),
      db.raw('min(r.grid_code) as grid_code'),
      db.raw('min(r.description) as description'),
      db.raw('min(r.title) as title'),
      db.raw('min(r.address) as address'),
      db.raw("min(r.payload->>'subjectUscc') as subject_uscc"),
      db.raw("min(r.payload->>'subjectName') as subject_name"),
      db.raw('min(s.id) as ord'),
    );
  const byKey = new Map(reps.map((r) => [key(r), { ...r, matter_id: String(r.matter_id) }]));
  const order = (r: RepRow) => BigInt(r.ord);
  const byMatter = new Map<string, RepRow[]>();
  for (const r of byKey.values()) byMatter.set(r.matter_id, [...(byMatter.get(r.matter_id) ?? []), r]);
  for (const rs of byMatter.values()) rs.sort((a, b) => (order(a) < order(b) ? -1 : 1));
  const matterRows = new Map<string, MatterRow>(
    ((await db('matters').select('id', 'family', 'division_code', 'town_code', 'grid_code', 'lng', 'lat')) as MatterRow[]).map((m) => [String(m.id), m]),
  );

  {
    // pairwise figures over the systems in scope (to compare runs with different adapters)
    const inScope = (r: { sourceSystem: string }) => opts.inScope.has(r.sourceSystem);
    const ref = (r: { source_system: string; source_record_id: string }) => ({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id });
    const tm = readJsonl<TruthMatter>(join(opts.dataset, manifest.truth?.matters ?? 'truth/matters.jsonl')).map((m) => m.refs.filter(inScope)).filter((c) => c.length);
    const pm = [...byMatter.values()].map((rs) => rs.map(ref).filter(inScope));
    const ts = readJsonl<TruthSubject>(join(opts.dataset, manifest.truth?.subjects ?? 'truth/subjects.jsonl')).map((x) => x.refs.filter(inScope)).filter((c) => c.length);
    const ls: Array<{ subject_id: string; source_system: string; source_record_id: string }> = await db('subject_links').select('subject_id', 'source_system', 'source_record_id');
    const bySubj = new Map<string, Array<{ sourceSystem: string; sourceRecordId: string }>>();
    for (const l of ls) bySubj.set(String(l.subject_id), [...(bySubj.get(String(l.subject_id)) ?? []), ref(l)]);
    const m = scoreClusters(tm, pm);
    const su = scoreClusters(ts, [...bySubj.values()].map((c) => c.filter(inScope)));
    const r4 = (x: number) => x.toFixed(4);
    out(`systems ${[...opts.inScope].sort().join(', ')}`);
    out(`matters:  precision ${r4(m.precision)}  recall ${r4(m.recall)}  (${m.correctPairs}/${m.predictedPairs}, ${m.correctPairs}/${m.truePairs})`);
    out(`subjects: precision ${r4(su.precision)}  recall ${r4(su.recall)}  (${su.correctPairs}/${su.predictedPairs}, ${su.correctPairs}/${su.truePairs})`);
  }

  if (opts.only !== 'subjects') {
    const truth = readJsonl<TruthMatter>(join(opts.dataset, manifest.truth?.matters ?? 'truth/matters.jsonl'));
    const truthOf = new Map<string, TruthMatter>();
    for (const m of truth) for (const r of m.refs) if (opts.inScope.has(r.sourceSystem)) truthOf.set(key(r), m);

    // missed: same truth matter, different predicted matter
    const missed = new Tally(opts.sample);
    let missedTotal = 0;
    for (const m of truth) {
      const rs = m.refs.filter((r) => opts.inScope.has(r.sourceSystem)).map((r) => byKey.get(key(r))).filter((r): r is RepRow => !!r);
      for (const [x, y] of pairsOf(rs)) {
        if (x.matter_id === y.matter_id) continue;
        missedTotal++;
        const [a, b] = order(x) < order(y) ? [x, y] : [y, x];
        const fb = features(b);
        // a's matter as it stood when b was applied
        const members = (byMatter.get(a.matter_id) ?? []).filter((r) => order(r) < order(b));
        const pairDecision = matchMatter(fb, [{ matterId: 'pair', reports: [features(a)] }], { regions });
        const matterDecision = members.length ? matchMatter(fb, [{ matterId: a.matter_id, reports: members.map(features) }], { regions }) : null;
        const blockMiss = members.length ? blockingFinds(fb, matterRows.get(a.matter_id) as MatterRow, members) : 'other side not applied yet';
        const stored = b.merge_decision;
        const depts = [a.source_system, b.source_system].sort().join('↔');
        let cat: string;
        const pairGate = gatesOf(pairDecision);
        if (stored?.decision === 'match' && b.matter_id !== a.matter_id && (byMatter.get(b.matter_id)?.[0] !== b)) {
          cat = `joined another matter (pair alone: ${pairGate})`;
        } else if (pairGate === 'match' && blockMiss) {
          cat = `blocking: ${blockMiss}`;
        } else if (pairGate === 'match' && matterDecision && matterDecision.decision !== 'match') {
          cat = `matter-level ${gatesOf(matterDecision)} (pair alone matches)`;
        } else if (pairGate === 'match') {
          cat = `pair matches now (order/competition; stored ${stored?.rule ?? '?'})`;
        } else {
          cat = pairGate;
          if (blockMiss) cat += ' [and blocking miss]';
        }
        cat += `  ‹${depts}›`;
        missed.add(cat, () => [
          `A ${describeReport(a, truthOf.get(key(a))?.id)}`,
          `B ${describeReport(b, truthOf.get(key(b))?.id)}`,
          `stored B: ${short(stored?.explanation, 400)}`,
          `pair alone: ${short(pairDecision.explanation, 400)}`,
          ...(blockMiss ? [`blocking: ${blockMiss} — ${matterBlocking(fb).explanation}`] : []),
        ]);
      }
    }

    // wrong: same predicted matter, different truth matters
    const wrong = new Tally(opts.sample);
    let wrongTotal = 0;
    for (const rs of byMatter.values()) {
      const known = rs.filter((r) => truthOf.has(key(r)));
      for (const [x, y] of pairsOf(known)) {
        const tx = truthOf.get(key(x)) as TruthMatter;
        const ty = truthOf.get(key(y)) as TruthMatter;
        if (tx.id === ty.id) continue;
        wrongTotal++;
        const [a, b] = order(x) < order(y) ? [x, y] : [y, x];
        const decoy = tx.decoyOf === ty.id || ty.decoyOf === tx.id || (tx.decoyOf !== null && tx.decoyOf === ty.decoyOf) ? 'decoy' : tx.category === ty.category ? 'same-category' : familyOf({ categoryCode: tx.category }) === familyOf({ categoryCode: ty.category }) ? 'same-family' : 'other-category';
        const pairDecision = matchMatter(features(b), [{ matterId: 'pair', reports: [features(a)] }], { regions });
        const f = pairDecision.features;
        const why =
          pairDecision.decision !== 'match'
            ? `chained (pair alone: ${gatesOf(pairDecision)})`
            : f?.subject.relation && f.subject.relation !== 'unknown'
              ? `by subject ${f.subject.relation}`
              : (f?.text?.score ?? 0) >= 0.3
                ? 'text ≥ 0.3'
                : 'text 0.15–0.3';
        const place = f?.distanceM !== null && f?.distanceM !== undefined ? 'xy' : f?.address && f.address.score >= 0.85 ? 'address' : f?.sameGrid ? 'grid' : 'subject/town';
        const cat = `${decoy} · ${why} · place by ${place}  ‹${[a.source_system, b.source_system].sort().join('↔')}›`;
        wrong.add(cat, () => [
          `A ${describeReport(a, tx === truthOf.get(key(a)) ? tx.id : ty.id)}`,
          `B ${describeReport(b, truthOf.get(key(b))?.id)}`,
          `stored B: ${short(b.merge_decision?.explanation, 400)}`,
          `pair alone: ${short(pairDecision.explanation, 400)}`,
        ]);
      }
    }
    missed.print('MATTERS · missed true pairs', missedTotal, out, opts.category);
    wrong.print('MATTERS · wrong predicted pairs', wrongTotal, out, opts.category);
  }

  if (opts.only !== 'matters') {
    interface LinkRow {
      subject_id: string;
      source_system: string;
      source_record_id: string;
      record: SubjectRecord & { department?: string; at?: number };
      decision: { decision: string; rule: string; score: number; features: { blockers?: string[] } | null; explanation: string };
      ord: string;
    }
    const links: LinkRow[] = (
      await db('subject_links as l')
        .leftJoin('source_records as s', function () {
          this.on('s.source_system', 'l.source_system').andOn('s.source_record_id', 'l.source_record_id');
        })
        .groupBy('l.source_system', 'l.source_record_id', 'l.subject_id', 'l.record', 'l.decision')
        .select('l.subject_id', 'l.source_system', 'l.source_record_id', 'l.record', 'l.decision', db.raw('min(s.id) as ord'))
    ).map((l: LinkRow) => ({ ...l, subject_id: String(l.subject_id) }));
    const linkOf = new Map(links.map((l) => [key(l), l]));
    const truth = readJsonl<TruthSubject>(join(opts.dataset, manifest.truth?.subjects ?? 'truth/subjects.jsonl'));
    const truthOf = new Map<string, TruthSubject>();
    for (const s of truth) for (const r of s.refs) if (opts.inScope.has(r.sourceSystem)) truthOf.set(key(r), s);
    const ordOf = (l: LinkRow) => BigInt(l.ord ?? '0');
    const describeLink = (ref: SourceRef, l: LinkRow | undefined): string => {
      const t = truthOf.get(key(ref));
      if (!l) {
        const r = byKey.get(key(ref));
        return `${key(ref)} [truth ${t?.id ?? '?'} ${t?.name ?? ''}] NOT LINKED — report subject ${r?.subject_name ?? '—'} / ${r?.subject_uscc ?? '—'}; text ${short(r?.description, 70)}`;
      }
      const rec = l.record;
      const loc = isUsablePoint(rec.location) ? `${rec.location.lng.toFixed(5)},${rec.location.lat.toFixed(5)}` : 'no-xy';
      return `${key(ref)} [truth ${t?.id ?? '?'} ${t?.name ?? ''} · subject ${l.subject_id}] name ${rec.name ?? '—'} uscc ${rec.uscc ?? '—'} div ${rec.divisionCode ?? '—'} ${loc}\n       addr ${short(rec.address, 50)}`;
    };
    const candidateOf = (ls: readonly LinkRow[], id: string): SubjectCandidate => {
      const uniq = (xs: Array<string | null | undefined>) => [...new Set(xs.filter((x): x is string => !!x))].sort();
      return {
        subjectId: id,
        uscc: ls.map((l) => l.record.uscc).find((u) => !!u) ?? null,
        names: uniq(ls.flatMap((l) => [l.record.name, ...(l.record.formerNames ?? [])])),
        addresses: uniq(ls.flatMap((l) => [l.record.address, ...(l.record.addresses ?? [])])),
        divisionCode: ls.map((l) => l.record.divisionCode).find((d) => !!d) ?? null,
        locations: ls.map((l) => l.record.location).filter((p): p is { lng: number; lat: number } => isUsablePoint(p)),
      };
    };
    const bySubject = new Map<string, LinkRow[]>();
    for (const l of links) bySubject.set(l.subject_id, [...(bySubject.get(l.subject_id) ?? []), l]);

    const missed = new Tally(opts.sample);
    let missedTotal = 0;
    for (const s of truth) {
      const refs = s.refs.filter((r) => opts.inScope.has(r.sourceSystem));
      for (const [x, y] of pairsOf(refs)) {
        const lx = linkOf.get(key(x));
        const ly = linkOf.get(key(y));
        if (lx && ly && lx.subject_id === ly.subject_id) continue;
        missedTotal++;
        let cat: string;
        let lines: () => string[];
        if (!lx || !ly) {
          const unl = !lx ? x : y;
          const r = byKey.get(key(unl));
          cat = `not linked: ${r ? (r.subject_name || r.subject_uscc ? 'has subject fields but no link (?)' : 'report names the subject only in its text') : 'record not in the hub'}  ‹${unl.sourceSystem}›`;
          lines = () => [`A ${describeLink(x, lx)}`, `B ${describeLink(y, ly)}`];
        } else {
          const [a, b] = ordOf(lx) < ordOf(ly) ? [lx, ly] : [ly, lx];
          const pair = matchSubject(b.record, [candidateOf([a], 'pair')], { regions });
          const members = (bySubject.get(a.subject_id) ?? []).filter((l) => ordOf(l) < ordOf(b));
          const atTime = members.length ? matchSubject(b.record, [candidateOf(members, a.subject_id)], { regions }) : null;
          const blockers = (pair.features?.blockers ?? []).map((x) => x.replace(/[\d.]+/g, 'N')).join(', ');
          const stored = b.decision;
          if (stored.decision === 'match' && b.subject_id !== a.subject_id) cat = `joined another subject (${stored.rule}); pair alone ${pair.decision}/${pair.rule}`;
          else if (pair.decision === 'match' && atTime?.decision === 'match') cat = `pair matches now (blocking? stored ${stored.rule})`;
          else cat = `${stored.decision}/${stored.rule}; pair alone ${pair.decision}/${pair.rule}${blockers ? ` [${blockers}]` : ''}`;
          cat += `  ‹${[a.source_system, b.source_system].sort().join('↔')}›`;
          lines = () => [
            `A ${describeLink({ sourceSystem: a.source_system, sourceRecordId: a.source_record_id }, a)}`,
            `B ${describeLink({ sourceSystem: b.source_system, sourceRecordId: b.source_record_id }, b)}`,
            `stored B: ${short(stored.explanation, 400)}`,
            `pair alone: ${short(pair.explanation, 400)}`,
          ];
        }
        missed.add(cat, lines);
      }
    }
    const wrong = new Tally(opts.sample);
    let wrongTotal = 0;
    for (const ls of bySubject.values()) {
      const known = ls.filter((l) => truthOf.has(key(l)));
      for (const [x, y] of pairsOf(known)) {
        if (truthOf.get(key(x))?.id === truthOf.get(key(y))?.id) continue;
        wrongTotal++;
        const [a, b] = ordOf(x) < ordOf(y) ? [x, y] : [y, x];
        const cat = `${b.decision.rule}  ‹${[a.source_system, b.source_system].sort().join('↔')}›`;
        wrong.add(cat, () => [
          `A ${describeLink({ sourceSystem: a.source_system, sourceRecordId: a.source_record_id }, a)}`,
          `B ${describeLink({ sourceSystem: b.source_system, sourceRecordId: b.source_record_id }, b)}`,
          `stored B: ${short(b.decision.explanation, 400)}`,
        ]);
      }
    }
    // records that name a subject in truth but carry it in no subject field
    missed.print('SUBJECTS · missed true pairs', missedTotal, out, opts.category);
    wrong.print('SUBJECTS · wrong predicted pairs', wrongTotal, out, opts.category);
  }
}

// ── CLI ────────────────────────────────────────────────────────────────────────────────────

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*[\\/]/, ''));
if (isMain) {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      database: { type: 'string' },
      schema: { type: 'string' },
      sample: { type: 'string', default: '5' },
      only: { type: 'string' },
      category: { type: 'string' },
      systems: { type: 'string' },
    },
  });
  if (!values.dataset || !values.database || !values.schema) {
    console.error('usage: npx tsx scripts/eval-explain.ts --dataset <dir> --database <postgres url> --schema <eval schema> [--sample 5] [--only matters|subjects] [--category <substring>] [--systems a,b]');
    process.exit(2);
  }
  const { createDb } = await import('../hub/store/db.js');
  const db = createDb(values.database, { schema: values.schema });
  try {
    const manifest = readManifest(values.dataset);
    const divisionsFile = join(values.dataset, manifest.geo?.divisions ?? 'geo/divisions.json');
    const routing = HubRouting.load({ divisionsFile: existsSync(divisionsFile) ? divisionsFile : undefined });
    const systems = values.systems
      ? values.systems.split(',')
      : ((await db('source_records').distinct('source_system')) as Array<{ source_system: string }>).map((r) => r.source_system);
    await explainMerge(db, {
      dataset: values.dataset,
      inScope: new Set(systems),
      routing,
      sample: Number(values.sample),
      ...(values.only === 'matters' || values.only === 'subjects' ? { only: values.only } : {}),
      ...(values.category ? { category: values.category } : {}),
    });
  } finally {
    await db.destroy();
  }
}
