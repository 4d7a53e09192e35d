import { DEFAULT_MATTER_PROFILE } from '../../../hub/merge/matter-profile.js';
import { describe, expect, it } from 'vitest';
import {
  matchMatter,
  matterBlocking,
  MATTER_CLOSED_GRACE_MS,
  type MatterCandidate,
  type MatterDecision,
  type ReportFeatures,
} from '../../../hub/merge/matter-matcher.js';
import { haversineMetres } from '../../../hub/merge/geo.js';
import { LAOWANG, LAOLI, REGIONS, at, offset, shuffled, uscc, viaPlatform } from './fixtures.js';
import { DIVISIONS } from './fixtures.js';
import { RegionIndex } from '../../../hub/merge/regions.js';

const opts = { regions: REGIONS };

// ── The cooking-fume incident at 老王烧烤, 团结路12号, one evening ───────────────────────────────

/** Grid worker's report; the grid app records GCJ-02 (AMap), converted by the connector. */
const gridFume: ReportFeatures = {
  sourceSystem: 'grid-events',
  sourceRecordId: 'WG20250610-0031',
  categoryCode: 'env.cooking_fume',
  eventTime: at('2025-06-10 19:05'),
  location: viaPlatform(offset(LAOWANG, 4, 6), 'GCJ02').canonical,
  divisionCode: '150625100001',
  gridCode: '150625100001-03',
  description: '网格员巡查发现团结路12号王记烧烤店油烟直排，未安装油烟净化设施，影响周边居民。',
  subjectName: '王记烧烤(锡尼店)',
  address: '团结路12号',
};
/** A 12345 call: no coordinates, an address and the name the caller uses. */
const hotlineFume: ReportFeatures = {
  sourceSystem: 'hotline-12345',
  sourceRecordId: 'GD202506100457',
  categoryCode: 'env.cooking_fume',
  eventTime: at('2025-06-10 20:40'),
  location: null,
  divisionCode: '150625100',
  gridCode: null,
  description: '市民来电反映：锡尼镇团结路老王烧烤油烟很大，熏得家里没法开窗，请相关部门尽快处理。',
  subjectName: '老王烧烤',
  address: '锡尼镇团结路12号附近',
};
/** A 12369 environment complaint; the platform geocodes with Baidu (BD-09), converted by the connector. */
const envFume: ReportFeatures = {
  sourceSystem: 'environment-12369',
  sourceRecordId: 'HB2025061200012',
  categoryCode: 'env.air',
  eventTime: at('2025-06-10 22:15'),
  location: viaPlatform(offset(LAOWANG, -12, 9), 'BD09').canonical,
  divisionCode: '150625100001',
  description: '投诉锡尼镇团结路十二号烧烤店油烟污染严重，晚上烟味刺鼻，要求查处。',
  address: '锡尼镇团结路十二号',
};

/**
 * A minimal store: each report is matched against the matters the blocking helper would load,
 * then joins the matched matter or opens a new one (as the lead's apply will).
 */
function ingest(reports: readonly ReportFeatures[], closed: Record<string, number> = {}): { matters: Map<string, ReportFeatures[]>; decisions: MatterDecision[] } {
  const matters = new Map<string, ReportFeatures[]>();
  const decisions: MatterDecision[] = [];
  for (const r of reports) {
    const b = matterBlocking(r);
    const candidates: MatterCandidate[] = [...matters.entries()]
      .filter(([id, rs]) => {
        const closedAt = closed[id];
        if (closedAt !== undefined && closedAt < b.closedSince) return false;
        const inTime = rs.some((x) => x.eventTime >= b.from && x.eventTime <= b.to);
        const inFamily = b.family === null || rs.some((x) => x.categoryCode?.startsWith(`${b.family}.`));
        const inArea =
          rs.some((x) => x.divisionCode?.slice(0, 9) === b.townCode) ||
          (b.bbox !== null && rs.some((x) => x.location && x.location.lng >= b.bbox![0] && x.location.lng <= b.bbox![2] && x.location.lat >= b.bbox![1] && x.location.lat <= b.bbox![3]));
        return inTime && inFamily && inArea;
      })
      .map(([matterId, rs]) => ({ matterId, closedAt: closed[matterId] ?? null, reports: rs }));
    const d = matchMatter(r, candidates, opts);
    decisions.push(d);
    if (d.decision === 'match' && d.matterId) matters.get(d.matterId)!.push(r);
    else matters.set(`M${matters.size + 1}`, [r]);
  }
  return { matters, decisions };
}

describe('matchMatter: one incident, three channels', () => {
  it('grid (GCJ-02), 12345 (address only) and 12369 (BD-09) within hours → one matter', () => {
    const { matters, decisions } = ingest([gridFume, hotlineFume, envFume]);
    expect(matters.size).toBe(1);
    expect(matters.get('M1')?.map((r) => r.sourceSystem)).toEqual(['grid-events', 'hotline-12345', 'environment-12369']);
    expect(decisions.map((d) => [d.decision, d.rule])).toEqual([
      ['new', 'no-candidate'],
      ['match', 'same-incident'],
      ['match', 'same-incident'],
    ]);
  });

  it('explains each decision', () => {
    const byAddress = matchMatter(hotlineFume, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(byAddress.features).toMatchObject({ distanceM: null, address: { rule: 'same-number' }, subject: { relation: 'similar-name' }, failed: [] });
    expect(byAddress.explanation).toContain('same address');
    expect(byAddress.explanation).toContain('老王烧烤 ~ 王记烧烤(锡尼店)');

    const byDistance = matchMatter(envFume, [{ matterId: 'M1', reports: [gridFume, hotlineFume] }], opts);
    expect(byDistance.features?.distanceM).toBeLessThan(25);
    expect(byDistance.features?.family).toEqual({ report: 'env', matter: ['env'], same: true });
    expect(byDistance.features?.sameCategoryCode).toBe(false);
    expect(byDistance.explanation).toMatch(/\d+ m apart \(≤ 200 m\)/);
    expect(byDistance.score).toBeGreaterThan(0.5);
  });

  it('the same points unconverted (GCJ-02 / BD-09 taken as WGS-84) would be too far apart', () => {
    const raw = (r: ReportFeatures, crs: 'GCJ02' | 'BD09'): ReportFeatures => ({ ...r, location: viaPlatform(offset(LAOWANG, 4, 6), crs).sent });
    expect(haversineMetres(raw(gridFume, 'GCJ02').location!, raw(envFume, 'BD09').location!)).toBeGreaterThan(400);
    const d = matchMatter(raw(envFume, 'BD09'), [{ matterId: 'M1', reports: [raw(gridFume, 'GCJ02')] }], opts);
    expect(d.decision).not.toBe('match');
  });
});

describe('matchMatter: different incidents stay apart', () => {
  it('the same restaurant\'s fumes and its noise are two problems, however alike the complaints read', () => {
    const noise: ReportFeatures = { ...hotlineFume, sourceRecordId: 'GD202506100999', categoryCode: 'env.noise_social', description: '市民来电反映：锡尼镇团结路老王烧烤音响很大，吵得家里没法休息。' };
    const d = matchMatter(noise, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toContain('similar');
    expect(d.features?.subject.relation).toBe('similar-name');
  });

  it('neighbours within GPS error are not one place when the addresses name another door', () => {
    const a: ReportFeatures = { ...gridFume, subjectName: null, categoryCode: 'planning.illegal_building', address: '团结路阳光小区3号楼2单元501室', description: '住户在楼顶搭建彩钢房，已劝阻未果。' };
    const b: ReportFeatures = { ...a, sourceSystem: 'natural-resources-patrol', sourceRecordId: 'ZY-1', location: offset(LAOWANG, 10, 12), address: '团结路阳光小区3号楼1单元501室', description: '疑似违反规划建设，现场有新建构筑物。' };
    const d = matchMatter(b, [{ matterId: 'M1', reports: [a] }], opts);
    expect(d.features?.distanceM).toBeLessThan(30);
    expect(d.decision).toBe('new');
    // the same door: one incident however differently the departments word it
    const same = matchMatter({ ...b, address: a.address }, [{ matterId: 'M1', reports: [a] }], opts);
    expect(same.decision).toBe('match');
  });

  it('two shops at one crossing are two places unless the subject ties them', () => {
    const a: ReportFeatures = { ...hotlineFume, subjectName: null, address: '团结路与文化街交叉口', description: '团结路与文化街交叉口一家烧烤店油烟很大，熏得没法开窗。' };
    const b: ReportFeatures = { ...a, sourceRecordId: 'GD202506100777', description: '文化街与团结路交叉口一家火锅店油烟很大，熏得没法开窗。', address: '文化街与团结路交叉口' };
    const d = matchMatter(b, [{ matterId: 'M1', reports: [a] }], opts);
    expect(d.decision).toBe('review');
    expect(d.features?.soft.join()).toContain('the same crossing');
  });


  it('two noise complaints 800 m apart the same evening → two matters', () => {
    const ktv = offset(LAOWANG, 200, 300);
    const square = offset(ktv, 0, 800);
    const ktvNoise: ReportFeatures = {
      sourceSystem: 'environment-12369',
      sourceRecordId: 'HB2025062000031',
      categoryCode: 'env.noise_social',
      eventTime: at('2025-06-20 21:00'),
      location: viaPlatform(ktv, 'BD09').canonical,
      divisionCode: '150625100002',
      description: '文化街星光KTV夜间噪音扰民，凌晨还在唱歌，影响休息。',
      address: '锡尼镇文化街88号星光KTV',
    };
    const squareNoise: ReportFeatures = {
      sourceSystem: 'grid-events',
      sourceRecordId: 'WG20250620-0107',
      categoryCode: 'env.noise_social',
      eventTime: at('2025-06-20 21:30'),
      location: viaPlatform(square, 'GCJ02').canonical,
      divisionCode: '150625100002',
      gridCode: '150625100002-01',
      description: '滨河广场广场舞音响声音太大，晚上十点后仍在跳，噪声扰民。',
      address: '锡尼镇滨河广场',
    };
    const { matters, decisions } = ingest([ktvNoise, squareNoise]);
    expect(matters.size).toBe(2);
    // Same town, so the first matter is a candidate; the place gate says why it is not the same incident.
    expect(decisions[1]).toMatchObject({ decision: 'new', rule: 'not-same-incident' });
    // The blocking box (2·D around the report) does not reach 800 m: across a town boundary it would not even be a candidate.
    const box = matterBlocking(squareNoise).bbox!;
    expect(ktvNoise.location!.lat < box[1] || ktvNoise.location!.lat > box[3]).toBe(true);
    const direct = matchMatter(squareNoise, [{ matterId: 'M1', reports: [ktvNoise] }], opts);
    expect(direct).toMatchObject({ decision: 'new', rule: 'not-same-incident' });
    expect(direct.features?.failed).toContain('place');
    expect(direct.features?.distanceM).toBeGreaterThan(790);

    // The same two complaints by phone (12345: addresses only) → still two matters.
    const call = (r: ReportFeatures, id: string, address: string): ReportFeatures => ({
      ...r,
      sourceSystem: 'hotline-12345',
      sourceRecordId: id,
      location: null,
      gridCode: null,
      address,
    });
    const byPhone = ingest([call(ktvNoise, 'GD1', '锡尼镇文化街88号'), call(squareNoise, 'GD2', '锡尼镇滨河路广场')]);
    expect(byPhone.matters.size).toBe(2);
    expect(byPhone.decisions[1]?.features?.failed).toContain('place');
  });

  it('老王烧烤 and 老李烧烤 next door: two fume matters', () => {
    const laoliFume: ReportFeatures = {
      ...hotlineFume,
      sourceRecordId: 'GD202506100460',
      eventTime: at('2025-06-10 20:50'),
      description: '市民来电反映团结路14号老李烧烤油烟扰民。',
      subjectName: '老李烧烤',
      address: '锡尼镇团结路14号',
    };
    const d = matchMatter(laoliFume, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d.decision).toBe('new');
    expect(d.features?.subject.relation).toBe('different-name');
    expect(d.features?.failed).toContain('similar');

    // Different USCCs named by two grid-located reports 15 m apart: two matters too.
    const a = { ...gridFume, subjectUscc: uscc('92150625MA0LW1234') };
    const b = { ...envFume, location: LAOLI, subjectUscc: uscc('92150625MA0LL5678') };
    expect(matchMatter(b, [{ matterId: 'M1', reports: [a] }], opts).features?.subject.relation).toBe('different-uscc');
    expect(matchMatter(b, [{ matterId: 'M1', reports: [a] }], opts).decision).toBe('new');
  });

  it('a different family about the same restaurant (店外经营) is another matter', () => {
    const outside: ReportFeatures = { ...gridFume, sourceSystem: 'enforcement-cases', sourceRecordId: 'ZF-17', categoryCode: 'street.outside_shop', description: '王记烧烤店外占道摆放桌椅经营' };
    const d = matchMatter(outside, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toEqual(['family']);
  });
});

describe('matchMatter: a work order with an empty address field is placed by the door its text names', () => {
  const garbage: ReportFeatures = { ...gridFume, sourceSystem: 'grid', categoryCode: 'appearance.garbage', location: null, gridCode: null, subjectName: null, address: '团结路24号楼', description: '路边垃圾堆积，已通知保洁。' };
  const call = (description: string): ReportFeatures => ({ ...hotlineFume, categoryCode: 'appearance.garbage', subjectName: null, address: null, description });
  it('the same door named in the text is the same place', () => {
    const d = matchMatter(call('锡尼镇团结路24栋：那边垃圾桶满出来了，没人收。'), [{ matterId: 'M1', reports: [garbage] }], opts);
    expect(d.features?.address?.rule).toBe('same-number');
    expect(d.decision).toBe('match');
  });
  it('another door named in the text is another place; a compound\'s door in a text is not a building', () => {
    expect(matchMatter(call('锡尼镇团结路88号：垃圾桶满出来了。'), [{ matterId: 'M1', reports: [garbage] }], opts).decision).toBe('new');
    expect(matchMatter(call('团结路24号阳光水岸3栋楼下垃圾桶满出来了。'), [{ matterId: 'M1', reports: [garbage] }], opts).features?.address).toBeNull();
  });
});

describe('matchMatter: a report naming only the villagers\' group meets the one at a door of it by the shop both name', () => {
  const VILLAGE = { regions: new RegionIndex([...DIVISIONS, { code: '150625100205', name: '红星嘎查' }]) };
  const atDoor: ReportFeatures = { ...gridFume, sourceSystem: 'grid', categoryCode: 'env.air', location: null, gridCode: null, divisionCode: '150625100205', subjectName: '井冈陶瓷', address: '红星嘎查3组20号', description: '井冈陶瓷夜间有异味排放。' };
  const call = (description: string, categoryCode = 'env.air'): ReportFeatures => ({ ...hotlineFume, categoryCode, subjectName: null, address: '红星嘎查三组', description, divisionCode: null });
  it('the same name and kind of problem in the group: one matter', () => {
    const d = matchMatter(call('井冈陶瓷晚上偷偷排气，味道刺鼻。'), [{ matterId: 'M1', reports: [atDoor] }], VILLAGE);
    expect(d.decision).toBe('match');
    expect(d.explanation).toContain("villagers' group");
  });
  it('no name in common: the group alone does not say which door (review or new)', () => {
    expect(matchMatter(call('有人晚上偷偷排气，味道刺鼻。'), [{ matterId: 'M1', reports: [atDoor] }], VILLAGE).decision).not.toBe('match');
  });
});

describe('matchMatter: no platform is assumed to file an incident once', () => {
  it('a grid worker re-reporting the same door with the same words joins the matter', () => {
    const again: ReportFeatures = { ...gridFume, sourceRecordId: 'WG20250610-0044', eventTime: at('2025-06-10 19:35') };
    const d = matchMatter(again, [{ matterId: 'M1', reports: [gridFume] }], { ...opts, profile: { ...DEFAULT_MATTER_PROFILE, sameSourceRepeats: true } });
    expect(d.decision).toBe('match');
    expect(d.features?.sameSourceConflict).toContain('WG20250610-0031');
    expect(d.explanation).toContain('filed again');
  });

  it("a platform's second record at the door with other words is another incident", () => {
    const other: ReportFeatures = { ...gridFume, sourceRecordId: 'WG20250610-0044', eventTime: at('2025-06-10 19:35'), description: '网格员巡查发现烧烤店门前油烟排放口朝向居民窗户' };
    const d = matchMatter(other, [{ matterId: 'M1', reports: [gridFume] }], { ...opts, profile: { ...DEFAULT_MATTER_PROFILE, sameSourceRepeats: true } });
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toContain('same-source');
  });

  it("a platform's second record within GPS error but at another building of the compound, or days later, is another incident", () => {
    const repeats = { ...opts, profile: { ...DEFAULT_MATTER_PROFILE, sameSourceRepeats: true } };
    const b3: ReportFeatures = { ...gridFume, categoryCode: 'planning.illegal_building', subjectName: null, address: '团结路12号阳光水岸3栋', description: '住户楼顶违建，已劝停。' };
    const b5: ReportFeatures = { ...b3, sourceRecordId: 'WG20250610-0044', eventTime: at('2025-06-10 19:35'), location: viaPlatform(offset(LAOWANG, 10, 6), 'GCJ02').canonical, address: '团结路12号楼阳光水岸5幢' };
    const d = matchMatter(b5, [{ matterId: 'M1', reports: [b3] }], repeats);
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toContain('same-source');
    const later: ReportFeatures = { ...gridFume, sourceRecordId: 'WG20250612-0044', eventTime: at('2025-06-11 20:05') };
    expect(matchMatter(later, [{ matterId: 'M1', reports: [gridFume] }], repeats).features?.failed).toContain('same-source');
  });

  it("a platform's second record naming the same business in the group its first record gives a door of joins it; a place named as the subject does not", () => {
    const repeats = { regions: new RegionIndex([...DIVISIONS, { code: '150625100205', name: '红星嘎查' }]), profile: { ...DEFAULT_MATTER_PROFILE, sameSourceRepeats: true } };
    const first: ReportFeatures = { ...gridFume, sourceSystem: 'grid', categoryCode: 'env.air', location: null, gridCode: null, divisionCode: '150625100205', subjectName: null, address: '红星嘎查2组28号', description: '恒昌石材夜间有异味排放。' };
    const again: ReportFeatures = { ...first, sourceRecordId: 'WG20250610-0044', eventTime: at('2025-06-10 21:35'), address: '红星嘎查2组' };
    const d = matchMatter(again, [{ matterId: 'M1', reports: [first] }], repeats);
    expect(d.decision).toBe('match');
    expect(d.explanation).toContain('the same business in the group');
    // another business of the group with the same template is another incident
    const other = matchMatter({ ...again, description: '宏发石材夜间有异味排放。' }, [{ matterId: 'M1', reports: [first] }], repeats);
    expect(other.decision).not.toBe('match');
    // a subject field that only names the place (a hazard platform's 2组) is no business
    const hazard = (id: string, address: string): ReportFeatures => ({ ...first, sourceSystem: 'emergency-hazards', sourceRecordId: id, categoryCode: 'emergency.waterlogging', subjectName: '红星嘎查2组', address, description: '路段积水，排水不畅。' });
    expect(matchMatter(hazard('H2', '红星嘎查2组'), [{ matterId: 'M2', reports: [hazard('H1', '红星嘎查2组28号')] }], repeats).decision).not.toBe('match');
  });

  it('two 12345 callers about the same fumes are one matter', () => {
    const second: ReportFeatures = {
      ...hotlineFume,
      sourceRecordId: 'GD202506100502',
      eventTime: at('2025-06-10 21:10'),
      description: '来电人称团结路12号烧烤店油烟呛人，晚上没法开窗户。',
      subjectName: null,
    };
    const { matters } = ingest([gridFume, hotlineFume, second]);
    expect(matters.size).toBe(1);
    expect(matters.get('M1')).toHaveLength(3);
  });

  it('the same record again (a new version) is already linked', () => {
    const d = matchMatter({ ...hotlineFume, description: '（更新）' }, [{ matterId: 'M1', reports: [gridFume, hotlineFume] }], opts);
    expect(d).toMatchObject({ decision: 'match', rule: 'same-record', matterId: 'M1' });
  });
});

describe('matchMatter: time and closure', () => {
  const closedAt = at('2025-06-11 10:00');

  it('an old closed matter is not reopened by a report weeks later: a new matter, flagged as a recurrence', () => {
    const later: ReportFeatures = { ...hotlineFume, sourceRecordId: 'GD202507020188', eventTime: at('2025-07-02 19:30'), description: '团结路老王烧烤又开始油烟直排，熏得没法开窗。' };
    const b = matterBlocking(later);
    expect(closedAt).toBeLessThan(b.closedSince); // the store would not even load it as a candidate
    expect(closedAt).toBeGreaterThanOrEqual(b.recurrenceSince); // but may load it to flag a recurrence
    const d = matchMatter(later, [{ matterId: 'M1', closedAt, reports: [gridFume, envFume] }], opts);
    expect(d).toMatchObject({ decision: 'new', recurrenceOf: 'M1' });
    expect(d.features?.failed).toEqual(['open', 'time']);
    expect(d.explanation).toContain('recurrence of closed matter M1');
  });

  it('an open matter does not absorb a report weeks later either', () => {
    const later: ReportFeatures = { ...hotlineFume, sourceRecordId: 'GD202507020188', eventTime: at('2025-07-02 19:30') };
    const d = matchMatter(later, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toEqual(['time']);
    expect(d.recurrenceOf).toBeUndefined();
  });

  it('a report of the incident that arrives after closure but happened before it still joins', () => {
    const late: ReportFeatures = { ...hotlineFume, eventTime: at('2025-06-10 23:30') };
    expect(late.eventTime).toBeLessThan(closedAt + MATTER_CLOSED_GRACE_MS);
    expect(matchMatter(late, [{ matterId: 'M1', closedAt, reports: [gridFume, envFume] }], opts).decision).toBe('match');
  });
});

describe('matchMatter: near misses go to review', () => {
  it('300 m apart (between D and 2·D) with similar text', () => {
    const near: ReportFeatures = { ...envFume, location: offset(LAOWANG, 0, 300), address: null, description: '投诉锡尼镇团结路烧烤店油烟污染严重，晚上烟味刺鼻，要求查处。' };
    const d = matchMatter(near, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d).toMatchObject({ decision: 'review', rule: 'review-place', matterId: 'M1' });
  });

  it('between D and 2·D apart, but both addresses name the same door: one place (two platforms locate one door 60-150 m apart)', () => {
    const near: ReportFeatures = { ...envFume, location: offset(LAOWANG, 0, 300) };
    const d = matchMatter(near, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d).toMatchObject({ decision: 'match', matterId: 'M1' });
    expect(d.explanation).toContain('but the same door');
    // another door of the road stays a near miss
    const other = matchMatter({ ...near, address: '锡尼镇团结路14号', description: '投诉锡尼镇团结路14号烧烤店油烟污染严重，晚上烟味刺鼻，要求查处。' }, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(other.decision).not.toBe('match');
  });

  it('a caller who names the shop but gives no address: same town, same name → review', () => {
    const d = matchMatter({ ...hotlineFume, address: null }, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d).toMatchObject({ decision: 'review', rule: 'review-place', matterId: 'M1' });
    expect(d.features?.soft[0]).toContain('similar subject name in the same town');
  });

  it('no category on the new report', () => {
    const d = matchMatter({ ...envFume, categoryCode: null }, [{ matterId: 'M1', reports: [gridFume] }], opts);
    expect(d).toMatchObject({ decision: 'review', rule: 'review-no-category' });
  });

  it('two open matters both fit: the better one, and a merge to propose', () => {
    // the same kind of problem (an env.air complaint about the fumes is judged by its text alone,
    // which without the address shares too little with the caller's words)
    const twin: ReportFeatures = { ...envFume, categoryCode: 'env.cooking_fume', sourceSystem: 'patrol', sourceRecordId: 'XC-1', eventTime: at('2025-06-10 21:00') };
    const d = matchMatter(hotlineFume, [{ matterId: 'M2', reports: [twin] }, { matterId: 'M1', reports: [gridFume] }], opts);
    expect(d.decision).toBe('match');
    expect(d.alsoMatching).toHaveLength(1);
    expect(d.explanation).toContain('propose merging');
  });
});

describe('matchMatter: determinism', () => {
  it('same inputs → same outputs, whatever the order of candidates and of their reports', () => {
    const candidates: MatterCandidate[] = [
      { matterId: 'M1', reports: [gridFume, envFume] },
      { matterId: 'M2', reports: [{ ...hotlineFume, sourceRecordId: 'GD-X', eventTime: at('2025-06-10 19:50') }] },
      { matterId: 'M3', closedAt: at('2025-06-01 12:00'), reports: [{ ...gridFume, sourceRecordId: 'WG-OLD', eventTime: at('2025-05-30 18:00') }] },
      { matterId: 'M4', reports: [{ ...envFume, sourceRecordId: 'HB-OTHER', categoryCode: 'env.noise_social', description: '文化街星光KTV夜间噪音扰民', location: offset(LAOWANG, 200, 300) }] },
    ];
    const probe: ReportFeatures = { ...hotlineFume, sourceRecordId: 'GD-NEW', eventTime: at('2025-06-10 21:30') };
    const reference = matchMatter(probe, candidates, opts);
    expect(reference.decision).toBe('match');
    for (let seed = 1; seed <= 8; seed++) {
      const c = shuffled(candidates, seed).map((m) => ({ ...m, reports: shuffled(m.reports, seed + 100) }));
      expect(matchMatter(probe, c, opts)).toEqual(reference);
    }
  });
});

describe('matchMatter: kinds of problem within a family', () => {
  /** A 12345 work order at 团结路12号 with no subject field and no coordinates. */
  const call = (id: string, categoryCode: string, description: string, time = '2025-06-10 20:40'): ReportFeatures => ({
    ...hotlineFume,
    sourceRecordId: id,
    categoryCode,
    subjectName: null,
    eventTime: at(time),
    address: '锡尼镇团结路12号',
    description,
  });

  it('fumes and noise at one door are two problems even without a subject, however alike the calls read', () => {
    const fume = call('GD-1', 'env.cooking_fume', '团结路12号一家烧烤店油烟很大，晚上没法开窗。');
    const noise = call('GD-2', 'env.noise_social', '团结路12号一家烧烤店音响很大，晚上没法睡觉。', '2025-06-10 21:40');
    const d = matchMatter(noise, [{ matterId: 'M1', reports: [fume] }], opts);
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toEqual(['similar']);
    expect(d.explanation).toContain('another kind of problem');
  });

  it('the family\'s catch-all code (facility.public) and a specific one at one door are one problem, however worded', () => {
    const road = call('GD-3', 'facility.road', '路面塌陷一个大坑，车辆经过很危险。');
    const grid: ReportFeatures = { ...gridFume, subjectName: null, categoryCode: 'facility.public', address: '团结路12号', description: '团结路12号井盖破损，已设置临时警示。' };
    const d = matchMatter(road, [{ matterId: 'M1', reports: [grid] }], opts);
    expect(d.decision).toBe('match');
    expect(d.features?.sameCategoryCode).toBe(false);
    expect(d.explanation).toContain('the same kind of problem at the same place');
    // two specific codes of the family are two problems
    const light = { ...road, sourceRecordId: 'GD-4', categoryCode: 'facility.streetlight' };
    expect(matchMatter(light, [{ matterId: 'M1', reports: [{ ...grid, categoryCode: 'facility.road' }] }], opts).decision).toBe('new');
  });

  it('a livestock farm\'s manure filed as water pollution is the same kind of problem', () => {
    const water = call('GD-5', 'env.water', '养殖场粪污直排，臭味很大。');
    const grid: ReportFeatures = { ...gridFume, subjectName: null, categoryCode: 'env.livestock', address: '团结路12号', description: '西侧耕地粪污随意堆放，未做防渗。' };
    expect(matchMatter(water, [{ matterId: 'M1', reports: [grid] }], opts).decision).toBe('match');
  });

  it('restaurant fumes filed as air pollution need the text or subject, not only the door', () => {
    const fume = call('GD-6', 'env.cooking_fume', '团结路12号一家烧烤店油烟很大，晚上没法开窗。');
    const smoke: ReportFeatures = { ...envFume, address: '锡尼镇团结路12号', description: '附近工厂冒黑烟。' };
    expect(matchMatter(smoke, [{ matterId: 'M1', reports: [fume] }], opts).decision).toBe('new');
    expect(matchMatter(envFume, [{ matterId: 'M1', reports: [fume] }], opts).decision).toBe('match');
  });
});

describe('matchMatter: no chaining', () => {
  it('a report like one report of a grown matter but clearly unlike another, with nothing else to tie them, goes to review', () => {
    // a grid worker's point (no address) and a call naming the building, about one rooftop shed
    const a: ReportFeatures = { ...gridFume, subjectName: null, categoryCode: 'planning.illegal_building', address: null, description: '住户在楼顶搭建彩钢房，已劝阻未果。' };
    const b: ReportFeatures = { ...hotlineFume, sourceRecordId: 'GD-11', categoryCode: 'planning.illegal_building', subjectName: null, address: '团结路阳光小区3号楼', description: '阳光小区3号楼有住户私自扩建院墙，占用公共绿地。' };
    // a patrol 60 m from the shed about a wall: worded like the call, nothing like the shed
    const c: ReportFeatures = { ...b, sourceSystem: 'natural-resources-patrol', sourceRecordId: 'ZY-12', location: offset(LAOWANG, 60, 0), description: '一楼住户私自扩建院墙，占用公共绿地。' };
    expect(matchMatter(c, [{ matterId: 'M1', reports: [b] }], opts).decision).toBe('match');
    const withA = matchMatter(c, [{ matterId: 'M1', reports: [a] }], opts);
    expect(withA.features?.textsDiffer).toBe(true);
    expect(withA.features?.text?.score ?? 0).toBeLessThan(0.1);
    const d = matchMatter(c, [{ matterId: 'M1', reports: [a, b] }], opts);
    expect(d.decision).toBe('review');
    expect(d.explanation).toContain('like 1 of the matter\'s 2 reports, unlike 1');
  });

  it('a report of another kind of problem than one report of the matter does not join it by another', () => {
    const road: ReportFeatures = { ...hotlineFume, sourceRecordId: 'GD-21', categoryCode: 'facility.road', subjectName: null, address: '锡尼镇团结路12号', description: '团结路12号路面塌陷一个大坑，车辆经过很危险。' };
    const pub: ReportFeatures = { ...gridFume, subjectName: null, categoryCode: 'facility.public', address: '团结路12号', description: '团结路12号市政设施被损坏。' };
    const light: ReportFeatures = { ...road, sourceSystem: 'enforcement-cases', sourceRecordId: 'AJ-22', categoryCode: 'facility.streetlight', description: '团结路12号路灯不亮。' };
    expect(matchMatter(light, [{ matterId: 'M1', reports: [pub] }], opts).decision).toBe('match');
    const d = matchMatter(light, [{ matterId: 'M1', reports: [road, pub] }], opts);
    expect(d.decision).toBe('review');
    expect(d.explanation).toContain('another problem than 1 of the matter\'s 2 reports');
  });
});

describe('matterBlocking', () => {
  it('town + family + day window, a box around located reports, and the closure limit', () => {
    const b = matterBlocking(gridFume);
    expect(b).toMatchObject({ family: 'env', townCode: '150625100', countyCode: '150625' });
    expect(b.to - b.from).toBe(2 * 48 * 3_600_000);
    expect(b.days).toEqual(['2025-06-08', '2025-06-09', '2025-06-10', '2025-06-11', '2025-06-12']);
    expect(b.keys[0]).toBe('150625100|env|2025-06-08');
    expect(b.bbox).not.toBeNull();
    const [minLng, minLat, maxLng, maxLat] = b.bbox!;
    expect(minLng < LAOWANG.lng && LAOWANG.lng < maxLng && minLat < LAOWANG.lat && LAOWANG.lat < maxLat).toBe(true);
    expect(b.closedSince).toBe(gridFume.eventTime - MATTER_CLOSED_GRACE_MS);
  });

  it('falls back to the county when the town is unknown, and to no box without coordinates', () => {
    const b = matterBlocking({ ...hotlineFume, divisionCode: '150625', categoryCode: 'street.stall' });
    expect(b).toMatchObject({ family: 'street', townCode: null, countyCode: '150625', bbox: null });
    expect(b.keys.every((k) => k.startsWith('150625|street|'))).toBe(true);
  });
});
