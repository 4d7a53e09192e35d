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
export type ReportStatus = 'RECEIVED' | 'DISPATCHED' | 'IN_PROGRESS' | 'FOLLOW_UP' | 'CLOSED' | 'REJECTED' | 'UNKNOWN';

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
}

/** Record kinds by name, for typed mappings. */
export interface CanonicalRecords {
  report: Report;
}
