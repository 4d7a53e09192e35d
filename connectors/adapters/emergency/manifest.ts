import type { ConnectorManifest } from '../../sdk/types.js';
import type { FileDropSettings } from '../../sources/file-drop.js';

/**
 * 应急管理局: the hidden-danger ledgers (隐患排查治理台账) that town safety stations and inspectors
 * upload as XLSX workbooks into a shared folder. The ledger template has an instructions sheet
 * first and a merged title row above the header, so the sheet is named and the header is row 2.
 * The folder of a real county goes in CONNECTOR_CONFIG ({"emergency-hazards":{"source":{"folder":…}}}).
 */
export const manifest: ConnectorManifest<FileDropSettings> = {
  id: 'emergency-hazards',
  department: 'emergency',
  title: '应急管理隐患排查台账',
  sourceSystem: 'emergency-hazards',
  emits: ['report'],
  pollIntervalMs: 5000,
  source: {
    kind: 'file-drop',
    folder: './drop/emergency',
    sheet: '隐患台账',
    headerRow: 2,
    pageSize: 500,
    settleMs: 5000,
    codeColumns: ['隐患编号', '隐患类别代码'],
  },
};
