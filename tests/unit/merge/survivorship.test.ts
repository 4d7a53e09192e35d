import { describe, expect, it } from 'vitest';
import { survive, surviveAll, type FieldValue, type Provenance } from '../../../hub/merge/survivorship.js';
import { at, shuffled, uscc } from './fixtures.js';

const p = (department: string, sourceSystem: string, sourceRecordId: string, observedAt: number, sourceVersion = 1): Provenance => ({
  department,
  sourceSystem,
  sourceRecordId,
  sourceVersion,
  observedAt,
});
const MARKET = (t: number, v = 1): Provenance => p('market', 'market-registry', 'PRIPID-001', t, v);
const GRID = (t: number): Provenance => p('grid', 'grid-events', 'PL000123', t);
const HOTLINE = (t: number): Provenance => p('hotline', 'hotline-12345', 'GD20250610001', t);
const ENFORCEMENT = (t: number): Provenance => p('enforcement', 'enforcement-cases', 'ZF-2025-17', t);

const CODE = uscc('92150625MA0LW1234');

describe('survive', () => {
  it('uscc: any validated value; an invalid one never wins', () => {
    const values: FieldValue<string>[] = [
      { value: `${CODE.slice(0, 17)}${CODE.endsWith('0') ? '1' : '0'}`, provenance: HOTLINE(at('2025-06-10 20:00')) },
      { value: CODE.toLowerCase(), provenance: ENFORCEMENT(at('2025-05-01 09:00')) },
    ];
    const s = survive('uscc', values);
    expect(s).toMatchObject({ value: CODE, rule: 'validated-identifier', provenance: { department: 'enforcement' }, considered: 2 });
    expect(survive('uscc', values.slice(0, 1))).toBeNull();
  });

  it('name: the registry\'s latest name beats a newer name from anyone else', () => {
    const values: FieldValue<string>[] = [
      { value: '王记烧烤(锡尼店)', provenance: GRID(at('2025-06-10 19:00')) },
      { value: '锡尼镇老王烧烤店', provenance: MARKET(at('2024-03-01 10:00'), 3) },
      { value: '锡尼镇王记烧烤店', provenance: MARKET(at('2020-01-01 10:00'), 1) },
      { value: '老王烧烤', provenance: HOTLINE(at('2025-06-10 20:40')) },
    ];
    const s = survive('name', values);
    expect(s).toMatchObject({ value: '锡尼镇老王烧烤店', rule: 'registry-latest', provenance: { sourceSystem: 'market-registry', sourceVersion: 3 } });
    expect(s?.reason).toContain('registry department market');
    expect(s?.conflicts.map((c) => c.value).sort()).toEqual(['王记烧烤(锡尼店)', '老王烧烤', '锡尼镇王记烧烤店'].sort());
    // Without a registry value the newest wins.
    expect(survive('name', values.filter((v) => v.provenance.department !== 'market'))).toMatchObject({ value: '老王烧烤', reason: 'no registry value: newest from any department' });
  });

  it('address: the most recent, whoever holds it; empty values never win', () => {
    const values: FieldValue<string | null>[] = [
      { value: '团结路12号', provenance: MARKET(at('2024-03-01 10:00')) },
      { value: '锡尼镇团结路12号(阳光小区对面)', provenance: GRID(at('2025-06-10 19:00')) },
      { value: null, provenance: HOTLINE(at('2025-06-11 08:00')) },
      { value: '  ', provenance: ENFORCEMENT(at('2025-06-12 08:00')) },
    ];
    expect(survive('businessAddress', values)).toMatchObject({ value: '锡尼镇团结路12号(阳光小区对面)', rule: 'most-recent', provenance: { department: 'grid' }, considered: 2 });
  });

  it('divisionCode: the most specific code, then the newest', () => {
    const values: FieldValue<string>[] = [
      { value: '150625', provenance: HOTLINE(at('2025-06-10 20:00')) },
      { value: '150625100001', provenance: GRID(at('2025-06-01 19:00')) },
      { value: '150625100000', provenance: MARKET(at('2025-06-05 19:00')) },
    ];
    expect(survive('divisionCode', values)).toMatchObject({ value: '150625100001', rule: 'most-specific' });
  });

  it('formerNames: union, each with its provenance', () => {
    const values: FieldValue<string[]>[] = [
      { value: ['锡尼镇王记烧烤店'], provenance: MARKET(at('2024-03-01 10:00')) },
      { value: ['锡尼镇王记烧烤店', '老王串店'], provenance: ENFORCEMENT(at('2025-01-01 10:00')) },
    ];
    const s = survive('formerNames', values);
    expect(s?.value).toEqual(['老王串店', '锡尼镇王记烧烤店'].sort());
    // Each element carries its newest holder: enforcement's record (2025) also lists the registry's former name.
    expect(s?.elementProvenance?.map((x) => x.department)).toEqual(['enforcement', 'enforcement']);
    expect(survive('formerNames', values.slice(0, 1))?.elementProvenance?.map((x) => x.department)).toEqual(['market']);
  });

  it('registrationStatus UNKNOWN and subjectType OTHER say nothing', () => {
    expect(
      survive('registrationStatus', [
        { value: 'ACTIVE', provenance: MARKET(at('2024-01-01 10:00')) },
        { value: 'UNKNOWN', provenance: MARKET(at('2025-01-01 10:00')) },
      ]),
    ).toMatchObject({ value: 'ACTIVE' });
    expect(
      survive('subjectType', [
        { value: 'OTHER', provenance: GRID(at('2025-01-01 10:00')) },
        { value: 'INDIVIDUAL_BUSINESS', provenance: HOTLINE(at('2024-01-01 10:00')) },
      ]),
    ).toMatchObject({ value: 'INDIVIDUAL_BUSINESS' });
  });

  it('is independent of the order of the values, ties included', () => {
    const t = at('2025-06-10 19:00');
    const values: FieldValue<string>[] = [
      { value: 'A', provenance: p('grid', 'grid-events', 'R2', t) },
      { value: 'B', provenance: p('grid', 'grid-events', 'R1', t) },
      { value: 'C', provenance: p('enforcement', 'enforcement-cases', 'R9', t) },
      { value: 'D', provenance: p('hotline', 'hotline-12345', 'R3', t - 1) },
    ];
    const reference = surviveAll({ businessAddress: values, name: values, divisionCode: values, formerNames: values.map((v) => ({ ...v, value: [v.value] })) });
    for (let seed = 1; seed <= 6; seed++) {
      const s = shuffled(values, seed);
      expect(surviveAll({ formerNames: s.map((v) => ({ ...v, value: [v.value] })), divisionCode: s, name: s, businessAddress: s })).toEqual(reference);
    }
    // Same time and version: department order decides (enforcement < grid), then record id.
    expect(reference.businessAddress?.value).toBe('C');
  });
});
