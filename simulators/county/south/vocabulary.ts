/**
 * Name pools of the second test county ("south" profile): a hilly county of the south (Gan/Hakka
 * country, Jiangxi–Hunan–Guangdong border). Written independently of simulators/county/names.ts:
 * other surnames and given names, other trades and shop words, other road and village names.
 */
import type { IndustrySpec } from '../names.js';

/** Surnames frequent in the south, in rough order of frequency (陈林黄 first, as in Fujian/Guangdong). */
export const SOUTH_SURNAMES = ['陈', '林', '黄', '李', '张', '刘', '吴', '罗', '曾', '邱', '钟', '谢', '廖', '赖', '温', '邓', '叶', '彭', '肖', '朱', '胡', '郭', '何', '卢', '欧阳', '汤', '龚', '袁', '蔡', '丘', '巫', '池', '戴', '凌', '刁', '古', '涂', '幸', '饶', '熊', '揭', '聂', '詹', '游', '官', '傅', '简', '阙', '甘', '兰'];

export const SOUTH_GIVEN = ['志辉', '国栋', '伟雄', '锦荣', '秀兰', '桂香', '春燕', '美玲', '建平', '水生', '金娣', '细妹', '满英', '冬生', '发财', '亮亮', '晓敏', '梓涵', '俊宇', '嘉怡', '思琪', '子豪', '宇航', '诗涵', '永红', '小华', '卫东', '火根', '木生', '石龙', '银凤', '观娣', '振宇', '家豪', '惠珍', '丽萍', '德福', '昌盛', '文清', '荣华'];

/** 字号 of southern shops and companies. */
export const SOUTH_TRADES = ['客家', '赣南', '章贡', '翠微', '梅岭', '宝华', '聚源', '盛丰', '锦江', '东湖', '仙鹤', '福寿', '长兴', '汇丰', '富华', '益康', '恒昌', '合兴', '广隆', '永发', '嘉旺', '百利', '宏图', '金穗', '稻香', '茶乡', '竹源', '桔都', '脐橙', '围屋', '红都', '井冈', '罗霄', '章江', '贡水', '桃江', '濂溪', '九连', '丹霞', '振华', '联发', '裕丰', '源兴', '新兴', '顺景', '和记', '四海', '万福', '鸿发', '骏业'];

export const SOUTH_ROAD_WORDS = ['中山', '人民', '解放', '沿江', '府前', '青云', '文昌', '红旗', '建设', '长征', '健康', '阳明', '濂溪', '章江', '贡江', '翠微', '桔园', '果都', '工业', '站前', '滨江', '环城', '东门', '南门', '西门', '北门', '新华', '光明', '和平', '兴国', '文峰', '凤凰', '金山', '银湖', '梅林', '樟树', '竹园', '茶亭', '水南', '城北'];
export const SOUTH_ROAD_SUFFIXES = ['路', '大道', '街', '巷', '北路', '南路', '一路', '二路', '大街'];

export const SOUTH_COMPOUNDS = ['碧桂园', '江南名府', '翠湖苑', '万豪花园', '滨江一号', '恒大名都', '锦绣华庭', '嘉福花园', '阳光水岸', '金色家园', '桃源居', '书香门第', '状元府', '龙湾半岛', '世纪城', '东方明珠苑', '御景湾', '紫荆园', '橘香苑', '客家围屋小区'];

export const SOUTH_COMMUNITIES = ['东门', '南门', '西门', '北门', '城南', '城北', '水南', '河东', '站前', '府前', '文峰', '青云', '凤凰', '桔园', '工业园', '滨江', '红旗', '解放', '长征', '建设', '新城', '龙湾', '章江', '阳明', '濂溪', '金山', '银湖', '翠微', '梅林', '和平', '健康', '光明', '茶亭', '樟树'];
export const SOUTH_VILLAGES = ['樟树下', '塘背', '枫林', '石桥', '大坪', '上坪', '下洞', '坑口', '围子', '水口', '竹山', '茶园', '龙岗', '黄竹坑', '长坑', '田心', '新屋下', '老屋场', '杨梅坑', '禾坪', '排上', '岭背', '河坝', '社背', '坳下', '圳头', '墟上', '桥头', '寨下', '洋田'];

export const SOUTH_RESTAURANTS: IndustrySpec[] = [
  { full: '米粉店', core: '米粉', enterprise: '餐饮', scope: '餐饮服务；小吃' },
  { full: '大排档', core: '大排档', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '烧腊店', core: '烧腊', enterprise: '餐饮', scope: '餐饮服务；熟食' },
  { full: '客家菜馆', core: '客家菜', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '擂茶馆', core: '擂茶', enterprise: '餐饮', scope: '饮品店经营' },
  { full: '肠粉店', core: '肠粉', enterprise: '餐饮', scope: '餐饮服务；小吃' },
  { full: '鱼头馆', core: '鱼头', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '夜宵店', core: '夜宵', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '螺蛳粉店', core: '螺蛳粉', enterprise: '餐饮', scope: '餐饮服务；小吃' },
  { full: '糖水铺', core: '糖水', enterprise: '餐饮', scope: '饮品店经营' },
];

export const SOUTH_SHOPS: IndustrySpec[] = [
  { full: '便利店', core: '便利店', enterprise: '商贸', scope: '食品销售；日用百货' },
  { full: '超市', core: '超市', enterprise: '商贸', scope: '日用百货、食品销售' },
  { full: '茶叶店', core: '茶叶', enterprise: '茶业', scope: '茶叶零售' },
  { full: '脐橙批发部', core: '脐橙', enterprise: '果业', scope: '水果批发零售' },
  { full: '摩托车维修店', core: '摩托维修', enterprise: '车辆服务', scope: '摩托车维修' },
  { full: '电动车行', core: '电动车', enterprise: '车辆销售', scope: '电动自行车销售' },
  { full: '五金水暖店', core: '五金水暖', enterprise: '五金建材', scope: '五金水暖器材销售' },
  { full: '药房', core: '药房', enterprise: '医药', scope: '药品零售' },
  { full: '发廊', core: '发廊', enterprise: '美容美发', scope: '理发服务' },
  { full: '农资店', core: '农资', enterprise: '农资', scope: '化肥、农药、种子销售' },
  { full: '烟酒商行', core: '烟酒', enterprise: '商贸', scope: '烟草制品零售；酒类零售' },
];

export const SOUTH_ENTERTAINMENT: IndustrySpec[] = [
  { full: 'KTV', core: 'KTV', enterprise: '娱乐', scope: '歌舞娱乐活动' },
  { full: '网咖', core: '网咖', enterprise: '网络科技', scope: '互联网上网服务' },
  { full: '麻将馆', core: '麻将馆', enterprise: '休闲娱乐', scope: '棋牌室服务' },
  { full: '足浴店', core: '足浴', enterprise: '保健服务', scope: '足浴服务' },
];

export const SOUTH_FACTORIES: IndustrySpec[] = [
  { full: '稀土分离厂', core: '稀土', enterprise: '稀土材料', scope: '稀土分离加工' },
  { full: '家具厂', core: '家具', enterprise: '家具制造', scope: '家具制造' },
  { full: '陶瓷厂', core: '陶瓷', enterprise: '陶瓷', scope: '陶瓷制品制造' },
  { full: '竹木制品厂', core: '竹木', enterprise: '竹木制品', scope: '竹木制品加工' },
  { full: '电子厂', core: '电子', enterprise: '电子科技', scope: '电子元器件制造' },
  { full: '脐橙包装厂', core: '果品包装', enterprise: '果业', scope: '水果分选包装' },
  { full: '采石场', core: '采石', enterprise: '石材', scope: '建筑用石开采' },
  { full: '生猪养殖场', core: '养殖场', enterprise: '牧业', scope: '生猪饲养' },
  { full: '水泥制品厂', core: '水泥制品', enterprise: '建材', scope: '水泥制品制造' },
];

export const SOUTH_COMPANY_INDUSTRIES = ['商贸', '电子商务', '果业', '茶业', '物流', '建筑劳务', '装饰工程', '文化传媒', '旅游开发', '稀土材料', '农业开发', '生态农业', '物业管理', '家居', '供应链管理'];
export const SOUTH_PROJECTS = ['安置小区', '棚户区改造', '城南学校', '人民医院门诊楼', '滨江商业综合体', '市政排水改造', '农贸市场提升改造', '客家文化公园', '高速连接线', '工业园标准厂房'];
export const SOUTH_COOPERATIVES = ['脐橙种植', '油茶种植', '生猪养殖', '蔬菜种植', '白莲种植', '烟叶种植', '竹木经营', '蜜蜂养殖'];

/** Shape-alike characters (形近字): typed by handwriting input or copied from a bad scan. */
export const SHAPE_ALIKE: Record<string, string[]> = {
  己: ['已', '巳'], 未: ['末'], 土: ['士'], 今: ['令'], 侯: ['候'], 晴: ['睛'], 辨: ['辩'], 宾: ['滨'], 榕: ['蓉'], 汇: ['江'],
  兴: ['兰'], 丰: ['干'], 华: ['毕'], 发: ['友'], 记: ['纪'], 陈: ['阵'], 林: ['材'], 杨: ['扬'], 锦: ['绵'], 福: ['褔'],
  客: ['容'], 茶: ['荼'], 粉: ['份'], 店: ['庄'], 鱼: ['渔'], 烧: ['浇'], 腊: ['蜡'], 批: ['比'], 排: ['俳'], 档: ['挡'],
  荣: ['菜'], 盛: ['威'], 源: ['原'], 昌: ['冒'], 富: ['畐'], 永: ['水'], 聚: ['娶'], 顺: ['须'], 万: ['方'], 宏: ['宠'],
};
/** Sound-alike characters (同音/近音字, wrong IME candidate; southern speakers also confuse n/l and -n/-ng). */
export const SOUND_ALIKE: Record<string, string[]> = {
  陈: ['程', '成'], 林: ['玲', '琳'], 黄: ['王', '皇'], 刘: ['流', '牛'], 罗: ['螺'], 曾: ['增'], 钟: ['中'], 谢: ['协'], 赖: ['来'],
  米: ['迷'], 粉: ['份'], 腊: ['蜡'], 茶: ['查'], 档: ['当'], 饭: ['范'], 馆: ['官'], 店: ['电'], 超: ['潮'], 市: ['是'],
  兴: ['星', '新'], 隆: ['龙'], 旺: ['望'], 发: ['法'], 华: ['化'], 源: ['元'], 锦: ['金'], 江: ['将'], 福: ['幅'], 宏: ['洪'],
  客: ['可'], 家: ['嘉'], 记: ['计'], 盛: ['胜'], 聚: ['巨'], 南: ['兰'], 宁: ['陵'], 年: ['连'],
};
/** Simplified → traditional, for shop signs and old-style writers (陳記燒臘). */
export const TRADITIONAL: Record<string, string> = {
  陈: '陳', 记: '記', 烧: '燒', 腊: '臘', 发: '發', 兴: '興', 华: '華', 荣: '榮', 东: '東', 汇: '匯', 丰: '豐', 顺: '順', 鱼: '魚',
  馆: '館', 面: '麵', 杂: '雜', 货: '貨', 电: '電', 车: '車', 药: '藥', 广: '廣', 业: '業', 楼: '樓', 号: '號', 门: '門', 湾: '灣',
  刘: '劉', 黄: '黃', 罗: '羅', 钟: '鍾', 谢: '謝', 赖: '賴', 邓: '鄧', 叶: '葉', 龙: '龍', 宝: '寶', 汤: '湯', 锦: '錦', 园: '園',
};
/** Syllable initials of common characters, for signs and notes written as pinyin initials (CJ米粉 = 陈记米粉). */
export const LANDMARK_WORDS = ['超市对面', '便利店旁边', '农商银行隔壁', '加油站斜对面', '卫生院对面', '小学门口', '菜市场后面', '老供销社旁', '移动营业厅楼上', '桥头'];
