/**
 * What happens in the county: incident types, where they happen, which department channels hear of
 * them and how each channel words them. Category codes are the county catalogue's
 * (schemas/catalogues/categories.json); each channel uses its own department's category codes
 * (schemas/catalogues/category-mappings/<department>.json).
 *
 * Text placeholders: {subj} the place or enterprise as the channel names it, {addr} the address as the
 * channel writes it, {road} the road, {what} a generic description of the place (一家烧烤店),
 * {area} an area in 亩.
 */
import { COUNTY } from '../shared/county.js';
import type { PlaceKind } from './world.js';

export type Channel = 'hotline' | 'grid' | 'environment' | 'enforcement' | 'natural_resources' | 'emergency' | 'urban_management' | 'police_110' | 'health_inspection';
export const CHANNELS: readonly Channel[] = ['hotline', 'grid', 'environment', 'enforcement', 'natural_resources', 'emergency', 'urban_management', 'police_110', 'health_inspection'];

/**
 * Where an incident happens: at a place of these kinds (`industries`: only places of these trades,
 * IndustrySpec.full), or at a point on a road.
 */
export type Target = { places: PlaceKind[]; subjectRequired?: boolean; preferUnregistered?: boolean; industries?: string[] } | { road: true; rural?: boolean };

export type HourProfile = 'day' | 'evening' | 'night' | 'morning' | 'any';

interface ChannelText {
  weight: number;
  texts: string[];
}

export interface IncidentType {
  key: string;
  category: string;
  weight: number;
  target: Target;
  hours: HourProfile;
  urgentRate: number;
  hotline?: ChannelText & { flmc: string; titles: string[] };
  grid?: ChannelText & { code: string; name: string; titles: string[] };
  environment?: ChannelText & { code: string; type: string };
  enforcement?: ChannelText & { code: string; name: string };
  natural_resources?: ChannelText & { code: string; name: string };
  emergency?: ChannelText & { code: string; name: string; industry: string; measures: string[] };
  /** 数字化城管: GB/T 30428 大类 and 小类 codes and the 小类 name; texts are 问题描述. */
  urban_management?: ChannelText & { dl: string; xl: string; name: string };
  /** 110 非警务警情: 警情类别 code and name; texts are 警情内容 as the call taker writes it. */
  police_110?: ChannelText & { code: string; name: string };
  /** 卫生监督: 专业类别 (GGCS 公共场所, YYS 生活饮用水, YLWS 医疗卫生, XXWS 学校卫生); texts are the findings (问题描述). */
  health_inspection?: ChannelText & { field: 'GGCS' | 'YYS' | 'YLWS' | 'XXWS' };
}

export const INCIDENT_TYPES: IncidentType[] = [
  {
    key: 'cooking_fume',
    category: 'env.cooking_fume',
    weight: 9,
    target: { places: ['restaurant'] },
    hours: 'evening',
    urgentRate: 0.05,
    hotline: {
      weight: 0.85,
      flmc: '环境保护-油烟污染',
      titles: ['餐饮油烟扰民', '反映饭店油烟问题', '烧烤油烟直排'],
      texts: [
        '{addr}的{subj}油烟直排，气味很大，晚上无法开窗，希望尽快处理。',
        '来电人反映{addr}{subj}后厨排烟管道直接对着居民楼，油烟很大，要求整改。',
        '市民反映：{subj}（{addr}）没有油烟净化器，每天傍晚油烟呛人，多次找店家无果。',
        '{addr}一楼{what}油烟扰民，影响楼上住户生活，请相关部门处理。',
      ],
    },
    grid: {
      weight: 0.75,
      code: 'C01',
      name: '环境污染-餐饮油烟',
      titles: ['餐饮油烟直排', '油烟扰民', '餐饮店未安装油烟净化设施'],
      texts: ['巡查发现{subj}未安装油烟净化设施，油烟直排，周边居民反映强烈。', '{addr}{subj}油烟管道破损，油烟直接排放至楼道。', '网格员巡查时居民反映{subj}油烟扰民，现场核实属实。'],
    },
    environment: {
      weight: 0.6,
      code: 'DQ-03',
      type: '大气',
      texts: ['举报{addr}{subj}餐饮油烟污染，油烟净化设施未运行。', '反映{subj}油烟直排居民区，要求查处。'],
    },
    enforcement: {
      weight: 0.45,
      code: '2001',
      name: '餐饮服务业油烟排放',
      texts: ['当事人在{addr}经营{subj}，未安装油烟净化设施，油烟直接排放。', '经核查，{subj}油烟净化设施未正常使用，油烟超标排放。'],
    },
  },
  {
    key: 'noise_social',
    category: 'env.noise_social',
    weight: 6,
    target: { places: ['entertainment', 'restaurant', 'shop'] },
    hours: 'night',
    urgentRate: 0.03,
    hotline: {
      weight: 0.9,
      flmc: '环境保护-噪声污染',
      titles: ['噪音扰民', '商铺噪声扰民', '夜间噪音'],
      texts: ['{addr}的{subj}每天晚上音响声音很大，到凌晨还不停，严重影响休息。', '来电反映{subj}（{addr}）门口高音喇叭循环播放广告，噪音扰民。', '{addr}{what}夜间经营噪声大，居民无法入睡，请处理。'],
    },
    grid: {
      weight: 0.5,
      code: 'C02',
      name: '环境污染-噪声扰民',
      titles: ['噪声扰民', '商铺外放音响'],
      texts: ['{subj}门口摆放音响外放，噪声扰民。', '居民反映{subj}夜间噪音大，网格员现场劝导。'],
    },
    environment: { weight: 0.35, code: 'ZS-03', type: '噪声', texts: ['举报{addr}{subj}社会生活噪声扰民。', '{subj}夜间营业噪声超标，影响周边居民。'] },
    enforcement: { weight: 0.35, code: '2003', name: '社会生活噪声', texts: ['当事人{subj}在{addr}使用高音广播喇叭招揽顾客，产生噪声干扰周围生活环境。'] },
    police_110: { weight: 0.6, code: 'FJW01', name: '噪声扰民', texts: ['报警人称{addr}{subj}音响声音过大，深夜仍在营业，影响休息。', '报警人反映{subj}（{addr}）噪声扰民，要求处理。', '{addr}{what}夜间噪声大，报警人无法入睡。'] },
  },
  {
    key: 'construction_noise',
    category: 'construction.noise',
    weight: 5,
    target: { places: ['worksite'] },
    hours: 'night',
    urgentRate: 0.05,
    hotline: {
      weight: 0.85,
      flmc: '城乡建设-施工扰民',
      titles: ['夜间施工噪声', '工地夜间施工扰民'],
      texts: ['{addr}{subj}夜间十一点后仍在施工，噪声很大，影响休息。', '反映{subj}凌晨还在浇筑混凝土，机器轰鸣，无法入睡。', '{addr}附近工地晚上施工，噪音扰民，请核实是否办理夜间施工许可。'],
    },
    grid: { weight: 0.45, code: 'C02', name: '环境污染-噪声扰民', titles: ['工地夜间施工'], texts: ['{subj}夜间施工，噪声扰民，居民多次反映。'] },
    environment: { weight: 0.5, code: 'ZS-02', type: '噪声', texts: ['举报{subj}（{addr}）夜间违规施工，噪声扰民。'] },
    enforcement: { weight: 0.45, code: '2004', name: '建筑施工噪声', texts: ['{subj}未经批准在夜间22时至次日6时进行产生噪声的建筑施工作业。'] },
  },
  {
    key: 'construction_dust',
    category: 'construction.dust',
    weight: 3,
    target: { places: ['worksite'] },
    hours: 'day',
    urgentRate: 0.02,
    hotline: { weight: 0.45, flmc: '环境保护-大气污染', titles: ['工地扬尘'], texts: ['{addr}{subj}裸土未覆盖，刮风时尘土飞扬。', '反映{subj}渣土车进出未冲洗，道路扬尘严重。'] },
    environment: { weight: 0.75, code: 'DQ-04', type: '大气', texts: ['举报{subj}施工扬尘污染，未采取洒水降尘措施。', '{addr}工地扬尘大，防尘网覆盖不到位。'] },
    enforcement: { weight: 0.5, code: '3003', name: '施工工地扬尘', texts: ['{subj}施工现场裸露土方未覆盖，未采取有效防尘措施。'] },
    grid: { weight: 0.3, code: 'C03', name: '环境污染-废气异味', titles: ['工地扬尘'], texts: ['{subj}施工扬尘大，未洒水降尘。'] },
  },
  {
    key: 'illegal_building',
    category: 'planning.illegal_building',
    weight: 6,
    target: { places: ['residence'] },
    hours: 'day',
    urgentRate: 0.02,
    hotline: {
      weight: 0.6,
      flmc: '城乡建设-违章建筑',
      titles: ['反映违章搭建', '私搭乱建', '楼顶违建'],
      texts: ['{addr}有住户私自在楼顶加盖彩钢房，影响邻居采光，请相关部门处理。', '来电反映{addr}一楼住户私自扩建院墙，占用公共绿地。', '{addr}有人正在搭建违章建筑，请尽快制止。'],
    },
    grid: { weight: 0.8, code: 'D01', name: '城乡管理-违法建设', titles: ['违法建设', '私搭乱建'], texts: ['{addr}住户在楼顶搭建彩钢房，已劝阻未果。', '巡查发现{addr}正在违规加盖房屋。'] },
    enforcement: { weight: 0.5, code: '3001', name: '未取得建设工程规划许可证进行建设', texts: ['当事人在{addr}未取得建设工程规划许可证擅自搭建建筑物。'] },
    natural_resources: { weight: 0.25, code: 'ZY-GH-01', name: '违反城乡规划建设', texts: ['{addr}疑似违反规划建设，现场有新建构筑物。'] },
  },
  {
    key: 'unlicensed',
    category: 'market.unlicensed',
    weight: 4,
    target: { places: ['restaurant', 'shop'], preferUnregistered: true },
    hours: 'day',
    urgentRate: 0.02,
    hotline: { weight: 0.65, flmc: '市场监管-无照经营', titles: ['无证经营', '无照经营'], texts: ['{addr}有一家{what}没有营业执照，卫生条件差。', '反映{subj}无证无照经营，请核查。'] },
    grid: { weight: 0.6, code: 'G01', name: '市场秩序-无照经营', titles: ['无照经营'], texts: ['{subj}未悬挂营业执照，经询问未办理。', '巡查发现{addr}{what}无照经营。'] },
    enforcement: { weight: 0.5, code: '6001', name: '无照经营（赋权）', texts: ['当事人在{addr}从事{what}经营活动，未依法取得营业执照。'] },
  },
  {
    key: 'gas_hazard',
    category: 'safety.gas',
    weight: 4,
    target: { places: ['restaurant'], subjectRequired: true },
    hours: 'day',
    urgentRate: 0.2,
    hotline: { weight: 0.4, flmc: '城乡建设-燃气', titles: ['燃气安全隐患'], texts: ['{addr}{subj}液化气罐放在后厨门口，无防护，存在安全隐患。', '反映{subj}使用的液化气瓶没有减压阀，担心出事。'] },
    grid: { weight: 0.7, code: 'B03', name: '安全隐患-燃气安全', titles: ['燃气安全隐患', '餐饮场所燃气隐患'], texts: ['{subj}后厨燃气管道老化，未安装燃气泄漏报警装置。', '{subj}液化气瓶与灶具距离不足，存在隐患。'] },
    emergency: {
      weight: 0.75,
      code: 'YH06',
      name: '城镇燃气隐患',
      industry: '餐饮',
      texts: ['未安装可燃气体报警装置', '液化石油气钢瓶存放在地下室', '燃气软管老化龟裂，超过使用年限', '气瓶与灶具间距不足0.5米'],
      measures: ['安装可燃气体报警装置并与切断阀联动', '更换金属波纹软管', '气瓶移至专用气瓶间存放'],
    },
  },
  {
    key: 'fire_hazard',
    category: 'safety.fire',
    weight: 4,
    target: { places: ['entertainment', 'market', 'shop'], subjectRequired: true },
    hours: 'day',
    urgentRate: 0.15,
    hotline: { weight: 0.3, flmc: '安全生产-消防安全', titles: ['消防通道堵塞', '消防安全隐患'], texts: ['{subj}安全出口被货物堵塞，存在消防隐患。', '{addr}{what}消防通道被占用。'] },
    grid: { weight: 0.6, code: 'B01', name: '安全隐患-消防安全', titles: ['消防安全隐患', '疏散通道堵塞'], texts: ['{subj}灭火器过期，疏散通道堆放杂物。', '{subj}电动车在店内充电，存在火灾隐患。'] },
    emergency: {
      weight: 0.8,
      code: 'YH05',
      name: '人员密集场所消防隐患',
      industry: '人员密集场所',
      texts: ['安全出口锁闭', '疏散通道堆放杂物', '灭火器压力不足', '应急照明损坏', '电气线路私拉乱接'],
      measures: ['清理疏散通道，保持畅通', '更换灭火器', '维修应急照明', '规范电气线路敷设'],
    },
  },
  {
    key: 'production_hazard',
    category: 'safety.production',
    weight: 3,
    target: { places: ['factory'], subjectRequired: true },
    hours: 'day',
    urgentRate: 0.15,
    hotline: { weight: 0.25, flmc: '安全生产-企业安全', titles: ['企业安全隐患'], texts: ['{subj}工人作业不戴安全帽，设备无防护罩。'] },
    grid: { weight: 0.4, code: 'B02', name: '安全隐患-生产安全', titles: ['企业安全生产隐患'], texts: ['{subj}厂区内物料堆放过高，有倒塌风险。'] },
    emergency: {
      weight: 0.95,
      code: 'YH02',
      name: '工贸企业隐患',
      industry: '工贸',
      texts: ['有限空间作业未审批', '粉尘涉爆区域电气设备不防爆', '转动设备防护罩缺失', '特种作业人员无证上岗', '安全警示标志缺失'],
      measures: ['建立有限空间作业审批制度', '更换防爆电气设备', '加装防护罩', '组织持证上岗培训'],
    },
  },
  {
    key: 'building_safety',
    category: 'safety.building',
    weight: 2,
    target: { places: ['residence'] },
    hours: 'day',
    urgentRate: 0.25,
    hotline: { weight: 0.4, flmc: '城乡建设-房屋安全', titles: ['房屋安全隐患'], texts: ['{addr}房屋墙体开裂，担心倒塌。'] },
    grid: { weight: 0.6, code: 'B04', name: '安全隐患-房屋安全', titles: ['自建房安全隐患', '危房'], texts: ['{addr}自建房墙体出现裂缝，屋顶漏雨。'] },
    emergency: {
      weight: 0.5,
      code: 'YH07',
      name: '自建房安全隐患',
      industry: '自建房',
      texts: ['承重墙体裂缝', '擅自加层', '屋面渗漏'],
      measures: ['委托鉴定机构进行安全鉴定', '停止使用并设置警示', '拆除违规加层'],
    },
  },
  {
    key: 'farmland_occupation',
    category: 'land.farmland',
    weight: 4,
    target: { places: ['farmland'] },
    hours: 'day',
    urgentRate: 0.05,
    hotline: { weight: 0.4, flmc: '国土资源-土地违法', titles: ['占用耕地', '耕地上堆放沙土'], texts: ['{addr}附近有人在耕地上挖沙取土。', '反映{addr}有人在农田里硬化地面堆放建材。'] },
    grid: { weight: 0.6, code: 'E01', name: '耕地保护-占用耕地', titles: ['占用耕地'], texts: ['{subj}有人推土硬化，疑似占用耕地。', '巡查发现{subj}被堆放砂石。'] },
    natural_resources: { weight: 0.9, code: 'ZY-TD-01', name: '非法占用耕地', texts: ['{subj}发现地面硬化，面积约{area}亩。', '{subj}堆放建筑材料，占用耕地约{area}亩。'] },
    enforcement: { weight: 0.2, code: '5001', name: '非法占用土地（赋权）', texts: ['当事人未经批准占用{subj}耕地堆放砂石。'] },
  },
  {
    key: 'rural_housing',
    category: 'land.rural_housing',
    weight: 2,
    target: { places: ['farmland'] },
    hours: 'day',
    urgentRate: 0.03,
    hotline: { weight: 0.3, flmc: '国土资源-农村建房', titles: ['占用耕地建房'], texts: ['{addr}有村民在耕地上盖房子。'] },
    grid: { weight: 0.7, code: 'E02', name: '耕地保护-乱占耕地建房', titles: ['乱占耕地建房'], texts: ['{subj}有村民打地基准备建房。'] },
    natural_resources: { weight: 0.8, code: 'ZY-TD-03', name: '农村乱占耕地建房', texts: ['{subj}新建房屋一处，占地约{area}亩，未办理用地手续。'] },
  },
  {
    key: 'sand_mining',
    category: 'land.mining',
    weight: 1.5,
    target: { places: ['farmland'] },
    hours: 'night',
    urgentRate: 0.1,
    hotline: { weight: 0.45, flmc: '国土资源-矿产资源', titles: ['非法采砂', '夜间偷采砂石'], texts: ['{addr}附近晚上有挖掘机偷挖沙子，大车拉运。'] },
    grid: { weight: 0.3, code: 'Z99', name: '其他事件', titles: ['疑似非法采砂'], texts: ['{subj}附近有采砂痕迹，现场有挖掘机。'] },
    natural_resources: { weight: 0.9, code: 'ZY-KC-02', name: '非法采砂', texts: ['{subj}附近发现采砂坑，面积约{area}亩，现场有挖掘机一台。'] },
  },
  {
    key: 'garbage',
    category: 'appearance.garbage',
    weight: 9,
    target: { road: true },
    hours: 'any',
    urgentRate: 0.01,
    hotline: {
      weight: 0.7,
      flmc: '城市管理-环境卫生',
      titles: ['垃圾未清运', '垃圾堆积'],
      texts: ['{addr}垃圾桶满溢三天无人清运，气味难闻。', '{road}路边堆了很多生活垃圾，没人清理。', '来电反映{addr}附近有人乱倒垃圾。'],
    },
    grid: { weight: 0.85, code: 'D04', name: '城乡管理-暴露垃圾', titles: ['暴露垃圾', '垃圾满溢'], texts: ['{addr}垃圾收集点满溢，需及时清运。', '{road}路边有暴露垃圾。'] },
    urban_management: { weight: 0.6, dl: '01', xl: '0101', name: '暴露垃圾', texts: ['{addr}路边垃圾堆积未清运', '{road}绿化带内暴露垃圾', '{addr}垃圾桶满溢，周边散落生活垃圾'] },
    enforcement: { weight: 0.25, code: '1006', name: '随意倾倒、抛撒生活垃圾', texts: ['{addr}发现有人随意倾倒生活垃圾。'] },
  },
  {
    key: 'streetlight',
    category: 'facility.streetlight',
    weight: 4,
    target: { road: true },
    hours: 'evening',
    urgentRate: 0.01,
    hotline: { weight: 0.75, flmc: '城乡建设-路灯照明', titles: ['路灯不亮', '路灯损坏'], texts: ['{addr}路灯损坏一周未修，夜间出行不便。', '{road}有几盏路灯不亮。'] },
    grid: { weight: 0.75, code: 'D05', name: '城乡管理-公共设施损坏', titles: ['路灯损坏'], texts: ['{addr}路灯不亮，灯杆倾斜。'] },
  },
  {
    key: 'road_damage',
    category: 'facility.road',
    weight: 3,
    target: { road: true },
    hours: 'day',
    urgentRate: 0.1,
    hotline: { weight: 0.7, flmc: '城乡建设-市政设施', titles: ['井盖缺失', '路面破损'], texts: ['{addr}井盖缺失，很危险。', '{road}路面塌陷一个大坑，车辆经过很危险。'] },
    grid: { weight: 0.7, code: 'D05', name: '城乡管理-公共设施损坏', titles: ['井盖破损', '路面坑洼'], texts: ['{addr}井盖破损，已设置临时警示。', '{road}路面破损坑洼。'] },
    urban_management: { weight: 0.55, dl: '06', xl: '0601', name: '井盖丢失', texts: ['{addr}雨水井盖缺失存在安全隐患', '{road}污水井盖破损下陷'] },
    enforcement: { weight: 0.2, code: '4002', name: '损坏市政设施', texts: ['{addr}市政设施被损坏。'] },
  },
  {
    key: 'stall',
    category: 'street.stall',
    weight: 5,
    target: { road: true },
    hours: 'morning',
    urgentRate: 0.01,
    hotline: { weight: 0.6, flmc: '城市管理-占道经营', titles: ['占道经营', '流动摊贩'], texts: ['{addr}路口早市摊贩占道经营，影响通行。', '{road}有人摆摊卖菜，堵塞人行道。'] },
    grid: { weight: 0.75, code: 'D02', name: '城乡管理-占道经营', titles: ['占道经营'], texts: ['{addr}流动摊贩占道经营，已劝离。', '{road}早市占道经营。'] },
    urban_management: { weight: 0.6, dl: '04', xl: '0401', name: '无照经营游商', texts: ['{addr}流动摊贩占道经营', '{road}人行道上有商贩摆摊卖菜'] },
    police_110: { weight: 0.12, code: 'FJW05', name: '占道经营', texts: ['报警人称{addr}有摊贩占道经营，堵塞通行。'] },
    enforcement: { weight: 0.6, code: '1001', name: '擅自占用城市道路摆摊设点', texts: ['当事人在{addr}擅自占用城市道路摆摊设点。'] },
  },
  {
    key: 'parking',
    category: 'street.parking',
    weight: 3,
    target: { road: true },
    hours: 'any',
    urgentRate: 0.02,
    hotline: { weight: 0.55, flmc: '城市管理-乱停车', titles: ['车辆乱停', '堵门停车'], texts: ['{addr}门口经常有车辆乱停，堵住出入口。', '{road}人行道上停满了车。'] },
    grid: { weight: 0.6, code: 'D06', name: '城乡管理-车辆乱停', titles: ['车辆乱停放'], texts: ['{addr}人行道车辆乱停放。'] },
    enforcement: { weight: 0.4, code: '1007', name: '违规停放机动车（人行道）', texts: ['{addr}人行道违规停放机动车。'] },
  },
  {
    key: 'open_burning',
    category: 'env.open_burning',
    weight: 2.5,
    target: { road: true, rural: true },
    hours: 'evening',
    urgentRate: 0.1,
    hotline: { weight: 0.5, flmc: '环境保护-秸秆焚烧', titles: ['露天焚烧', '焚烧秸秆'], texts: ['{addr}有人焚烧秸秆垃圾，烟很大。'] },
    grid: { weight: 0.7, code: 'C05', name: '环境污染-露天焚烧', titles: ['露天焚烧'], texts: ['{addr}发现露天焚烧垃圾，已扑灭。'] },
    environment: { weight: 0.45, code: 'DQ-05', type: '大气', texts: ['举报{addr}露天焚烧，浓烟滚滚。'] },
    enforcement: { weight: 0.25, code: '2005', name: '露天焚烧垃圾', texts: ['{addr}露天焚烧生活垃圾。'] },
  },
  {
    key: 'food_safety',
    category: 'food_drug.food',
    weight: 3,
    target: { places: ['restaurant'], subjectRequired: true },
    hours: 'evening',
    urgentRate: 0.05,
    hotline: { weight: 0.9, flmc: '市场监管-食品安全', titles: ['食品安全问题', '饭店卫生差'], texts: ['在{subj}吃饭后腹泻，怀疑食材不新鲜。', '{addr}{subj}后厨卫生很差，有老鼠。'] },
    grid: { weight: 0.4, code: 'F01', name: '食品药品-食品安全', titles: ['食品安全隐患'], texts: ['{subj}后厨卫生状况差，从业人员无健康证。'] },
  },
  {
    key: 'industrial_pollution',
    category: 'env.air',
    weight: 2.5,
    target: { places: ['factory'], subjectRequired: true },
    hours: 'night',
    urgentRate: 0.05,
    hotline: { weight: 0.55, flmc: '环境保护-大气污染', titles: ['工厂排放异味', '企业偷排废气'], texts: ['{subj}晚上偷排废气，气味刺鼻。', '{addr}附近工厂冒黑烟。'] },
    grid: { weight: 0.4, code: 'C03', name: '环境污染-废气异味', titles: ['企业废气异味'], texts: ['{subj}烟囱冒黑烟，周边有刺鼻气味。'] },
    environment: { weight: 0.85, code: 'DQ-01', type: '大气', texts: ['举报{subj}夜间偷排工业废气。', '反映{subj}（{addr}）废气治理设施未运行。'] },
  },
  {
    key: 'livestock_pollution',
    category: 'env.livestock',
    weight: 1.5,
    target: { places: ['factory', 'farmland'] },
    hours: 'day',
    urgentRate: 0.02,
    hotline: { weight: 0.4, flmc: '环境保护-水污染', titles: ['养殖污染'], texts: ['{addr}养殖场粪污直排，臭味很大。'] },
    grid: { weight: 0.6, code: 'C06', name: '环境污染-养殖污染', titles: ['养殖粪污'], texts: ['{subj}粪污随意堆放，未做防渗。'] },
    environment: { weight: 0.7, code: 'SH-03', type: '水', texts: ['举报{subj}畜禽养殖废水直排。'] },
  },
  {
    key: 'neighbour_dispute',
    category: 'dispute.neighbour',
    weight: 2.5,
    target: { places: ['residence'] },
    hours: 'evening',
    urgentRate: 0.05,
    hotline: { weight: 0.55, flmc: '矛盾纠纷-邻里纠纷', titles: ['邻里纠纷', '邻居纠纷'], texts: ['来电人反映{addr}邻居楼道堆放杂物，多次沟通无果，发生争吵。', '{addr}邻居家装修漏水到楼下，双方协商不成。'] },
    grid: { weight: 0.55, code: 'A01', name: '矛盾纠纷-邻里纠纷', titles: ['邻里纠纷'], texts: ['{addr}两户邻居因漏水问题发生纠纷，网格员已调解。', '{subj}住户与邻居因占用楼道发生争执。'] },
    police_110: { weight: 0.8, code: 'FJW02', name: '邻里纠纷', texts: ['报警人称与邻居因楼道堆放杂物发生争吵（{addr}），民警到场后移交属地调解。', '{addr}邻居家漏水到报警人家中，双方发生纠纷。'] },
  },
  {
    key: 'wage_arrears',
    category: 'dispute.wage',
    weight: 1.5,
    target: { places: ['worksite'] },
    hours: 'day',
    urgentRate: 0.1,
    hotline: { weight: 0.8, flmc: '劳动保障-拖欠工资', titles: ['拖欠农民工工资', '讨要工资'], texts: ['来电人反映在{subj}干活，包工头拖欠工资三个月未发。', '{addr}{subj}拖欠农民工工资，要求协调。'] },
    grid: { weight: 0.3, code: 'A02', name: '矛盾纠纷-劳资纠纷', titles: ['欠薪'], texts: ['{subj}工人聚集讨要工资。'] },
    police_110: { weight: 0.6, code: 'FJW04', name: '拖欠工资', texts: ['报警人称在{subj}务工，工资被拖欠，现场有十余名工人聚集。', '{addr}工地拖欠农民工工资三个月。'] },
  },
  {
    key: 'water_leak',
    category: 'emergency.waterlogging',
    weight: 2,
    target: { road: true },
    hours: 'any',
    urgentRate: 0.3,
    hotline: { weight: 0.8, flmc: '城乡建设-供排水', titles: ['供水管道漏水', '路面冒水'], texts: ['{addr}供水管道破裂，路面大量冒水。', '{road}地下水管漏水，水流到马路上结冰。'] },
    police_110: { weight: 0.6, code: 'FJW06', name: '供水管道漏水', texts: ['报警人称{addr}自来水管爆裂，水漫路面。', '{road}路边水管漏水，影响通行。'] },
  },
  {
    key: 'stacking',
    category: 'appearance.stacking',
    weight: 2.5,
    target: { road: true },
    hours: 'day',
    urgentRate: 0.01,
    grid: { weight: 0.65, code: 'D03', name: '城乡管理-乱堆乱放', titles: ['乱堆乱放'], texts: ['{addr}人行道上堆放建筑材料。', '{road}路边乱堆杂物。'] },
    urban_management: { weight: 0.85, dl: '01', xl: '0104', name: '乱堆物堆料', texts: ['{addr}人行道上堆放建筑材料', '{road}路边堆放杂物'] },
    enforcement: { weight: 0.25, code: '1003', name: '乱堆乱放、乱吊乱晒', texts: ['当事人在{addr}人行道上乱堆物料。'] },
  },
  {
    key: 'flyer',
    category: 'advert.flyer',
    weight: 2,
    target: { road: true },
    hours: 'any',
    urgentRate: 0.01,
    hotline: { weight: 0.3, flmc: '城市管理-乱张贴', titles: ['小广告'], texts: ['{addr}电线杆上贴满小广告。'] },
    grid: { weight: 0.6, code: 'D07', name: '城乡管理-小广告', titles: ['非法小广告'], texts: ['{addr}墙面喷涂办证小广告。', '{road}电线杆张贴小广告。'] },
    urban_management: { weight: 0.9, dl: '02', xl: '0201', name: '非法小广告', texts: ['{addr}电线杆上张贴小广告', '{road}墙面喷涂办证广告'] },
    enforcement: { weight: 0.15, code: '1004', name: '乱张贴、乱涂写、乱刻画', texts: ['{addr}有人乱张贴小广告。'] },
  },
  {
    key: 'signboard',
    category: 'advert.signboard',
    weight: 1.5,
    target: { places: ['shop', 'restaurant'] },
    hours: 'day',
    urgentRate: 0.1,
    hotline: { weight: 0.4, flmc: '城市管理-户外广告', titles: ['广告牌松动', '违规广告牌'], texts: ['{addr}{subj}门头广告牌松动，刮风时摇晃，怕掉下来砸人。', '{subj}擅自在人行道上立了一块大广告牌。'] },
    urban_management: { weight: 0.85, dl: '02', xl: '0203', name: '违规户外广告牌匾', texts: ['{subj}门头广告牌破损松动，存在坠落隐患', '{addr}{subj}擅自设置落地广告牌'] },
    enforcement: { weight: 0.35, code: '1005', name: '擅自设置户外广告', texts: ['当事人{subj}未经批准在{addr}擅自设置户外广告牌。'] },
  },
  {
    key: 'outside_shop',
    category: 'street.outside_shop',
    weight: 2,
    target: { places: ['shop', 'restaurant'] },
    hours: 'evening',
    urgentRate: 0.01,
    urban_management: { weight: 0.85, dl: '04', xl: '0403', name: '店外经营', texts: ['{subj}占用人行道经营', '{addr}{subj}店外摆桌经营'] },
    enforcement: { weight: 0.4, code: '1002', name: '店外经营', texts: ['当事人{subj}超出门窗在{addr}人行道上摆放桌椅经营。'] },
  },
  {
    key: 'public_hygiene',
    category: 'health.public_place',
    weight: 2,
    target: { places: ['entertainment', 'shop'], subjectRequired: true, industries: ['洗浴中心', 'KTV', '网吧', '理发店'] },
    hours: 'day',
    urgentRate: 0.02,
    hotline: { weight: 0.55, flmc: '卫生健康-公共场所卫生', titles: ['公共场所卫生差', '毛巾不消毒'], texts: ['来电人反映{subj}毛巾没有消毒，重复使用，卫生很差。', '{addr}{subj}拖鞋不消毒，担心传染皮肤病。'] },
    grid: { weight: 0.25, code: 'F02', name: '卫生健康-公共场所卫生', titles: ['公共场所卫生'], texts: ['{subj}未公示卫生许可证，卫生状况差。'] },
    health_inspection: { weight: 0.9, field: 'GGCS', texts: ['从业人员未取得有效健康合格证明', '公共用品用具未做到一客一换一消毒', '未公示卫生许可证和卫生信息', '未按规定开展空气、微小气候检测'] },
  },
];

/** Hour weights 0–23 for each profile. */
export const HOUR_PROFILES: Record<HourProfile, number[]> = {
  day: [0, 0, 0, 0, 0, 0, 1, 2, 5, 8, 9, 9, 6, 6, 8, 9, 9, 8, 5, 2, 1, 0, 0, 0],
  evening: [1, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 5, 4, 2, 2, 3, 6, 9, 10, 9, 7, 4, 2],
  night: [5, 3, 2, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 6, 8, 9, 8],
  morning: [0, 0, 0, 0, 1, 3, 8, 10, 9, 6, 4, 3, 2, 2, 2, 2, 3, 4, 5, 4, 2, 1, 0, 0],
  any: [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 4, 4, 5, 5, 5, 5, 5, 4, 3, 2, 2, 1],
};

/** Department handling each category family, as 12345 writes 承办单位. */
export const HANDLING_UNIT: Record<string, string> = {
  env: `市生态环境局${COUNTY.name}分局`,
  construction: `${COUNTY.name}综合行政执法局`,
  planning: `${COUNTY.name}综合行政执法局`,
  market: `${COUNTY.name}市场监督管理局`,
  safety: `${COUNTY.name}应急管理局`,
  land: `${COUNTY.name}自然资源局`,
  appearance: `${COUNTY.name}综合行政执法局`,
  facility: `${COUNTY.name}住房和城乡建设局`,
  street: `${COUNTY.name}综合行政执法局`,
  food_drug: `${COUNTY.name}市场监督管理局`,
  health: `${COUNTY.name}卫生健康委员会`,
  dispute: `${COUNTY.name}司法局`,
  advert: `${COUNTY.name}综合行政执法局`,
  emergency: `${COUNTY.name}住房和城乡建设局`,
};
