/** TypeScript shapes of the canonical records, kept in step with schemas/avro/*.avsc (checked by tests/unit/schemas). */

export type Crs = 'WGS84' | 'CGCS2000' | 'GCJ02' | 'BD09' | 'UNKNOWN';

export interface Location {
  lng: number;
  lat: number;
  originalLng: number;
  originalLat: number;
  originalCrs: Crs;
}

export interface Envelope {
  sourceSystem: string;
  department: string;
  sourceRecordId: string;
  sourceVersion: number;
  eventTime: number;
  ingestTime: number;
  divisionCode: string | null;
  gridCode: string | null;
  location: Location | null;
  connector: string;
}

export type ReportChannel = 'HOTLINE' | 'GRID' | 'COMPLAINT' | 'PATROL' | 'ALARM' | 'INSPECTION' | 'OTHER';
export type ReportStatus = 'RECEIVED' | 'DISPATCHED' | 'IN_PROGRESS' | 'FOLLOW_UP' | 'CLOSED' | 'REJECTED' | 'UNKNOWN' | 'WITHDRAWN' | 'CANCELLED';

export interface Report {
  envelope: Envelope;
  channel: ReportChannel;
  title: string | null;
  description: string;
  sourceCategoryCode: string | null;
  categoryCode: string | null;
  status: ReportStatus;
  sourceStatus: string | null;
  urgency: string | null;
  address: string | null;
  reporterNameMasked: string | null;
  reporterPhoneHash: string | null;
  reporterPhoneMasked: string | null;
  subjectUscc: string | null;
  subjectName: string | null;
  attachmentUrls: string[];
  deadline: number | null;
  reporterIdHash?: string | null;
  reporterIdMasked?: string | null;
}

/** Epoch milliseconds (Avro `timestamp-millis`). */
export type EpochMs = number;
/** Days since 1970-01-01 (Avro `date`). */
export type EpochDay = number;

/** schemas/avro/person.avsc — masked forms and keyed ID hash of a natural person. */
export interface PersonIdentity {
  nameMasked: string | null;
  idHash: string | null;
  idMasked: string | null;
}

export type PartyType = 'ENTERPRISE' | 'INDIVIDUAL_BUSINESS' | 'ORGANISATION' | 'PERSON' | 'UNKNOWN';

/** schemas/avro/party.avsc — the party to a case or the applicant for an approval. */
export interface Party {
  partyType: PartyType;
  uscc: string | null;
  organisationName: string | null;
  person: PersonIdentity | null;
  phoneHash: string | null;
  phoneMasked: string | null;
}

/** schemas/avro/record-ref.avsc — a canonical record by its envelope identity. */
export interface RecordRef {
  sourceSystem: string;
  sourceRecordId: string;
}

// ── Subject ────────────────────────────────────────────────────────────────────────────────

export type SubjectType = 'ENTERPRISE' | 'INDIVIDUAL_BUSINESS' | 'FARMER_COOPERATIVE' | 'ORGANISATION' | 'PERSON' | 'PLACE' | 'OTHER';
export type RegistrationStatus = 'ACTIVE' | 'SUSPENDED' | 'LIQUIDATING' | 'MOVED_OUT' | 'REVOKED' | 'CANCELLED' | 'UNKNOWN';
export type PlaceType =
  | 'RESIDENTIAL_COMPOUND'
  | 'SHOP'
  | 'RESTAURANT'
  | 'MARKET'
  | 'CONSTRUCTION_SITE'
  | 'FACTORY'
  | 'WAREHOUSE'
  | 'SCHOOL'
  | 'MEDICAL'
  | 'HOTEL'
  | 'ENTERTAINMENT'
  | 'PUBLIC_SPACE'
  | 'OTHER';

export interface Licence {
  name: string;
  number: string | null;
  scope: string | null;
  issuedBy: string | null;
  validFrom: EpochDay | null;
  validUntil: EpochDay | null;
}

export interface Subject {
  envelope: Envelope;
  subjectType: SubjectType;
  uscc: string | null;
  legacyCode: string | null;
  name: string | null;
  formerNames: string[];
  legalForm: string | null;
  legalRepresentative: PersonIdentity | null;
  person: PersonIdentity | null;
  registeredAddress: string | null;
  businessAddress: string | null;
  registeredDivisionCode: string | null;
  industryCode: string | null;
  industryName: string | null;
  businessScope: string | null;
  registrationStatus: RegistrationStatus;
  sourceRegistrationStatus: string | null;
  registrationAuthority: string | null;
  establishedDate: EpochDay | null;
  licences: Licence[];
  phoneHash: string | null;
  phoneMasked: string | null;
  placeType: PlaceType | null;
  sourcePlaceType: string | null;
  operatorUscc: string | null;
}

// ── Case ───────────────────────────────────────────────────────────────────────────────────

export type CaseStage =
  | 'INSPECTION'
  | 'ACCEPTANCE'
  | 'FILING'
  | 'INVESTIGATION'
  | 'REVIEW'
  | 'DECISION'
  | 'EXECUTION'
  | 'CLOSED'
  | 'NOT_FILED'
  | 'TERMINATED'
  | 'UNKNOWN';
export type CaseOrigin = 'PATROL' | 'COMPLAINT' | 'HOTLINE' | 'GRID' | 'REFERRAL' | 'ASSIGNED' | 'MONITORING' | 'OTHER';
export type PenaltyType = 'WARNING' | 'FINE' | 'CONFISCATION' | 'LICENCE_ACTION' | 'BUSINESS_RESTRICTION' | 'DETENTION' | 'NO_PENALTY' | 'OTHER';

export interface PenaltyDecision {
  decisionNumber: string | null;
  types: PenaltyType[];
  /** Fen (1 yuan = 100 fen). */
  fineFen: number | null;
  confiscatedFen: number | null;
  decidedAt: EpochMs | null;
  description: string | null;
}

export interface CaseStageTimes {
  inspectedAt: EpochMs | null;
  acceptedAt: EpochMs | null;
  filedAt: EpochMs | null;
  investigatedAt: EpochMs | null;
  reviewedAt: EpochMs | null;
  decidedAt: EpochMs | null;
  executedAt: EpochMs | null;
  closedAt: EpochMs | null;
}

export interface Case {
  envelope: Envelope;
  caseNumber: string | null;
  stage: CaseStage;
  sourceStage: string | null;
  origin: CaseOrigin;
  causeOfAction: string | null;
  powerItemCode: string | null;
  legalBasis: string[];
  summary: string | null;
  address: string | null;
  party: Party | null;
  penalty: PenaltyDecision | null;
  relatedReports: RecordRef[];
  matterId: string | null;
  handlingDepartment: string;
  handlingUnitName: string | null;
  stageTimes: CaseStageTimes;
  deadline: EpochMs | null;
}

// ── Approval ───────────────────────────────────────────────────────────────────────────────

export type ApprovalItemType = 'LICENSING' | 'CONFIRMATION' | 'PAYMENT' | 'OTHER_POWER' | 'PUBLIC_SERVICE' | 'OTHER';
export type ApprovalStatus = 'RECEIVED' | 'ACCEPTED' | 'NOT_ACCEPTED' | 'CORRECTION_REQUIRED' | 'PROCESSING' | 'COMPLETED' | 'WITHDRAWN' | 'UNKNOWN';
export type ApprovalOutcome = 'APPROVED' | 'REJECTED' | 'OTHER';

export interface ApprovalResult {
  outcome: ApprovalOutcome;
  sourceOutcome: string | null;
  certificateName: string | null;
  certificateNumber: string | null;
  note: string | null;
}

export interface Approval {
  envelope: Envelope;
  applicationNumber: string | null;
  itemCode: string;
  itemName: string;
  itemType: ApprovalItemType;
  delegatedToTown: boolean;
  applicant: Party;
  status: ApprovalStatus;
  sourceStatus: string | null;
  statusReason: string | null;
  /** Working days. */
  statutoryLimitDays: number | null;
  /** Working days; 0 = on the spot. */
  promisedLimitDays: number | null;
  receivedAt: EpochMs;
  acceptedAt: EpochMs | null;
  decidedAt: EpochMs | null;
  dueAt: EpochMs | null;
  result: ApprovalResult | null;
}

// ── StatusChange ───────────────────────────────────────────────────────────────────────────

export type TargetKind = 'REPORT' | 'SUBJECT' | 'CASE' | 'APPROVAL' | 'DISPATCH' | 'MATTER' | 'TASK' | 'OTHER';
export type ProgressStatus =
  | 'RECEIVED'
  | 'ACKNOWLEDGED'
  | 'REJECTED'
  | 'IN_PROGRESS'
  | 'ON_SITE'
  | 'EXTENSION_REQUESTED'
  | 'SUSPENDED'
  | 'FOLLOW_UP'
  | 'CLOSED'
  | 'REOPENED'
  | 'UNKNOWN';
export type ResultOutcome = 'RESOLVED' | 'PARTIALLY_RESOLVED' | 'UNRESOLVED' | 'NOT_SUBSTANTIATED' | 'NOT_IN_REMIT' | 'OTHER';

export interface StatusTarget {
  kind: TargetKind;
  record: RecordRef | null;
  matterId: string | null;
  taskId: string | null;
}

export interface StatusResult {
  outcome: ResultOutcome;
  sourceOutcome: string | null;
  text: string;
}

export interface Attachment {
  url: string;
  name: string | null;
  mediaType: string | null;
  sha256: string | null;
}

export interface StatusChange {
  envelope: Envelope;
  target: StatusTarget;
  status: ProgressStatus;
  sourceStatus: string | null;
  version: number;
  occurredAt: EpochMs;
  actorDepartment: string;
  actorUnitName: string | null;
  actorNameMasked: string | null;
  note: string | null;
  requestedDeadline: EpochMs | null;
  dispatchVersion: number | null;
  result: StatusResult | null;
  attachments: Attachment[];
}

// ── Dispatch ───────────────────────────────────────────────────────────────────────────────

export type DispatchAction = 'DISPATCH' | 'REDISPATCH' | 'CLOSE' | 'MERGE' | 'SPLIT' | 'UNKNOWN' | 'RESULT' | 'VERIFY' | 'REOPEN';
export type DispatchLevel = 'NORMAL' | 'URGENT' | 'EMERGENCY' | 'UNKNOWN';

export interface Dispatch {
  envelope: Envelope;
  matterId: string;
  idempotencyKey: string;
  version: number;
  action: DispatchAction;
  level: DispatchLevel;
  categoryCode: string | null;
  summary: string | null;
  address: string | null;
  leadDepartment: string | null;
  cooperatingDepartments: string[];
  /** Department id → hub task id. */
  taskIds: Record<string, string>;
  firstResponseDeadline: EpochMs | null;
  onSiteDeadline: EpochMs | null;
  closureDeadline: EpochMs | null;
  instructions: string | null;
  issuedByRole: string;
  issuedByNameMasked: string | null;
  issuedAt: EpochMs;
  reports: RecordRef[];
  reason: string | null;
  previousLeadDepartment: string | null;
  mergedIntoMatterId: string | null;
  splitIntoMatterIds: string[];
  result: string | null;
  /** RESULT: the department whose report (reports[0]) this copy answers. */
  recipientDepartment: string | null;
}

/** Record kinds by name, for typed mappings. Keys are the RecordKind names (schemas/index.ts). */
export interface CanonicalRecords {
  report: Report;
  subject: Subject;
  case: Case;
  approval: Approval;
  'status-change': StatusChange;
  dispatch: Dispatch;
}
