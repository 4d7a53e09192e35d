/** Rules added after the merge evaluation: names in report text, name-in-town, same category at one door, division files. */
import { describe, expect, it } from 'vitest';
import { divisionList } from '../../../hub/ingest/routing.js';
import { matchMatter, matchSubject, namelessMentions, reportSubjectMention, subjectMentions, type ReportFeatures, type SubjectCandidate } from '../../../hub/merge/index.js';
import { RegionIndex } from '../../../hub/merge/regions.js';
import { parseAddress, addressSimilarity } from '../../../hub/merge/addresses.js';
import { LAOWANG, REGIONS, at, offset } from './fixtures.js';

const opts = { regions: REGIONS };

describe('subjectMentions: shop names in a 12345 work order', () => {
  const names = (t: string) => subjectMentions(t, opts).map((m) => `${m.key.core}|${m.key.industry}`);

  it('finds the name before an industry word, after the address or the verb', () => {
    expect(names('来电人反映团结路12号老王烧烤店后厨排烟管道直接对着居民楼')).toEqual(['王记|烧烤']);
    expect(names('反映钱姐便利店无证无照经营，请核查。')).toEqual(['钱记|便利']);
    expect(names('市民反映：王记烧烤(锡尼店)（锡尼镇团结路12号附近）没有油烟净化器')).toEqual(['王记|烧烤']);
  });

  it('knows trades from the county matching data beyond the first list (factories, southern shops)', () => {
    expect(names('井冈陶瓷晚上偷偷排气，味道刺鼻。')).toEqual(['井冈|陶瓷']);
    expect(names('来电人称阿强米粉门口音响开很大声')).toEqual(['阿强|米粉']);
    // a complaint noun is no trade: 电动车 in 店内充电 stays out
    expect(names('锡尼镇塞北便利店电动车在店内充电')).toEqual(['塞北|便利']);
    // after 号楼 / 号院 a determiner starts no name; a market read by sound is no quarry
    expect(names('沿江大街40号楼一家足浴店夜里吵闹')).toEqual([]);
    expect(names('环城北路菜市场后面一家螺蛳粉店夜里吵闹')).toEqual([]);
    // after a villagers' group too; an industry word going on into a village is the village's name
    expect(names('独贵塔拉镇河坝新村三组一家螺蛳粉店夜里吵闹')).toEqual([]);
    expect(names('独贵塔拉镇茶园村3组37号垃圾堆了好几天发臭了。')).toEqual([]);
  });

  it('strips the town in front and reads homophone typos followed by a shop word', () => {
    expect(names('锡尼镇塞北便利店电动车在店内充电')).toEqual(['塞北|便利']);
    expect(names('塞北便力店安全出口被货物堵塞')).toEqual(['塞北|便利']);
  });

  it('reads a name ending in 和/与/及 and a homophone typo right after a reporting verb or an address number', () => {
    expect(names('康乐北街62号佳和炸鸡油烟管道破损，油烟直接排放至楼道。')).toEqual(['佳和|炸鸡']);
    expect(names('反映林姐炸机使用的液化气瓶没有减压阀，担心出事。')).toEqual(['林记|炸鸡']);
    // 和 inside a town name is the town's, not a boundary: the town is stripped, the name kept whole
    expect(names('来电反映伊和乌素苏木马记面馆油烟扰民')).toEqual(['马记|面馆']);
    // a homophone with neither a shop word nor such context stays a word of the sentence
    expect(names('晚上没法开窗户')).toEqual([]);
  });

  it('what was done or sold is not a subject: 已通知保洁, 卖水果; a bracketed place note before a name is not part of it', () => {
    expect(subjectMentions('路边垃圾堆积，已通知保洁。')).toEqual([]);
    expect(subjectMentions('红旗二路路口卖水果的占道，车过不去。')).toEqual([]);
    expect(subjectMentions('（红星村三组）老王烧烤油烟直排。').map((m) => m.text)).toEqual(['老王烧烤']);
    expect(subjectMentions('来电反映团结路18号老王烧烤油烟直排').map((m) => m.text)).toEqual(['老王烧烤']);
  });

  it('a kind of place is not a subject: 一家面馆, 这家超市, 路边烧烤摊', () => {
    expect(names('团结路8号往北50米一楼一家面馆油烟扰民')).toEqual([]);
    expect(names('这家超市卖过期食品')).toEqual([]);
    expect(names('来电称团结路12号烧烤店油烟呛人，晚上没法开窗户。')).toEqual([]);
  });

  it('a nameless stall of a known trade (路边迷粉摊) is no name, but what a report naming no shop is about', () => {
    const about = (t: string) => reportSubjectMention(t, opts)?.text ?? null;
    expect(names('市民来电：路边迷粉摊排烟管对着住户窗户，油烟呛人')).toEqual([]);
    expect(namelessMentions('市民来电：路边迷粉摊排烟管对着住户窗户，油烟呛人', opts).map((m) => `${m.key.core}|${m.key.industry}`)).toEqual(['|米粉']);
    expect(about('市民来电：路边迷粉摊排烟管对着住户窗户，油烟呛人')).toBe('路边迷粉摊');
    expect(about('青云大街180-1号那家路边可家菜摊每晚炒菜油烟往楼上飘')).toBe('路边可家菜摊');
    // a named shop in the text comes first; a kind of place (一家烧烤摊) and a stall of no trade are neither
    expect(about('团结路8号无名烧烤店和老王烧烤店油烟扰民')).toBe('老王烧烤店');
    expect(about('团结路8号有一家烧烤摊油烟扰民')).toBeNull();
    expect(about('团结路8号路边摊占道经营')).toBeNull();
  });

  it('what was done on a plot is not a subject: 耕地被堆放砂石, 地块畜禽养殖, 浇筑混凝土 — a sand yard with a name is', () => {
    // patrol and enforcement wording: an activity or a land word before a trade word (砂石, 养殖, 混凝土)
    expect(names('巡查发现永丰村6组西侧耕地被堆放砂石。')).toEqual([]);
    expect(names('当事人未经批准占用胜利西村5组东侧耕地耕地堆放砂石。')).toEqual([]);
    expect(names('巡查发现前进村5组西侧地块畜禽养殖，未办理用地手续。')).toEqual([]);
    expect(names('群众举报红旗村4组耕地上浇筑混凝土。')).toEqual([]);
    expect(names('来电反映鑫源砂石厂粉尘很大。')[0]).toMatch(/^鑫源\|/);
    // 从事 introduces what the party does: 从事一家川菜馆经营活动 names no restaurant
    expect(names('当事人在红柳乡光荣南村1组70号从事一家川菜馆经营活动，未依法取得营业执照。')).toEqual([]);
  });

  it('where a flyer or a leak is, is not a subject: 电线杆张贴小广告, 墙面喷涂办证广告, 邻居家装修 — an advertising firm with a name is', () => {
    // 广告 and 装修 are trades, so these read as the firms 电线杆张贴小广告 and 邻居家装修; every
    // flyposting report of the county became one subject (the eleven-department day: 1,300 wrong pairs)
    expect(names('红旗北街电线杆张贴小广告。')).toEqual([]);
    expect(names('银河东路50号墙面喷涂办证小广告。')).toEqual([]);
    expect(names('滨河街道花园社区世纪苑8栋2单元603邻居家装修漏水到楼下，双方协商不成。')).toEqual([]);
    expect(names('来电反映金鼎广告公司在电线杆上张贴小广告')[0]).toMatch(/^金鼎\|/);
  });
});

/** 老王烧烤 known from a grid worker's report (no USCC, no registry row yet). */
const laowangGrid: SubjectCandidate = { subjectId: 'S-10', names: ['锡尼镇老王烧烤店'], addresses: ['锡尼社区团结路12号'], divisionCode: '150625100001', locations: [LAOWANG] };
const laowangBalagong: SubjectCandidate = { subjectId: 'S-11', names: ['老王烧烤'], addresses: ['巴拉贡镇团结路12号'], divisionCode: '150625101001' };
const laowangOtherRoad: SubjectCandidate = { subjectId: 'S-12', names: ['王记烧烤'], addresses: ['锡尼镇文化街30号'], divisionCode: '150625100002' };

describe('matchSubject nameInTown: a report naming a shop', () => {
  const call = { name: '老王烧烤', address: null, divisionCode: '150625100000' };

  it('the same name in the same town, no address → match by name-in-town (only for reports)', () => {
    const d = matchSubject(call, [laowangGrid, laowangBalagong], { ...opts, nameInTown: true });
    expect(d).toMatchObject({ decision: 'match', rule: 'name-in-town', subjectId: 'S-10' });
    expect(d.explanation).toContain('same name in the same town');
    // without the option (registry, approvals) the stricter rules stay
    expect(matchSubject(call, [laowangGrid, laowangBalagong], opts).decision).not.toBe('match');
  });

  it('two shops of that name in the town → review (ambiguous), not a guess', () => {
    const d = matchSubject(call, [laowangGrid, laowangOtherRoad], { ...opts, nameInTown: true });
    expect(d).toMatchObject({ decision: 'review', rule: 'ambiguous' });
  });

  it('an address on another road says "another shop of that name"', () => {
    const d = matchSubject({ ...call, address: '锡尼镇文化街30号' }, [laowangGrid], { ...opts, nameInTown: true });
    expect(d.rule).not.toBe('name-in-town');
  });
});

const grid: ReportFeatures = {
  sourceSystem: 'grid',
  sourceRecordId: 'SJ1',
  categoryCode: 'appearance.garbage',
  eventTime: at('2026-03-02 06:39'),
  location: offset(LAOWANG, 3, 2),
  divisionCode: '150625100001',
  gridCode: '150625100001002',
  description: '垃圾满溢｜团结路150号垃圾收集点满溢，需及时清运。',
  address: '团结路150号',
};
const call: ReportFeatures = {
  sourceSystem: 'hotline-12345',
  sourceRecordId: 'GD1',
  categoryCode: 'appearance.garbage',
  eventTime: at('2026-03-02 08:10'),
  location: null,
  divisionCode: '150625100000',
  description: '垃圾堆积｜来电反映锡尼镇团结路150号附近有人乱倒垃圾。',
  address: '锡尼镇团结路150号附近',
};

describe('matchMatter: one kind of problem at one door', () => {
  it('the same category at the same address within the window is one matter however it is worded', () => {
    const d = matchMatter({ ...call, description: '路边堆了很多生活垃圾，没人清理。' }, [{ matterId: 'M1', reports: [grid] }], opts);
    expect(d).toMatchObject({ decision: 'match', rule: 'same-incident' });
    expect(d.explanation).toContain('same category at the same place');
  });

  it('the same restaurant, another category (noise vs fumes) and texts that differ: another problem of that subject', () => {
    const noise: ReportFeatures = { ...grid, categoryCode: 'env.noise_social', description: '夜间音响声音很大到凌晨还不停', subjectName: '老云川菜', address: '团结路150号' };
    const fume: ReportFeatures = { ...call, categoryCode: 'env.cooking_fume', description: '后厨排烟管道对着居民楼直排', subjectName: '老云川菜馆' };
    const d = matchMatter(fume, [{ matterId: 'M1', reports: [noise] }], opts);
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toContain('similar');
    expect(d.explanation).toContain('another problem of that subject');
  });

  it('a name read from the text counts for the same subject but never against', () => {
    const named: ReportFeatures = { ...grid, subjectName: '锡尼镇老王烧烤店', categoryCode: 'env.cooking_fume', description: '巡查发现老王烧烤店未安装油烟净化设施' };
    const caller: ReportFeatures = { ...call, categoryCode: 'env.cooking_fume', description: '反映王记烧烤（团结路）晚上开不了窗', address: null };
    const d = matchMatter(caller, [{ matterId: 'M1', reports: [named] }], opts);
    expect(d.features?.subject.relation).toBe('similar-name');
    const other = matchMatter({ ...caller, description: '反映晚上没法开窗户，气味大' }, [{ matterId: 'M1', reports: [named] }], opts);
    expect(other.features?.subject.relation).not.toBe('different-name');
  });
});

describe('division files', () => {
  it('reads the dataset layout {county, towns, villages}: region names are stripped from addresses', () => {
    const list = divisionList({
      county: { code: '150625', name: '演示旗', prefecture: '鄂尔多斯市' },
      towns: [{ code: '150625002', name: '滨河街道' }],
      villages: [{ code: '150625002008', name: '繁荣社区' }],
    });
    expect(list.map((d) => d.code)).toEqual(['150625', '150600', '150625002', '150625002008']);
    const o = { regions: new RegionIndex(list) };
    expect(addressSimilarity(parseAddress('滨河街道新华路87号', o), parseAddress('繁荣社区新华路87号', o), o).rule).toBe('same-number');
  });
});

describe('subjectMentions: homophone typos and what is not a name', () => {
  const names = (t: string) => subjectMentions(t, opts).map((m) => `${m.key.core}|${m.key.industry}`);

  it('a homophone industry word without a shop word counts after an address number (号, 号的) or at the start of the text', () => {
    expect(names('塔然高勒镇杭锦路180号的万通烧拷每天晚上音响声音很大，到凌晨还不停。')).toEqual(['万通|烧烤']);
    expect(names('来电人反映阿斯尔街101号老戴麻腊烫后厨排烟管道直接对着居民楼。')).toEqual(['戴记|麻辣烫']);
    expect(names('银河化公工人作业不戴安全帽，设备无防护罩。')).toEqual(['银河|化工']);
    // not after a comma in the middle of the text, and never a time word or a one-character trade name
    expect(names('来电称团结路12号烧烤店油烟呛人，熏得没法开窗。')).toEqual([]);
    expect(names('晚上没法开窗户')).toEqual([]);
  });

  it('a homophone industry word without a shop word counts right after the reporting verb 称 (来电人称…), as after 反映', () => {
    expect(names('来电人称AH螺蛳份门口音响开很大声，凌晨一两点都不停。')).toEqual(['AH|螺蛳粉']);
    expect(names('新城街道文昌北路78号：来电人称章江迷粉门口音响开很大声')).toEqual(['章江|米粉']);
    // a one-character boundary that is no reporting verb still leaves such a homophone a word of the sentence
    expect(names('饭店卫生差，顾客说沙漠之舟烧考的菜不新鲜')).toEqual([]);
  });

  it('a villagers\' group (…3组) ends an address as a number does, and a landmark pointer (…隔壁, …旁) ends a place as 旁边 does', () => {
    expect(names('群众反映河坝新村第三村民小组阿荣螺蛳份油烟扰民，已拍照上报。')).toEqual(['阿荣|螺蛳粉']);
    expect(names('锡尼镇长坑新村三组郭嫂迷粉半夜还在打麻将唱歌')).toEqual(['郭记|米粉']);
    expect(names('群众反映银湖巷农商银行隔壁阿萍肠粉店油烟扰民')).toEqual(['阿萍|肠粉']);
    expect(names('锡尼镇凤凰路老供销社旁聂记足浴半夜还在打麻将唱歌')).toEqual(['聂记|足浴']);
    // a determiner after the group still starts no name
    expect(names('独贵塔拉镇河坝新村三组一家螺蛳粉店夜里吵闹')).toEqual([]);
  });

  it('after 在 (在X吃饭) or with a branch note after it, a homophone industry word is a name; 家和 is a trade name, 一家 is not', () => {
    expect(names('在阳光角子吃饭后腹泻，怀疑食材不新鲜。')).toEqual(['阳光|饺子']);
    expect(names('饭店卫生差，顾客说沙漠之舟烧考（伊和乌素店）的菜不新鲜')).toEqual(['沙漠之舟|烧烤']);
    expect(names('饭店卫生差，顾客说沙漠之舟烧考的菜不新鲜')).toEqual([]);
    expect(names('康乐北街62号往北50米家和炸鸡液化气罐放在后厨门口')).toEqual(['家和|炸鸡']);
    expect(names('住户在楼顶搭建彩钢房，已劝阻未果。')).toEqual([]);
  });

  it('mentions read by sound come after those read by their characters', () => {
    expect(names('鸿福理法门口的老王烧烤店油烟扰民')).toEqual(['王记|烧烤', '鸿福|理发']);
  });

  it('an industry word heard inside a village\'s name is the village\'s (老屋场下村 is no 劳务 firm)', () => {
    const regions = new RegionIndex([{ code: '150625105', name: '塔然高勒镇' }, { code: '150625105201', name: '老屋场下村' }]);
    expect(subjectMentions('塔然高勒镇老屋场下村一组有人在楼顶加盖铁皮房。', { regions })).toEqual([]);
    expect(subjectMentions('塔然高勒镇老王烧烤店油烟扰民', { regions }).map((m) => m.key.core)).toEqual(['王记']);
  });

  it('a shop named to say where (…旁边, …对面, …隔壁) is a landmark, not a mention', () => {
    expect(names('鸿福理法旁边的老王烧烤店油烟扰民')).toEqual(['王记|烧烤']);
    expect(names('金山巷彭记鱼头对面路面坑洼，已设警示。')).toEqual([]);
  });

  it('what complaints are about or say happened is no trade name (垃圾收集点, 未取得建设工程规划许可证)', () => {
    expect(names('和平北街198号垃圾收集点满溢，需及时清运。')).toEqual([]);
    expect(names('未取得建设工程规划许可证擅自建设')).toEqual([]);
  });

  it('an industry word that goes on into a road is the road (商贸北街)', () => {
    expect(names('园丁北街与商贸北街交叉口诚信手把肉油烟扰民')).toEqual(['诚信|手把肉']);
  });

  it('surname trade names whose surname is also a word (老那, 向记)', () => {
    expect(names('来电反映老那理发（安居街与敖包南巷交叉口）门口高音喇叭循环播放广告，噪音扰民。')).toEqual(['那记|理发']);
    expect(names('工业巷76号向记奶茶油烟扰民')).toEqual(['向记|奶茶']);
  });
});

describe('RegionIndex: a short form going on into a road with a direction is the road (胜利南巷)', () => {
  it('keeps the village short form when a directional road word follows', () => {
    const r = new RegionIndex([{ code: '150625100', name: '锡尼镇' }, { code: '150625101201', name: '胜利村' }]);
    expect(r.stripLeading('锡尼镇胜利南巷165号').rest).toBe('胜利南巷165号');
    expect(r.stripLeading('锡尼镇胜利路12号').rest).toBe('胜利路12号');
    expect(r.stripLeading('锡尼镇胜利村3组').rest).toBe('3组');
  });

  it('keeps a short form that an ordinal road word follows (北门二路), or that names a division outside the town already named', () => {
    const r = new RegionIndex([{ code: '150625100', name: '锡尼镇' }, { code: '150625100006', name: '桔园社区' }, { code: '150625001', name: '城关镇' }, { code: '150625001005', name: '北门社区' }]);
    expect(r.stripLeading('北门二路58号').rest).toBe('北门二路58号');
    expect(r.stripLeading('锡尼镇桔园社区北门二路58号').rest).toBe('北门二路58号');
    // another town's community after 锡尼镇 is not a region of this address
    expect(r.stripLeading('锡尼镇北门菜市场').rest).toBe('北门菜市场');
    // in its own town the short form is still stripped
    expect(r.stripLeading('城关镇北门团结路3号').rest).toBe('团结路3号');
    expect(parseAddress('锡尼镇北门二路58号', { regions: r })).toMatchObject({ road: '北门二路', number: 58, divisionCode: '150625100' });
  });
});

describe('subjectMentions: a sound-alike that runs into a complaint word is that word', () => {
  it('焚烧垃圾 is burning rubbish, not a 烧腊 shop (shao la); a real sound-alike still reads', () => {
    expect(subjectMentions('长胜村2组18号发现露天焚烧垃圾，已扑灭。')).toEqual([]);
    expect(subjectMentions('团结路12号鸿福烧蜡夜里排烟。').map((m) => m.key.industry)).toContain('烧腊');
  });
});
