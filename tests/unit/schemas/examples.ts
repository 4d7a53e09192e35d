/**
 * One realistic record of each canonical kind, typed against schemas/types.ts (so `tsc` checks the
 * TypeScript shapes) and encoded with schemas/avro (so the tests check the .avsc): the two are kept
 * in step through these examples. The scenario is the restaurant cooking-fume matter of MISSION.md
 * in the demo county (演示旗, 150625): a 12345 ticket, the restaurant as a market-regulation subject,
 * the center's dispatch, the enforcement team's acknowledgement, the case and a food-business
 * licence application.
 */
import { protectPhone, protectResidentId, maskName } from '../../../core/normalise/index.js';
import type { CanonicalRecords, Envelope, RecordKind } from '../../../schemas/index.js';

const KEY = 'test-county-key-0123456789abcdef';

/** Shanghai wall time → epoch ms. */
export function sh(dateTime: string): number {
  return Date.parse(`${dateTime.replace(' ', 'T')}+08:00`);
}

/** Calendar date → days since 1970-01-01 (Avro `date`). */
export function day(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 86_400_000;
}

const operatorId = protectResidentId('11010519491231002X', KEY, 'jyzsfzh');
const restaurantPhone = protectPhone('18047771999', KEY, 'lxdh');
const applicantPhone = protectPhone('0477-6621234', KEY, 'sqrdh');

function envelope(over: Partial<Envelope> & Pick<Envelope, 'sourceSystem' | 'department' | 'sourceRecordId' | 'sourceVersion' | 'eventTime'>): Envelope {
  return {
    ingestTime: over.eventTime + 4_000,
    divisionCode: '150625100001',
    gridCode: '150625100001003',
    location: { lng: 108.7012, lat: 39.8553, originalLng: 108.70734, originalLat: 39.85672, originalCrs: 'GCJ02' },
    connector: `${over.sourceSystem}-1`,
    ...over,
  };
}

export const EXAMPLES: { [K in RecordKind]: CanonicalRecords[K] } = {
  report: {
    envelope: envelope({ sourceSystem: 'hotline-12345', department: 'hotline', sourceRecordId: 'GD20250612000318', sourceVersion: sh('2025-06-12 09:40:12'), eventTime: sh('2025-06-12 09:31:00'), gridCode: null, location: null }),
    channel: 'HOTLINE',
    title: '居民区餐馆油烟扰民',
    description: '来电人反映锡尼镇锡尼社区幸福路12号“老王家常菜”餐馆油烟直排，熏到楼上住户，晚上十点后仍在营业，要求处理。',
    sourceCategoryCode: '生态环境-大气污染-餐饮油烟',
    categoryCode: 'env.cooking_fume',
    status: 'DISPATCHED',
    sourceStatus: '派单',
    urgency: '一般',
    address: '演示旗锡尼镇锡尼社区幸福路12号',
    reporterNameMasked: maskName('段志强'),
    reporterPhoneHash: protectPhone('13904771234', KEY, 'ldrdh').hash,
    reporterPhoneMasked: '139****1234',
    reporterIdHash: null,
    reporterIdMasked: null,
    subjectUscc: null,
    subjectName: '老王家常菜',
    attachmentUrls: [],
    deadline: sh('2025-06-19 09:31:00'),
  },

  subject: {
    envelope: envelope({ sourceSystem: 'market-registration', department: 'market', sourceRecordId: '92150625MA7GQ8L201', sourceVersion: sh('2024-11-02 15:20:00'), eventTime: sh('2024-11-02 15:20:00') }),
    subjectType: 'INDIVIDUAL_BUSINESS',
    uscc: '92150625MA7GQ8L201',
    legacyCode: '150625600123456',
    name: '演示旗锡尼镇老王家常菜馆',
    formerNames: ['演示旗锡尼镇王记小吃店'],
    legalForm: '个体工商户',
    legalRepresentative: { nameMasked: maskName('王建国'), idHash: operatorId.hash, idMasked: operatorId.masked },
    person: null,
    registeredAddress: '内蒙古自治区鄂尔多斯市演示旗锡尼镇锡尼社区幸福路12号',
    businessAddress: null,
    registeredDivisionCode: '150625100001',
    industryCode: 'H6210',
    industryName: '正餐服务',
    businessScope: '餐饮服务（不含生食、冷食）；预包装食品销售',
    registrationStatus: 'ACTIVE',
    sourceRegistrationStatus: '存续（在营、开业、在册）',
    registrationAuthority: '演示旗市场监督管理局',
    establishedDate: day('2019-04-18'),
    licences: [
      { name: '食品经营许可证', number: 'JY21506250012345', scope: '热食类食品制售', issuedBy: '演示旗市场监督管理局', validFrom: day('2019-05-06'), validUntil: day('2029-05-05') },
    ],
    phoneHash: restaurantPhone.hash,
    phoneMasked: restaurantPhone.masked,
    placeType: null,
    sourcePlaceType: null,
    operatorUscc: null,
  },

  case: {
    envelope: envelope({ sourceSystem: 'enforcement-case', department: 'enforcement', sourceRecordId: 'AJ2025061500027', sourceVersion: 7, eventTime: sh('2025-06-12 14:05:00') }),
    caseNumber: '演综执立〔2025〕118号',
    stage: 'DECISION',
    sourceStage: '处罚决定',
    origin: 'HOTLINE',
    causeOfAction: '餐饮服务业经营者未安装油烟净化设施排放油烟案',
    powerItemCode: '330217A01300',
    legalBasis: ['《中华人民共和国大气污染防治法》第八十一条第一款', '《中华人民共和国大气污染防治法》第一百一十八条第一款'],
    summary: '经现场检查，当事人在居民楼底层经营餐馆，未安装油烟净化设施，油烟直接排放。',
    address: '演示旗锡尼镇锡尼社区幸福路12号',
    party: {
      partyType: 'INDIVIDUAL_BUSINESS',
      uscc: '92150625MA7GQ8L201',
      organisationName: '演示旗锡尼镇老王家常菜馆',
      person: { nameMasked: '王**', idHash: operatorId.hash, idMasked: operatorId.masked },
      phoneHash: restaurantPhone.hash,
      phoneMasked: restaurantPhone.masked,
    },
    penalty: {
      decisionNumber: '演综执罚决字〔2025〕96号',
      types: ['WARNING', 'FINE'],
      fineFen: 500_000,
      confiscatedFen: null,
      decidedAt: sh('2025-07-02 10:00:00'),
      description: '警告，并处罚款人民币伍仟元整，责令限期安装油烟净化设施',
    },
    relatedReports: [{ sourceSystem: 'hotline-12345', sourceRecordId: 'GD20250612000318' }],
    matterId: 'M-150625-20250612-0042',
    handlingDepartment: 'enforcement',
    handlingUnitName: '锡尼镇综合行政执法队',
    stageTimes: {
      inspectedAt: sh('2025-06-12 10:15:00'),
      acceptedAt: sh('2025-06-12 11:00:00'),
      filedAt: sh('2025-06-13 09:30:00'),
      investigatedAt: sh('2025-06-20 17:00:00'),
      reviewedAt: sh('2025-06-26 16:00:00'),
      decidedAt: sh('2025-07-02 10:00:00'),
      executedAt: null,
      closedAt: null,
    },
    deadline: sh('2025-09-11 23:59:59'),
  },

  approval: {
    envelope: envelope({ sourceSystem: 'approval-platform', department: 'approval', sourceRecordId: 'BJ1506252025070300156', sourceVersion: sh('2025-07-08 16:42:00'), eventTime: sh('2025-07-03 09:12:00'), gridCode: null, location: null, divisionCode: '150625100000' }),
    applicationNumber: '2025070300156',
    itemCode: '11150625MB1553781T4150117005000',
    itemName: '食品经营许可（变更）',
    itemType: 'LICENSING',
    delegatedToTown: true,
    applicant: {
      partyType: 'INDIVIDUAL_BUSINESS',
      uscc: '92150625MA7GQ8L201',
      organisationName: '演示旗锡尼镇老王家常菜馆',
      person: { nameMasked: '王**', idHash: operatorId.hash, idMasked: operatorId.masked },
      phoneHash: applicantPhone.hash,
      phoneMasked: applicantPhone.masked,
    },
    status: 'COMPLETED',
    sourceStatus: '办结',
    statusReason: null,
    statutoryLimitDays: 20,
    promisedLimitDays: 5,
    receivedAt: sh('2025-07-03 09:12:00'),
    acceptedAt: sh('2025-07-03 09:40:00'),
    decidedAt: sh('2025-07-08 16:40:00'),
    dueAt: sh('2025-07-10 17:30:00'),
    result: { outcome: 'APPROVED', sourceOutcome: '准予许可', certificateName: '食品经营许可证', certificateNumber: 'JY21506250012345', note: '经营项目变更为：热食类食品制售；已安装油烟净化设施。' },
  },

  'status-change': {
    envelope: envelope({ sourceSystem: 'enforcement-case', department: 'enforcement', sourceRecordId: 'QS-M-150625-20250612-0042-enforcement-1', sourceVersion: sh('2025-06-12 09:52:30'), eventTime: sh('2025-06-12 09:52:30') }),
    target: { kind: 'DISPATCH', record: null, matterId: 'M-150625-20250612-0042', taskId: 'T-0042-enforcement' },
    status: 'ACKNOWLEDGED',
    sourceStatus: '已签收',
    version: 1,
    occurredAt: sh('2025-06-12 09:52:30'),
    actorDepartment: 'enforcement',
    actorUnitName: '锡尼镇综合行政执法队',
    actorNameMasked: '李**',
    note: '已签收，执法队员正赶赴现场。',
    requestedDeadline: null,
    dispatchVersion: 1,
    result: null,
    attachments: [{ url: 'https://files.enforcement.example.gov.cn/att/2025/06/12/xc-0042-1.jpg', name: '现场照片.jpg', mediaType: 'image/jpeg', sha256: null }],
  },

  dispatch: {
    envelope: envelope({ sourceSystem: 'countyhub', department: 'command', sourceRecordId: 'M-150625-20250612-0042#1', sourceVersion: 1, eventTime: sh('2025-06-12 09:45:00') }),
    matterId: 'M-150625-20250612-0042',
    idempotencyKey: 'M-150625-20250612-0042:1',
    version: 1,
    action: 'DISPATCH',
    level: 'NORMAL',
    categoryCode: 'env.cooking_fume',
    summary: '居民区餐饮油烟扰民（12345 工单 1 件、网格上报 1 件）',
    address: '演示旗锡尼镇锡尼社区幸福路12号',
    leadDepartment: 'enforcement',
    cooperatingDepartments: ['environment', 'market'],
    taskIds: { enforcement: 'T-0042-enforcement', environment: 'T-0042-environment', market: 'T-0042-market' },
    firstResponseDeadline: sh('2025-06-12 10:15:00'),
    onSiteDeadline: sh('2025-06-12 10:45:00'),
    closureDeadline: sh('2025-06-19 09:45:00'),
    instructions: '请综合行政执法局牵头，生态环境分局负责油烟检测，市场监管局核查经营许可，最多查一次，统一出件。',
    issuedByRole: '指挥中心值班长',
    issuedByNameMasked: '赵**',
    issuedAt: sh('2025-06-12 09:45:00'),
    reports: [
      { sourceSystem: 'hotline-12345', sourceRecordId: 'GD20250612000318' },
      { sourceSystem: 'grid', sourceRecordId: 'WG-150625100001-20250612-007' },
    ],
    reason: null,
    previousLeadDepartment: null,
    mergedIntoMatterId: null,
    splitIntoMatterIds: [],
    result: null,
    recipientDepartment: null,
  },
};
