/**
 * An application (办件) from the government-service platform → canonical Approval, plus the
 * applicant as a Subject.
 *
 * Why a Subject too: in the county's truth an application is a subject-side record — it belongs to
 * the enterprise or individual business that applies (or is being registered). The hub builds
 * golden subjects (一企一档) from Subject records only, so each application also emits a Subject
 * under the same envelope identity (approval-applications / 办件编号): its USCC (the applicant's,
 * or the one granted by a completed 设立登记), the entity's name, the project address and the
 * licence granted. That is what lets the hub link the application to the registry row and to
 * reports about the same enterprise. A natural person applying on their own account (no entity
 * named) becomes a PERSON subject identified by the keyed hash of the ID number.
 *
 * - Statuses 已接件 → 已受理 (or 不受理/补正) → 办理 → 办结 map to the county's set; the label is kept.
 * - 承诺时限 is the promised limit in working days (0 = on the spot); the statutory limit and the
 *   due time are not in the record (the hub computes due times on the working-day calendar).
 * - The item type (行政许可, 行政确认, …) is not in the record either: it is read from the item's
 *   name (…许可, …许可证核发, …审批, …登记 are licensing; …确认/认定 confirmations; …) — the
 *   platform's catalogue (GET /items) says the same for the county's items.
 * - Personal data: the handling agent's (经办人) and a natural-person applicant's ID numbers and the
 *   contact phone leave only as keyed hashes and masks; an invalid one dead-letters the application.
 */
import type { Approval, ApprovalItemType, ApprovalOutcome, ApprovalStatus, Licence, Party, PartyType, PersonIdentity, Subject, SubjectType } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { object, structuredText, townKey, sourceRecordId } from '../../sdk/mapping-helpers.js';
import { cleanText, maskName, normaliseCode, parseTimestamp, protectPhone, protectResidentId, usccKind, validateUscc } from '../../../core/normalise/index.js';
import type { Mapping } from '../../sdk/types.js';
import { nameText, numberCell, shanghaiEpochDay } from '../natural-resources/columns.js';
import { townGazetteer, type TownGazetteer } from '../../sdk/towns.js';

const STATUS: Record<string, ApprovalStatus> = {
  已接件: 'RECEIVED',
  已受理: 'ACCEPTED',
  不受理: 'NOT_ACCEPTED',
  不予受理: 'NOT_ACCEPTED',
  补正: 'CORRECTION_REQUIRED',
  补齐补正: 'CORRECTION_REQUIRED',
  办理: 'PROCESSING',
  办理中: 'PROCESSING',
  办结: 'COMPLETED',
  已办结: 'COMPLETED',
  撤件: 'WITHDRAWN',
  撤回: 'WITHDRAWN',
};

const OUTCOME: Record<string, ApprovalOutcome> = {
  准予许可: 'APPROVED',
  准予登记: 'APPROVED',
  准予备案: 'APPROVED',
  同意: 'APPROVED',
  不予许可: 'REJECTED',
  不予登记: 'REJECTED',
  不同意: 'REJECTED',
};

/** The kind of power an item is, from the way catalogue items are named. */
export function itemTypeOf(name: string): ApprovalItemType {
  if (/(许可|许可证核发|审批|核准|批准|登记|检查|验收)$/u.test(name) || /许可证|审批/u.test(name)) return 'LICENSING';
  if (/(确认|认定|鉴定|核定)$/u.test(name)) return 'CONFIRMATION';
  if (/(给付|补贴|补助|救助|抚恤|津贴)(发放)?$/u.test(name)) return 'PAYMENT';
  if (/(备案|奖励|裁决|征收)$/u.test(name)) return 'OTHER_POWER';
  if (/(服务|办理|查询|咨询)$/u.test(name)) return 'PUBLIC_SERVICE';
  return 'OTHER';
}

/** The certificate an approved licensing item issues: 食品经营许可 → 食品经营许可证, 排污许可证核发 → 排污许可证. */
function certificateName(itemName: string): string | null {
  if (/许可证核发$/u.test(itemName)) return itemName.replace(/核发$/u, '');
  if (/许可$/u.test(itemName)) return `${itemName}证`;
  return null;
}

function subjectTypeOfUscc(uscc: string): SubjectType {
  switch (usccKind(uscc).kind) {
    case 'enterprise':
      return 'ENTERPRISE';
    case 'individual-business':
      return 'INDIVIDUAL_BUSINESS';
    case 'farmers-cooperative':
      return 'FARMER_COOPERATIVE';
    default:
      return 'ORGANISATION';
  }
}

/** The kind of entity when there is no USCC yet: from the item (个体工商户设立登记) or the name (…有限公司). */
function subjectTypeOfName(itemName: string, entityName: string): SubjectType {
  const text = `${itemName} ${entityName}`;
  if (/个体工商户/u.test(text)) return 'INDIVIDUAL_BUSINESS';
  if (/合作社/u.test(text)) return 'FARMER_COOPERATIVE';
  if (/企业|公司/u.test(text)) return 'ENTERPRISE';
  if (/(店|馆|部|厂|坊|行|铺|中心|工作室)(\(.*\))?$/u.test(entityName)) return 'INDIVIDUAL_BUSINESS';
  return 'ORGANISATION';
}

function partyTypeOf(t: SubjectType): PartyType {
  if (t === 'ENTERPRISE' || t === 'INDIVIDUAL_BUSINESS' || t === 'PERSON') return t;
  return 'ORGANISATION';
}

function optionalTime(raw: unknown, field: string): number | null {
  return raw === null || raw === undefined || raw === '' ? null : parseTimestamp(raw, field).epochMs;
}

function notBefore(t: number | null, earlier: number, field: string, what: string): void {
  if (t !== null && t < earlier) throw new ValidationError(field, `${what} (${field} is before 申请时间)`);
}

export function makeApprovalMapping(gazetteer: TownGazetteer = townGazetteer()): Mapping {
  return (payload, ctx) => {
    const o = object(payload);
    const id = normaliseCode(sourceRecordId(o.办件编号, '办件编号'), '办件编号');
    const updated = parseTimestamp(o.更新时间, '更新时间');
    const received = parseTimestamp(o.申请时间, '申请时间');
    const acceptedAt = optionalTime(o.受理时间, '受理时间');
    const decidedAt = optionalTime(o.办结时间, '办结时间');
    notBefore(acceptedAt, received.epochMs, '受理时间', '受理时间早于申请时间');
    notBefore(decidedAt, received.epochMs, '办结时间', '办结时间早于申请时间');
    if (updated.epochMs < received.epochMs) throw new ValidationError('更新时间', '更新时间早于申请时间 (the record was updated before it was applied for)');

    const sourceStatus = cleanText(o.办件状态, { field: '办件状态', required: true, maxLength: 20 });
    const status = STATUS[sourceStatus];
    if (!status) throw new MappingError(`未知的办件状态 "${sourceStatus}" (unknown application status; expected one of ${Object.keys(STATUS).join('/')})`, '办件状态');

    const itemCode = normaliseCode(cleanText(o.事项编码, { field: '事项编码', required: true, maxLength: 64 }), '事项编码');
    const itemName = nameText(o.事项名称, { field: '事项名称', required: true, maxLength: 200 }) as string;

    const promisedRaw = typeof o.承诺时限 === 'string' && /^即办/u.test(o.承诺时限.trim()) ? 0 : typeof o.承诺时限 === 'string' ? o.承诺时限.replace(/个?工作日$/u, '') : o.承诺时限;
    const promised = numberCell(promisedRaw, '承诺时限', '承诺时限');
    if (promised !== null && (!Number.isInteger(promised) || promised < 0 || promised > 365)) {
      throw new ValidationError('承诺时限', `承诺时限应为0–365的整数个工作日 (promised limit must be a whole number of working days 0–365, got ${String(o.承诺时限)})`);
    }

    // the applicant
    const applicantKind = cleanText(o.申请人类型, { field: '申请人类型', required: true, maxLength: 10 });
    if (applicantKind !== '法人' && applicantKind !== '自然人') {
      throw new ValidationError('申请人类型', `申请人类型应为法人或自然人 (applicant type must be 法人 or 自然人, got "${applicantKind}")`);
    }
    const applicantName = nameText(o.申请人名称, { field: '申请人名称', required: true, maxLength: 200 }) as string;
    const idType = cleanText(o.申请人证件类型, { field: '申请人证件类型', maxLength: 20 });
    const idNumber = cleanText(o.申请人证件号码, { field: '申请人证件号码', maxLength: 40 });
    const toFound = nameText(o.拟设立主体名称, { field: '拟设立主体名称', maxLength: 200 });
    const granted = o.核发统一社会信用代码 ? validateUscc(o.核发统一社会信用代码, '核发统一社会信用代码') : null;
    if (granted !== null && status !== 'COMPLETED') {
      throw new ValidationError('核发统一社会信用代码', `未办结的办件不应有核发的统一社会信用代码 (a USCC is only granted when the application is 办结, status is ${sourceStatus})`);
    }
    const agentName = nameText(o.经办人, { field: '经办人', maxLength: 50 });
    const agentId = o.经办人身份证号 ? protectResidentId(o.经办人身份证号, ctx.personalDataKey, '经办人身份证号') : null;
    const phone = o.联系电话 ? protectPhone(o.联系电话, ctx.personalDataKey, '联系电话') : null;

    let applicantUscc: string | null = null;
    let applicantPerson: PersonIdentity | null = null;
    if (applicantKind === '法人') {
      if (idType !== null && idType !== '统一社会信用代码') {
        throw new ValidationError('申请人证件类型', `法人申请人的证件应为统一社会信用代码 (an organisation applies with its USCC, got ${idType})`);
      }
      if (idNumber !== null) applicantUscc = validateUscc(idNumber, '申请人证件号码');
    } else {
      if (idType !== null && idType !== '居民身份证') {
        throw new ValidationError('申请人证件类型', `自然人申请人的证件应为居民身份证 (a person applies with a resident ID, got ${idType})`);
      }
      const pid = idNumber === null ? null : protectResidentId(idNumber, ctx.personalDataKey, '申请人证件号码');
      applicantPerson = { nameMasked: maskName(applicantName), idHash: pid?.hash ?? null, idMasked: pid?.masked ?? null };
    }

    // the subject the application is about: the applying organisation, or the entity being registered
    const uscc = applicantUscc ?? granted;
    const entityName = toFound ?? (applicantKind === '法人' ? applicantName : null);
    const subjectType: SubjectType = uscc ? subjectTypeOfUscc(uscc) : entityName ? subjectTypeOfName(itemName, entityName) : 'PERSON';
    const agent: PersonIdentity | null = agentName || agentId ? { nameMasked: agentName ? maskName(agentName) : null, idHash: agentId?.hash ?? null, idMasked: agentId?.masked ?? null } : null;

    const applicant: Party = {
      partyType: partyTypeOf(subjectType),
      uscc,
      organisationName: entityName,
      // the person itself (PERSON), the operator of an individual business applying in person, or the agent
      person: applicantPerson ?? agent,
      phoneHash: phone?.hash ?? null,
      phoneMasked: phone?.masked ?? null,
    };

    const sourceOutcome = cleanText(o.办理结果, { field: '办理结果', maxLength: 50 });
    const outcome = sourceOutcome === null ? null : (OUTCOME[sourceOutcome] ?? 'OTHER');
    const licenceNumber = o.许可证号 ? structuredText(normaliseCode(String(o.许可证号), '许可证号'), { field: '许可证号', maxLength: 64 }) : null;
    const registration = outcome === 'APPROVED' && granted !== null;
    const certName = registration ? '营业执照' : licenceNumber ? certificateName(itemName) : null;
    const certNumber = registration ? granted : licenceNumber;

    const town = nameText(o.所属乡镇, { field: '所属乡镇', maxLength: 50 });
    const address = cleanText(o.项目地址, { field: '项目地址', maxLength: 500 });
    const known = gazetteer.byName(town) ?? gazetteer.inAddress(address);
    const division = known?.divisionCode ?? null;

    const envelope = {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: id,
      sourceVersion: updated.epochMs,
      eventTime: received.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: division,
      gridCode: null,
      location: null,
      connector: ctx.connectorId,
    };

    const approval: Approval = {
      envelope,
      applicationNumber: null,
      itemCode,
      itemName,
      itemType: itemTypeOf(itemName),
      delegatedToTown: false,
      applicant,
      status,
      sourceStatus,
      statusReason: null,
      statutoryLimitDays: null,
      promisedLimitDays: promised,
      receivedAt: received.epochMs,
      acceptedAt,
      decidedAt,
      dueAt: null,
      result: outcome === null ? null : { outcome, sourceOutcome, certificateName: certName, certificateNumber: certNumber, note: null },
    };

    const licences: Licence[] =
      outcome === 'APPROVED' && certName !== null
        ? [{ name: certName, number: certNumber, scope: registration ? null : itemName, issuedBy: null, validFrom: decidedAt === null ? null : shanghaiEpochDay(decidedAt), validUntil: null }]
        : [];
    const subject: Subject = {
      envelope,
      subjectType,
      uscc,
      legacyCode: null,
      name: subjectType === 'PERSON' ? null : entityName,
      formerNames: [],
      legalForm: null,
      // a natural person registering an individual business is its operator (经营者)
      legalRepresentative: subjectType !== 'PERSON' && applicantPerson ? applicantPerson : null,
      person: subjectType === 'PERSON' ? applicantPerson : null,
      registeredAddress: null,
      businessAddress: address,
      registeredDivisionCode: null,
      industryCode: null,
      industryName: null,
      businessScope: null,
      registrationStatus: 'UNKNOWN',
      sourceRegistrationStatus: null,
      registrationAuthority: null,
      establishedDate: registration && decidedAt !== null ? shanghaiEpochDay(decidedAt) : null,
      licences,
      phoneHash: null,
      phoneMasked: null,
      placeType: null,
      sourcePlaceType: null,
      operatorUscc: null,
    };

    const key = townKey(division, id);
    return [
      { kind: 'approval', key, value: approval },
      { kind: 'subject', key, value: subject },
    ];
  };
}

export const mapApplication: Mapping = makeApprovalMapping();
