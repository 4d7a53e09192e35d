/**
 * 12345 hotline (hotline-12345): the native record is the hotline simulator's WorkOrder
 * (simulators/hotline-12345/server.ts), pinyin-initial field names, served as JSON pages.
 */
export type { WorkOrder, HotlineStatus } from '../../hotline-12345/server.js';
export { HOTLINE_STATUSES } from '../../hotline-12345/server.js';

export const HOTLINE_SOURCE = { department: 'hotline', sourceSystem: 'hotline-12345', idField: 'gdbh' } as const;
