/**
 * The command center's decisions on matters and subjects, as the write API calls them. Each
 * decision changes the hub's tables, is audited, and — for matters — is published as a Dispatch
 * record (schemas/avro/dispatch.avsc) so the departments receive it through the sink connectors.
 * Implemented in hub/ops/; the API (hub/api/) only validates, authorises and calls these.
 */

/** Who made a decision, as the API authenticated them. */
export interface Actor {
  principalId: string;
  role: string;
  /** Masked display name for the departments, e.g. 李**. */
  nameMasked: string | null;
  /** Where the request came from (IP), for the audit. */
  from: string | null;
}

export interface DispatchInput {
  leadDepartment: string;
  cooperatingDepartments: string[];
  level?: 'NORMAL' | 'URGENT' | 'EMERGENCY';
  /** Overrides of the rule's deadlines, epoch ms. */
  firstResponseDeadline?: number;
  onSiteDeadline?: number;
  closureDeadline?: number;
  instructions?: string;
  reason?: string;
}

export interface DecisionResult {
  matterId: string;
  /** Dispatch.version of the published decision. */
  version: number;
  idempotencyKey: string;
}

export interface DecisionOps {
  dispatch(matterId: string, input: DispatchInput, actor: Actor): Promise<DecisionResult>;
  close(matterId: string, input: { result: string; reason?: string }, actor: Actor): Promise<DecisionResult>;
  /** Merges `from` matters into `into`; their reports and tasks move, the merged ones point at `into`. */
  mergeMatters(input: { into: string; from: string[]; reason: string }, actor: Actor): Promise<DecisionResult>;
  /** Moves the given reports (source system + record id) out of a matter into a new one. */
  splitMatter(matterId: string, input: { reports: Array<{ sourceSystem: string; sourceRecordId: string }>; reason: string }, actor: Actor): Promise<DecisionResult & { newMatterId: string }>;
  mergeSubjects(input: { into: string; from: string[]; reason: string }, actor: Actor): Promise<{ subjectId: string }>;
  splitSubject(subjectId: string, input: { links: Array<{ sourceSystem: string; sourceRecordId: string }>; reason: string }, actor: Actor): Promise<{ subjectId: string; newSubjectId: string }>;
}

/** Thrown by DecisionOps; the API maps `code` to an HTTP status. */
export class DecisionError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'DecisionError';
  }
}
