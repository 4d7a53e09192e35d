import type { ConnectorManifest } from '../../sdk/types.js';
import type { FileDropSettings } from '../../sources/file-drop.js';

/** 卫生监督: the supervision system's nightly XML export (GB18030) of inspection records, dropped on a share. */
export const manifest: ConnectorManifest<FileDropSettings> = {
  id: 'health-inspection',
  department: 'health',
  title: '卫生监督检查记录',
  sourceSystem: 'health-supervision',
  emits: ['report'],
  pollIntervalMs: 5000,
  source: { kind: 'file-drop', folder: '/drops/health-inspection', format: 'xml', recordsPath: 'WSJDDC.JDJL' },
};
