import type { ConnectorManifest } from '../../sdk/types.js';
import type { FileDropSettings } from '../../sources/file-drop.js';

/**
 * 自然资源局: land-patrol findings (巡查线索) that the law-enforcement supervision system
 * (自然资源执法监察系统) exports every day as a CSV file — GBK from the Windows desk, CRLF, Chinese
 * header names, every value text — into a shared folder. The folder of a real county goes in
 * CONNECTOR_CONFIG ({"natural-resources-patrol":{"source":{"folder":"/mnt/share/巡查导出"}}}).
 */
export const manifest: ConnectorManifest<FileDropSettings> = {
  id: 'natural-resources-patrol',
  department: 'natural_resources',
  title: '自然资源巡查线索',
  sourceSystem: 'natural-resources-patrol',
  emits: ['report'],
  pollIntervalMs: 5000,
  source: {
    kind: 'file-drop',
    folder: './drop/natural-resources',
    // BOM → UTF-8/UTF-16; valid UTF-8 → UTF-8; otherwise GB18030 (the superset of GBK the export writes)
    encoding: 'auto',
    delimiter: ',',
    headerRow: 1,
    pageSize: 500,
    // the export tool writes a day's file in bursts onto an SMB share; wait until it is quiet
    settleMs: 5000,
    // always codes, whatever width the desk typed them in
    codeColumns: ['线索编号', '问题类型代码', '图斑编号', '当事人证件号码'],
  },
};
