/**
 * The county grid-management platform (县网格化服务管理信息系统): events reported by grid workers from
 * the 网格通 app. JSON with camelCase field names, as the platform's REST API serves them.
 *
 * Quirks: coordinates are GCJ-02 (the app uses an AMap SDK); one device model writes latitude into
 * `lng` and longitude into `lat`; `lng`/`lat` are null for events entered on the web desk; status is a
 * number with its label beside it; photos are URLs on the platform's file server.
 */
export const GRID_SOURCE = { department: 'grid', sourceSystem: 'grid', idField: 'eventId' } as const;

/** Status codes and labels of the grid platform. */
export const GRID_STATUSES = {
  1: '待受理',
  2: '已派遣',
  3: '处置中',
  4: '待核查',
  5: '已结案',
  6: '已退回',
} as const;
export type GridStatusCode = keyof typeof GRID_STATUSES;

export interface GridEvent {
  /** SJ + 6-digit county code + yyyyMMdd + 5 digits; the record id. */
  eventId: string;
  title: string;
  content: string;
  /** County grid standard's event type, e.g. C01: see schemas/catalogues/category-mappings/grid.json */
  eventTypeCode: string;
  eventTypeName: string;
  /** 15 digits: the 12-digit village/community code + a 3-digit serial. */
  gridCode: string;
  gridName: string;
  /** 12-digit statistical code of the village/community. */
  divisionCode: string;
  townName: string;
  address: string;
  /** GCJ-02; swapped with `lat` on some devices; null when entered on the web desk. */
  lng: number | null;
  lat: number | null;
  coordSys: 'GCJ02';
  /** The enterprise or shop concerned, as the grid worker wrote it. */
  subjectName: string | null;
  subjectCreditCode: string | null;
  reporterId: string;
  reporterName: string;
  reporterPhone: string;
  deviceId: string;
  source: '网格员上报' | '网格员巡查' | '群众反映';
  level: '一般' | '紧急' | '重大';
  /** yyyy-MM-dd HH:mm:ss */
  happenTime: string;
  reportTime: string;
  status: GridStatusCode;
  statusName: (typeof GRID_STATUSES)[GridStatusCode];
  handleDept: string | null;
  deadline: string | null;
  photos: string[];
  updateTime: string;
  /** Optimistic-lock revision, +1 on every change. */
  version: number;
}

/**
 * A verification (核查) the county center asked of the platform (派单类型 核查), as the grid worker
 * recorded it: it travels on the same event feed, told apart by `recordType`. `sjbh`/`rwbh` quote the
 * center's matter and task; `hcjg` is 通过 or 不通过, `hcyj` the worker's words.
 */
export interface GridVerification {
  recordType: '核查';
  /** HC + yyyyMMdd + 5 digits: the record id on the feed. */
  eventId: string;
  sjbh: string;
  rwbh: string;
  /** 派单编号 of the assignment this answers. */
  pdbh: string;
  hcjg: '通过' | '不通过';
  hcyj: string;
  /** When the worker verified, yyyy-MM-dd HH:mm:ss */
  hcsj: string;
  updateTime: string;
  version: number;
}

export type GridFeedRecord = GridEvent | GridVerification;

export function isVerification(r: GridFeedRecord): r is GridVerification {
  return (r as GridVerification).recordType === '核查';
}
