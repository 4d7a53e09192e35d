/**
 * Natural resources (自然资源局): patrol findings exported from the law-enforcement supervision system
 * (自然资源执法监察系统) as a CSV file, GBK-encoded when it comes from a Windows desk. Every value is text.
 * Coordinates are WGS-84 from the patrol GPS, written with 6 decimals.
 *
 * Quirks: dates are written yyyy/M/d and times yyyy/M/d H:mm (Excel's way); areas in 亩 with one
 * decimal; the party is a person, a cooperative, or 不详.
 */
export const NATURAL_RESOURCES_SOURCE = { department: 'natural_resources', sourceSystem: 'natural-resources-patrol', idField: '线索编号' } as const;

/** Column order of the CSV export. */
export const PATROL_CSV_COLUMNS = [
  '线索编号',
  '线索来源',
  '巡查日期',
  '发现时间',
  '乡镇（苏木）',
  '村（嘎查）',
  '位置描述',
  '经度',
  '纬度',
  '坐标系',
  '问题类型代码',
  '问题类型',
  '地类',
  '涉及面积（亩）',
  '当事人',
  '当事人证件号码',
  '巡查人员',
  '处置情况',
  '状态',
  '图斑编号',
  '备注',
] as const;

export type PatrolCsvRow = Record<(typeof PATROL_CSV_COLUMNS)[number], string>;

export const PATROL_STATUSES = ['待核查', '已核查', '已立案', '已整改', '核实无问题'] as const;
