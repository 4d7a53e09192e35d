import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../schemas/examples.js';
import { reportFeatures } from '../../../hub/merge/matter-matcher.js';
import {
  matchSubject,
  subjectBlockingKeys,
  subjectRecord,
  SUBJECT_MATCH_SCORE,
  type SubjectCandidate,
  type SubjectRecord,
} from '../../../hub/merge/subject-matcher.js';
import { clusterSubjects, matchRecordPair, type SubjectMember } from '../../../hub/merge/subject-clusters.js';
import { LAOLI, LAOWANG, REGIONS, offset, shuffled, uscc } from './fixtures.js';

const opts = { regions: REGIONS };

const LAOWANG_USCC = uscc('92150625MA0LW1234');
const LAOLI_USCC = uscc('92150625MA0LL5678');
const XINYUAN_USCC = uscc('91150625MA0XY0001');

/** 老王烧烤 as the market-regulation registry knows it (the golden record after the first load). */
const laowang: SubjectCandidate = {
  subjectId: 'S-0001',
  uscc: LAOWANG_USCC,
  names: ['锡尼镇老王烧烤店'],
  addresses: ['内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路12号'],
  divisionCode: '150625100001',
  locations: [LAOWANG],
  subjectType: 'INDIVIDUAL_BUSINESS',
};
/** 老李烧烤, next door. */
const laoli: SubjectCandidate = {
  subjectId: 'S-0002',
  uscc: LAOLI_USCC,
  names: ['锡尼镇老李烧烤店'],
  addresses: ['内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路14号'],
  divisionCode: '150625100001',
  locations: [LAOLI],
  subjectType: 'INDIVIDUAL_BUSINESS',
};
/** 老王烧烤 in 巴拉贡镇: another shop with the same name, 150 km away. */
const laowangBalagong: SubjectCandidate = {
  subjectId: 'S-0003',
  names: ['巴拉贡镇老王烧烤店'],
  addresses: ['巴拉贡镇团结路12号'],
  divisionCode: '150625101001',
  locations: [{ lng: 106.98, lat: 40.25 }],
};
const xinyuan: SubjectCandidate = {
  subjectId: 'S-0004',
  uscc: XINYUAN_USCC,
  names: ['演示旗鑫源餐饮有限公司', '演示旗宏达餐饮有限公司'],
  addresses: ['内蒙古自治区鄂尔多斯市演示旗锡尼镇文化街3号'],
  divisionCode: '150625100002',
  subjectType: 'ENTERPRISE',
};
const ALL = [laowang, laoli, laowangBalagong, xinyuan];

describe('matchSubject: deterministic rules', () => {
  it('the same USCC always merges, whatever the name says', () => {
    const d = matchSubject({ uscc: LAOWANG_USCC, name: '演示旗王氏餐饮店', address: '文化街99号' }, ALL, opts);
    expect(d).toMatchObject({ decision: 'match', subjectId: 'S-0001', rule: 'uscc-equal', score: 1 });
    expect(d.explanation).toContain(LAOWANG_USCC);
  });

  it('a USCC written with spaces, lower case or full-width is the same USCC', () => {
    const fullWidth = LAOWANG_USCC.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const v of [LAOWANG_USCC.toLowerCase(), `${LAOWANG_USCC.slice(0, 6)} ${LAOWANG_USCC.slice(6)}`, fullWidth]) {
      expect(matchSubject({ uscc: v }, ALL, opts)).toMatchObject({ decision: 'match', subjectId: 'S-0001', rule: 'uscc-equal' });
    }
  });

  it('different USCCs never merge, even with the same name, address and location', () => {
    const other = uscc('92150625MA0ZZ9999'.replace('Z', 'Y').replace('Z', 'Y'));
    const d = matchSubject(
      { uscc: other, name: '锡尼镇老王烧烤店', address: '锡尼镇团结路12号', location: LAOWANG, divisionCode: '150625100001' },
      [laowang],
      opts,
    );
    expect(d).toMatchObject({ decision: 'new', rule: 'all-excluded' });
    expect(d.others[0]).toMatchObject({ subjectId: 'S-0001', rule: 'uscc-conflict', decision: 'excluded' });
  });

  it('a USCC failing the check character is ignored (a typo), not a conflict', () => {
    const typo = `${LAOWANG_USCC.slice(0, 17)}${LAOWANG_USCC.endsWith('0') ? '1' : '0'}`;
    const d = matchSubject({ uscc: typo, name: '老王烧烤', address: '锡尼镇团结路12号' }, [laowang], opts);
    expect(d).toMatchObject({ decision: 'match', subjectId: 'S-0001', rule: 'probabilistic-match' });
    expect(d.features?.usccInvalid).toBe(true);
  });

  it('the same resident ID hash merges persons; different hashes never do', () => {
    const person: SubjectCandidate = { subjectId: 'P-1', idHash: 'sm3:abc', names: [], addresses: [], subjectType: 'PERSON' };
    expect(matchSubject({ idHash: 'sm3:abc', subjectType: 'PERSON' }, [person], opts)).toMatchObject({ decision: 'match', rule: 'id-hash-equal' });
    expect(matchSubject({ idHash: 'sm3:def', subjectType: 'PERSON' }, [person], opts)).toMatchObject({ decision: 'new', rule: 'all-excluded' });
  });

  it('a person is never merged with a business', () => {
    const d = matchSubject({ name: '锡尼镇老王烧烤店', address: '锡尼镇团结路12号', subjectType: 'PERSON' }, [laowang], opts);
    expect(d.decision).toBe('new');
    expect(d.others[0]?.rule).toBe('type-conflict');
  });
});

describe('matchSubject: probabilistic', () => {
  it('锡尼镇老王烧烤店 (registry) / 老王烧烤 (12345) / 王记烧烤(锡尼店) (grid place) are one subject', () => {
    const hotline: SubjectRecord = { name: '老王烧烤', address: '锡尼镇团结路12号附近', divisionCode: '150625100' };
    const gridPlace: SubjectRecord = {
      name: '王记烧烤(锡尼店)',
      address: '团结路12号',
      location: offset(LAOWANG, 3, -2),
      divisionCode: '150625100001',
      subjectType: 'PLACE',
      operatorUscc: LAOWANG_USCC,
    };
    for (const r of [hotline, gridPlace]) {
      const d = matchSubject(r, ALL, opts);
      expect(d.decision, d.explanation).toBe('match');
      expect(d.subjectId).toBe('S-0001');
      expect(d.rule).toBe('probabilistic-match');
      expect(d.score).toBeGreaterThanOrEqual(SUBJECT_MATCH_SCORE);
      expect(d.features?.name?.score).toBe(1);
    }
    // Every feature is there to explain the decision.
    const d = matchSubject(gridPlace, ALL, opts);
    expect(d.features).toMatchObject({ operator: 'same', division: { relation: 'same-village' }, address: { rule: 'same-number' } });
    expect(d.features?.distanceM).toBeLessThan(5);
    expect(d.explanation).toContain('王记烧烤(锡尼店) ~ 锡尼镇老王烧烤店');
    expect(d.explanation).toMatch(/王记 ~ 老王|老王 ~ 王记/);
  });

  it('老王烧烤 and 老李烧烤 next door are different subjects', () => {
    const d = matchSubject({ name: '老李烧烤', address: '锡尼镇团结路14号', location: offset(LAOLI, 1, 1), divisionCode: '150625100001' }, [laowang], opts);
    expect(d.decision).toBe('new');
    expect(d.features?.blockers.some((b) => b.startsWith('name'))).toBe(true);
    // …and with both in the store, 老李烧烤 finds 老李 only.
    expect(matchSubject({ name: '老李烧烤', address: '团结路14号', location: LAOLI }, ALL, opts)).toMatchObject({ decision: 'match', subjectId: 'S-0002' });
    expect(matchSubject({ name: '老王烧烤', address: '团结路12号', location: LAOWANG }, ALL, opts)).toMatchObject({ decision: 'match', subjectId: 'S-0001' });
  });

  it('a name alone is not enough: review', () => {
    const d = matchSubject({ name: '老王烧烤', divisionCode: '150625100' }, [laowang], opts);
    expect(d).toMatchObject({ decision: 'review', subjectId: 'S-0001', rule: 'probabilistic-review' });
    expect(d.features?.blockers.join(' ')).toContain('no location evidence');
  });

  it('the same name in another town is another shop', () => {
    const d = matchSubject({ name: '老王烧烤', address: '巴拉贡镇团结路12号', divisionCode: '150625101' }, [laowang, laowangBalagong], opts);
    expect(d).toMatchObject({ decision: 'match', subjectId: 'S-0003' });
    const only = matchSubject({ name: '老王烧烤', address: '巴拉贡镇团结路12号', divisionCode: '150625101' }, [laowang], opts);
    expect(only.decision).toBe('new');
  });

  it('a hotline typo (汪记稍烤) at the same address still finds 老王烧烤', () => {
    const d = matchSubject({ name: '汪记稍烤', address: '团结路十二号', divisionCode: '150625100' }, ALL, opts);
    expect(d.subjectId).toBe('S-0001');
    expect(['match', 'review']).toContain(d.decision);
  });

  it('matches on a former name (曾用名)', () => {
    const d = matchSubject({ name: '宏达饭店', address: '锡尼镇文化街3号' }, ALL, opts);
    expect(d).toMatchObject({ decision: 'match', subjectId: 'S-0004' });
    expect(d.features?.name?.pair).toEqual(['宏达饭店', '演示旗宏达餐饮有限公司']);
  });

  it('two equally good golden subjects: review, never a guess', () => {
    const twin: SubjectCandidate = { ...laowang, subjectId: 'S-0009', uscc: null };
    const d = matchSubject({ name: '老王烧烤', address: '团结路12号', location: LAOWANG }, [twin, { ...laowang, uscc: null }], opts);
    expect(d).toMatchObject({ decision: 'review', rule: 'ambiguous', subjectId: 'S-0001' });
  });

  it('no candidates: new', () => {
    expect(matchSubject({ name: '老王烧烤' }, [], opts)).toMatchObject({ decision: 'new', rule: 'no-candidate' });
  });

  it('is deterministic and independent of candidate order', () => {
    const records: SubjectRecord[] = [
      { name: '老王烧烤', address: '锡尼镇团结路12号附近' },
      { name: '老李烧烤', address: '团结路14号', location: LAOLI },
      { uscc: LAOLI_USCC },
      { name: '鑫源烧烤(锡尼店)', address: '文化街3号' },
      { name: '无名烧烤摊', address: '团结路' },
    ];
    for (const r of records) {
      const reference = matchSubject(r, ALL, opts);
      expect(matchSubject(r, ALL, opts)).toEqual(reference);
      for (let seed = 1; seed <= 5; seed++) expect(matchSubject(r, shuffled(ALL, seed), opts)).toEqual(reference);
    }
  });
});

describe('canonical records', () => {
  it('the 12345 ticket about 老王家常菜 finds the registered 演示旗锡尼镇老王家常菜馆', () => {
    const registered = subjectRecord(EXAMPLES.subject);
    expect(registered).toMatchObject({ uscc: '92150625MA7GQ8L201', idHash: null, address: '内蒙古自治区鄂尔多斯市演示旗锡尼镇锡尼社区幸福路12号' });
    const golden: SubjectCandidate = {
      subjectId: 'S-0042',
      uscc: registered.uscc ?? null,
      names: [registered.name as string, ...(registered.formerNames ?? [])],
      addresses: [registered.address as string],
      divisionCode: registered.divisionCode ?? null,
      locations: registered.location ? [registered.location] : [],
    };
    const ticket = reportFeatures(EXAMPLES.report);
    const d = matchSubject({ name: ticket.subjectName ?? null, address: ticket.address ?? null, divisionCode: ticket.divisionCode }, [golden], opts);
    expect(d).toMatchObject({ decision: 'match', subjectId: 'S-0042', rule: 'probabilistic-match' });
    expect(d.features?.address?.rule).toBe('same-number');
  });
});

describe('subjectBlockingKeys', () => {
  it('gives identifier, name, trade-name, pinyin, initials and address keys', () => {
    const keys = subjectBlockingKeys({ uscc: LAOWANG_USCC, name: '王记烧烤(锡尼店)', address: '锡尼镇团结路12号', divisionCode: '150625100001' }, opts);
    expect(keys).toEqual(
      [`uscc:${LAOWANG_USCC}`, 'name:王记|烧烤', 'core:150625100|王记', 'py:150625100|wangji', 'ini:150625100|wj', 'ini:*|wj|烧烤', 'addr:150625100|团结路|12', 'addr:*|团结路|12'].sort(),
    );
    // a complaint that gives no town meets the registered shop by its door and by initials and trade
    const townless = subjectBlockingKeys({ name: 'WJ烧烤', address: '团结路12号门面' }, opts);
    expect(townless).toContain('addr:*|团结路|12');
    expect(townless).toContain('ini:*|wj|烧烤');
    // The registry's form of the name gives the same name key, so the lookup finds it.
    expect(subjectBlockingKeys({ name: '锡尼镇老王烧烤店' }, opts)).toContain('name:王记|烧烤');
    // A homophone typo shares the pinyin key.
    expect(subjectBlockingKeys({ name: '汪记稍烤', divisionCode: '150625100' }, opts)).toContain('py:150625100|wangji');
  });
});

describe('clusterSubjects: subjects as components of record-to-record matches', () => {
  const m = (sourceSystem: string, sourceRecordId: string, record: SubjectRecord, loose = false): SubjectMember => ({ sourceSystem, sourceRecordId, record, ...(loose ? { loose: true } : {}) });
  const registry = m('market', 'R1', { uscc: LAOWANG_USCC, name: '锡尼镇老王烧烤店', address: '锡尼镇团结路12号', divisionCode: '150625100001', location: LAOWANG, subjectType: 'INDIVIDUAL_BUSINESS' });
  const inspection = m('enforcement', 'C1', { name: '老王烧烤', address: '锡尼镇团结路12号', divisionCode: '150625100001' });
  const nearby = m('grid', 'G1', { name: '老王烧烤', address: null, divisionCode: '150625100001', location: offset(LAOWANG, 20, 10) }, true);
  const call = m('hotline-12345', 'H1', { name: '老王烧烤', address: null, divisionCode: '150625100000' }, true);
  const nextDoor = m('market', 'R2', { uscc: LAOLI_USCC, name: '锡尼镇老李烧烤店', address: '锡尼镇团结路14号', divisionCode: '150625100001', location: LAOLI });
  const balagong = m('hotline-12345', 'H2', { name: '老王烧烤', address: '巴拉贡镇团结路12号', divisionCode: '150625101001' }, true);
  const all = [registry, inspection, nearby, call, nextDoor, balagong];
  const shape = (ms: readonly SubjectMember[]) =>
    clusterSubjects(ms, opts)
      .clusters.map((c) => c.members.map((x) => `${x.sourceSystem}/${x.sourceRecordId}`).join(' '))
      .sort();

  it('links records to each other: the registry row, an inspection at its door, a grid report near it and a 12345 call naming it in its town', () => {
    expect(shape(all)).toEqual(['enforcement/C1 grid/G1 hotline-12345/H1 market/R1', 'hotline-12345/H2', 'market/R2']);
  });

  it('is a function of the set: every arrival order gives the same subjects, decisions and first record', () => {
    const reference = clusterSubjects(all, opts);
    for (let seed = 1; seed <= 20; seed++) {
      const c = clusterSubjects(shuffled(all, seed), opts);
      expect(c.clusters.map((x) => [x.first, x.members, x.component])).toEqual(reference.clusters.map((x) => [x.first, x.members, x.component]));
      expect([...c.decisions].sort()).toEqual([...reference.decisions].sort());
    }
  });

  it('a pair decision does not depend on which record is given first', () => {
    expect(matchRecordPair(registry, call, opts)).toEqual(matchRecordPair(call, registry, opts));
    expect(matchRecordPair(call, registry, opts)?.rule).toBe('name-in-town');
    // name-in-town is for reports: two registry-like records with a name and a town only do not match
    expect(matchRecordPair({ ...call, loose: false }, { ...registry, record: { ...registry.record, address: null, location: null } }, opts)).toBeNull();
  });

  it('never puts two valid USCCs in one subject, even when a record matches both', () => {
    const other = m('market', 'R3', { uscc: uscc('92150625MA0LW9999'), name: '锡尼镇老王烧烤店', address: '锡尼镇团结路12号', divisionCode: '150625100001', location: LAOWANG });
    const c = clusterSubjects([registry, other, inspection], opts);
    expect(c.clusters.filter((x) => x.members.some((y) => y.record.uscc))).toHaveLength(2);
    expect(new Set(c.clusters.map((x) => x.component)).size).toBe(1); // one component, split between the two enterprises
  });
});

describe('record pairs: site-name, name-in-town needs the same trade, same-door', () => {
  const member = (id: string, record: SubjectMember['record'], loose = false): SubjectMember => ({ sourceSystem: loose ? 'hotline-12345' : 'market-registry', sourceRecordId: id, record, ...(loose ? { loose: true } : {}) });
  const XINGWANG = uscc('91150625MA0XW0001');
  const XINGWANG_CITY = uscc('91150600MA0XW0002');
  const firm = member('R1', { uscc: XINGWANG, name: '演示旗兴旺建筑安装工程有限公司', address: '内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路8号', divisionCode: '150625', subjectType: 'ENTERPRISE' });
  const site = member('GD1', { name: '兴旺建筑安装工程', address: '巴拉贡镇东风路86号', divisionCode: '150625101001' }, true);

  it('a site-work firm reported at a site in another town: the same name is the firm (site-name), for reports only', () => {
    expect(matchRecordPair(firm, site, opts)).toMatchObject({ rule: 'site-name' });
    expect(matchRecordPair(firm, { ...site, loose: false }, opts)).toBeNull();
    // a shop in another town is another shop
    const shop = member('R2', { uscc: LAOWANG_USCC, name: '锡尼镇老王烧烤店', address: '锡尼镇团结路12号', divisionCode: '150625100001' });
    expect(matchRecordPair(shop, member('GD2', { name: '老王烧烤', address: '巴拉贡镇东风路86号', divisionCode: '150625101001' }, true), opts)).toBeNull();
  });

  it('two registered firms share the name: a report giving only the name joins neither', () => {
    const city = member('R3', { uscc: XINGWANG_CITY, name: '鄂尔多斯市兴旺建筑安装工程有限公司', address: '巴拉贡镇友谊路3号', divisionCode: '150625101000', subjectType: 'ENTERPRISE' });
    const c = clusterSubjects([firm, city, site], opts);
    const withSite = c.clusters.find((x) => x.members.some((m) => m.sourceRecordId === 'GD1'));
    expect(withSite?.members.map((m) => m.sourceRecordId)).toEqual(['GD1']);
    // with one firm of that name, the report joins it
    expect(clusterSubjects([firm, site], opts).clusters).toHaveLength(1);
  });

  it('name-in-town needs the same trade: 旭日粮油 is not 演示旗旭日商贸有限公司 by the trade name alone', () => {
    const trading = member('R4', { uscc: XINYUAN_USCC, name: '演示旗旭日商贸有限公司', address: '锡尼镇解放大街211号', divisionCode: '150625100000' });
    expect(matchRecordPair(trading, member('GD3', { name: '旭日粮油', address: '锡尼镇文化街与团结路交叉口', divisionCode: '150625100001' }, true), opts)).toBeNull();
    expect(matchRecordPair(trading, member('GD4', { name: '旭日商贸', address: '锡尼镇文化街与团结路交叉口', divisionCode: '150625100001' }, true), opts)).toMatchObject({ rule: 'name-in-town' });
  });

  it('same-door: the same road and number, the same trade, trade names one slip apart (富民烧烤 ~ 富昆烧烤)', () => {
    const a = member('GD5', { name: '富民烧烤', address: '锡尼镇学府东路18号', divisionCode: '150625100001' }, true);
    expect(matchRecordPair(a, member('GD6', { name: '富昆烧烤', address: '学府东路18号', divisionCode: '150625100001' }, true), opts)).toMatchObject({ rule: 'same-door' });
    // 富民 ~ 富明 (min ~ ming) sound alike to an accent that merges -n/-ng (fuzzy pinyin): matched by name
    expect(matchRecordPair(a, member('GD6b', { name: '富明烧烤', address: '学府东路18号', divisionCode: '150625100001' }, true), opts)).toMatchObject({ rule: 'probabilistic-match' });
    // another number, or another trade, is not
    expect(matchRecordPair(a, member('GD7', { name: '富昆烧烤', address: '学府东路28号', divisionCode: '150625100001' }, true), opts)).toBeNull();
    expect(matchRecordPair(a, member('GD8', { name: '富昆火锅', address: '学府东路18号', divisionCode: '150625100001' }, true), opts)).toBeNull();
    // a complaint that gives no town is placed by the door itself
    expect(matchRecordPair(a, member('XF1', { name: '富昆烧烤', address: '学府东路18号' }, true), opts)).toMatchObject({ rule: 'same-door' });
  });

  it('same-door for nameless stalls: two of one trade (typos read as that trade) at one door are one operator; never at another door, of another trade, with a named shop, or with no door', () => {
    const stall = member('SJ1', { name: '路边米份摊', address: '锡尼社区府前巷25号门面', divisionCode: '150625100001' }, true);
    expect(matchRecordPair(stall, member('GD12', { name: '路边迷粉摊', address: '府前巷25号' }, true), opts)).toMatchObject({ rule: 'same-door' });
    expect(matchRecordPair(stall, member('GD13', { name: '无名米粉店', address: '府前巷25号', divisionCode: '150625100001' }, true), opts)).toMatchObject({ rule: 'same-door' });
    // another door, another trade
    expect(matchRecordPair(stall, member('GD14', { name: '路边米粉摊', address: '府前巷27号', divisionCode: '150625100001' }, true), opts)).toBeNull();
    expect(matchRecordPair(stall, member('GD15', { name: '路边烧烤摊', address: '府前巷25号', divisionCode: '150625100001' }, true), opts)).toBeNull();
    // a named shop of that trade at that door, or a registered one, is not joined by its door alone
    expect(matchRecordPair(stall, member('GD16', { name: '阿强米粉', address: '府前巷25号', divisionCode: '150625100001' }, true), opts)).toBeNull();
    expect(matchRecordPair(stall, member('R12', { uscc: LAOWANG_USCC, name: '锡尼镇阿强米粉店', address: '锡尼镇府前巷25号', divisionCode: '150625100001', subjectType: 'INDIVIDUAL_BUSINESS' }), opts)).toBeNull();
    // with no door it has no key to be found by (and so is no subject: apply-report.ts)
    expect(subjectBlockingKeys({ name: '路边米粉摊', address: '府前巷', divisionCode: '150625100001' }, opts)).toEqual([]);
  });

  it('name-on-road: a complaint naming the shop and only its road (or a crossing or landmark of it) means the shop on that road', () => {
    const shop = member('R5', { uscc: LAOWANG_USCC, name: '锡尼镇戴嫂擂茶馆', address: '锡尼镇文昌北路255号', divisionCode: '150625100001', subjectType: 'INDIVIDUAL_BUSINESS' });
    expect(matchRecordPair(shop, member('GD9', { name: '戴嫂擂茶', address: '文昌北路菜市场后面' }, true), opts)).toMatchObject({ rule: 'name-on-road' });
    expect(matchRecordPair(shop, member('GD10', { name: '戴嫂擂茶', address: '文昌北路与团结路交叉口' }, true), opts)).toMatchObject({ rule: 'name-on-road' });
    // a generic trade on one side (餐饮) says what the other says exactly, and a branch note names the town
    const firm3 = member('R7', { uscc: XINGWANG, name: '演示旗百利餐饮有限责任公司', address: '锡尼镇果都巷72号', divisionCode: '150625100001', subjectType: 'ENTERPRISE' });
    expect(matchRecordPair(firm3, member('GD9b', { name: '百利鱼头(锡尼店)', address: '果都巷小学门口' }, true), opts)).toMatchObject({ rule: 'name-on-road' });
    // in a villagers' group too, when one side gives only the group; two doors of one group are two places
    const farm = member('R11', { uscc: XINGWANG, name: '演示旗永发餐饮有限公司', address: '锡尼镇团结村3组36号', divisionCode: '150625100001', subjectType: 'ENTERPRISE' });
    expect(matchRecordPair(farm, member('XF2', { name: '永发螺蛳粉(锡尼店)', address: '团结村三组' }, true), opts)).toMatchObject({ rule: 'name-on-road' });
    expect(matchRecordPair(farm, member('XF3', { name: '永发食品', address: '团结村3组85号' }, true), opts)?.rule).not.toBe('name-on-road');
    // another trade of that name, another road, or another town is not
    expect(matchRecordPair(shop, member('GD11', { name: '戴嫂烧烤', address: '文昌北路菜市场后面' }, true), opts)).toBeNull();
    expect(matchRecordPair(shop, member('GD12', { name: '戴嫂擂茶', address: '东风路菜市场后面' }, true), opts)).toBeNull();
    expect(matchRecordPair(shop, member('GD13', { name: '戴嫂擂茶', address: '巴拉贡镇文昌北路菜市场后面', divisionCode: '150625101001' }, true), opts)).toBeNull();
  });

  it('name-in-county: a complaint that says nothing of where means the county\'s one shop of that name; two firms of the name make it join neither', () => {
    const shop = member('R8', { uscc: LAOWANG_USCC, name: '锡尼镇彭记鱼头馆', address: '锡尼镇中山大街76号', divisionCode: '150625100001', subjectType: 'INDIVIDUAL_BUSINESS' });
    const call = member('GD17', { name: '彭记鱼头', address: null }, true);
    expect(matchRecordPair(shop, call, opts)).toMatchObject({ rule: 'name-in-county' });
    // initials alone are too weak
    expect(matchRecordPair(member('R9', { uscc: LAOWANG_USCC, name: '锡尼镇彭记鱼头馆', address: '锡尼镇中山大街76号', divisionCode: '150625100001' }), member('GD18', { name: 'PJ鱼头', address: null }, true), opts)?.rule).not.toBe('name-in-county');
    const other = member('R10', { uscc: LAOLI_USCC, name: '巴拉贡镇彭记鱼头馆', address: '巴拉贡镇东风路86号', divisionCode: '150625101001', subjectType: 'INDIVIDUAL_BUSINESS' });
    const c = clusterSubjects([shop, other, call], opts);
    expect(c.clusters.find((x) => x.members.some((m) => m.sourceRecordId === 'GD17'))?.members.map((m) => m.sourceRecordId)).toEqual(['GD17']);
    expect(clusterSubjects([shop, call], opts).clusters).toHaveLength(1);
  });

  it('registered-name: the same full registered name with its legal form is one enterprise, though a complaint says nowhere', () => {
    const firm2 = member('R6', { uscc: XINGWANG, name: '鄂尔多斯市罗霄餐饮有限公司', address: '锡尼镇团结路8号', divisionCode: '150625100001', subjectType: 'ENTERPRISE' });
    expect(matchRecordPair(firm2, member('GD14', { name: '鄂尔多斯市罗霄餐饮有限公司', address: null }, true), opts)).toMatchObject({ rule: 'registered-name' });
    // the trade name alone, or another legal form's name, is not enough without a place
    expect(matchRecordPair(firm2, member('GD15', { name: '罗霄餐饮', address: null }, true), opts)?.rule).not.toBe('registered-name');
    expect(matchRecordPair(firm2, member('GD16', { name: '鄂尔多斯市罗霄商贸有限公司', address: null }, true), opts)).toBeNull();
    // a name freed by a rename and registered again in another town is another firm
    const again = member('SP1', { name: '鄂尔多斯市罗霄餐饮有限公司', address: '巴拉贡镇东风路86号', divisionCode: '150625101001', subjectType: 'ENTERPRISE' });
    expect(matchRecordPair(firm2, again, opts)?.rule).not.toBe('registered-name');
  });
});
