/**
 * The SLA clocks' alarm: finds tasks whose deadline has passed without the milestone (首问响应,
 * 到场, 办结), marks the breach on the task and writes `sla_breached` and `escalated` events to the
 * matter's timeline — which the event stream carries to the command center at once.
 *
 * Each kind of breach is one set-based statement: the task row is marked only if the breach is not
 * on it yet and the events come from the rows that statement changed, so a breach is reported once
 * however many hub instances run the watcher and however often it runs.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';

export type BreachKind = 'first_response' | 'on_site' | 'closure';

/** Who hears of a breach: the duty commander for a late first response or arrival, the county leadership for a late closure. */
export const ESCALATION: Record<BreachKind, { to: string; label: string }> = {
  first_response: { to: 'command_duty', label: '首问响应超时，升级至指挥中心值班长' },
  on_site: { to: 'command_duty', label: '到场超时，升级至指挥中心值班长' },
  closure: { to: 'county_leadership', label: '办结超时，升级至县分管领导督办' },
};

const CONDITIONS: Record<BreachKind, { deadline: string; missing: string }> = {
  first_response: { deadline: 'first_response_by', missing: 'responded_at is null' },
  // arrival on site is what cooperating departments are held to (协同到场)
  on_site: { deadline: 'on_site_by', missing: "on_site_at is null and role = 'cooperating'" },
  closure: { deadline: 'close_by', missing: 'true' },
};

/** Statuses that stop the clocks: done, returned (退单), withdrawn by a redispatch, left behind in a merge. */
const STOPPED = ['DONE', 'RETURNED', 'WITHDRAWN', 'MERGED'];

export async function markBreaches(db: Knex, now: Date): Promise<Record<BreachKind, number>> {
  const out = { first_response: 0, on_site: 0, closure: 0 };
  for (const kind of Object.keys(CONDITIONS) as BreachKind[]) {
    const c = CONDITIONS[kind];
    const e = ESCALATION[kind];
    const { rows } = (await db.raw(
      `with breached as (
         update tasks set breaches = array_append(breaches, ?)
          where done_at is null and status <> all(?) and ${c.missing}
            and ${c.deadline} < ? and not (? = any(breaches))
          returning id, matter_id, department, role, ${c.deadline} as deadline
       ), events as (
         insert into matter_events (matter_id, type, at, detail)
         select matter_id, t.type, deadline, json_build_object('taskId', id::text, 'department', department, 'role', role, 'breach', ?::text, 'deadline', deadline, 'escalatedTo', t.escalated_to, 'label', t.label)
           from breached, (values ('sla_breached', null, null), ('escalated', ?, ?)) as t(type, escalated_to, label)
         returning 1
       )
       select count(*)::int as n from breached`,
      [kind, STOPPED, now, kind, kind, e.to, e.label],
    )) as { rows: Array<{ n: number }> };
    out[kind] = rows[0]!.n;
  }
  return out;
}

export class SlaWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Knex,
    private readonly log: Logger,
    private readonly everyMs = 30_000,
  ) {}

  start(): void {
    const tick = () => {
      this.running ??= markBreaches(this.db, new Date())
        .then((n) => {
          if (n.first_response + n.on_site + n.closure > 0) this.log.info({ breaches: n }, 'SLA breaches marked and escalated');
        })
        .catch((err: Error) => this.log.warn({ err: err.message }, 'SLA check failed; next round retries'))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(tick, this.everyMs);
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
