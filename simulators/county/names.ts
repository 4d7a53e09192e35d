/** Name pools for the demo county (Ordos-like: Han and Mongolian names side by side). */

export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '田', '董', '袁', '潘', '蒋', '蔡', '余', '杜', '叶', '程', '魏', '苏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金', '石', '廖', '贾', '夏', '韦', '付', '方', '白', '邹', '孟', '熊', '秦', '邱', '江', '尹', '薛', '闫', '段', '雷', '侯', '龙', '史', '陶', '黎', '贺', '顾', '毛', '郝', '龚', '邵', '万', '钱', '严', '覃', '武', '戴', '莫', '孔', '向', '汤', '乌', '包', '奇', '康', '鲍', '云', '那'];

export const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '华', '玉兰', '建国', '建华', '志强', '海燕', '晓东', '亚楠', '文博', '子轩', '浩然', '雨涵', '欣怡', '思远', '国庆', '建军', '春梅', '桂兰', '凤英', '宏伟', '俊杰', '志刚', '金花', '红梅', '永平', '振华', '利军', '晓燕', '丹', '鹏', '飞', '斌', '宇', '博', '鑫', '瑞', '婷', '雪'];

/** Mongolian given names used alone (no Han surname), as on many Ordos ID cards. */
export const MONGOLIAN_NAMES = ['巴特尔', '其其格', '乌云', '斯琴高娃', '格日乐', '苏和', '额尔敦', '宝音', '朝鲁', '乌兰', '那日苏', '萨仁', '图雅', '阿拉坦', '毕力格', '满都拉', '乌日娜', '巴图', '敖特根', '阿古拉', '哈斯', '孟和', '吉日嘎拉', '乌力吉', '塔娜', '达来', '布和', '呼和', '伊拉图', '青格勒'];

/** Trade names (字号) for enterprises and shops. */
export const TRADE_NAMES = ['鑫源', '宏达', '恒泰', '金鼎', '福瑞', '兴旺', '顺达', '华盛', '永盛', '天宇', '瑞丰', '博远', '嘉禾', '众诚', '隆泰', '祥和', '鼎盛', '万家', '富民', '安泰', '广源', '德胜', '吉祥', '蒙源', '草原', '敖包', '黄河', '库布其', '利民', '汇通', '聚福', '东方', '金马', '银河', '宝丰', '丰源', '鸿运', '亿达', '荣盛', '盛达', '恒通', '佳和', '新世纪', '天成', '诚信', '明珠', '金泰', '长城', '阳光', '蓝天', '绿源', '沙漠之舟', '骏马', '苍狼', '白云', '金沙', '银沙', '鄂托克', '伊泰', '君正', '瑞祥', '泰和', '通达', '正阳', '北方', '塞北', '塞上', '河套', '昌盛', '旭日', '腾飞', '卓越', '鼎立', '鸿福', '瑞和', '百顺', '万通', '金牛', '神州', '新源', '元亨', '利丰', '宏远', '晟达', '锦华', '昊天', '凯达', '泓源', '立信', '广达'];

export const ROAD_PREFIXES = ['团结', '文化', '乌兰', '振兴', '伊克昭', '锡尼', '民族', '建设', '迎宾', '幸福', '育才', '园丁', '新华', '光明', '朝阳', '北环', '南环', '工业', '商贸', '金融', '阿斯尔', '杭锦', '和平', '友谊', '滨河', '体育', '人民', '青年', '银河', '草原', '那达慕', '敖包', '胜利', '解放', '永安', '长青', '兴业', '学府', '康乐', '安居', '富强', '创业', '新村', '龙泉', '东风', '西园', '金桥', '红旗', '白塔', '查干'];
export const ROAD_SUFFIXES = ['路', '街', '大街', '巷', '东路', '西路', '北街', '南巷'];

export const COMPOUND_NAMES = ['阳光', '幸福', '锦绣', '金地', '盛世', '和谐', '康居', '翠苑', '新城', '丽景', '东方', '华府', '御景', '书香', '铂金', '世纪', '颐和', '金色', '怡和', '嘉园'];
export const COMPOUND_SUFFIXES = ['小区', '家园', '花园', '苑', '名居'];

export const COMMUNITY_NAMES = ['朝阳', '文化', '团结', '振兴', '新华', '建设', '和平', '幸福', '光明', '民族', '兴旺', '繁荣', '育才', '怡园', '阳光', '银河', '迎宾', '金桥', '滨河', '康宁', '祥和', '安康', '北苑', '南苑', '东城', '西城', '中心', '新区', '花园', '锦绣', '明珠', '长青', '绿洲', '南湖', '北湖'];
export const GACHA_NAMES = ['巴音', '乌兰', '查干', '阿拉腾', '宝日', '哈达图', '敖包', '呼和', '塔拉', '额尔敦', '朝格图', '布日都', '乌素图', '希热', '哈日', '额尔和图', '毛布拉', '道图', '锡尼布拉格', '新召', '陶亥', '图古日格', '乌兰陶勒盖', '宝日陶勒盖', '查汗淖', '巴音乌苏', '呼和陶勒盖', '阿日善', '浩勒报吉', '乌兰乌苏'];
export const CUN_NAMES = ['新民', '红星', '永丰', '联合', '胜利', '东升', '前进', '太平', '富民', '兴隆', '光荣', '先锋', '双河', '团结', '和胜', '丰收', '民主', '公益', '新胜', '建华', '永胜', '复兴', '兴盛', '长胜'];

export interface IndustrySpec {
  /** As written in a registered name: 烧烤店, 面馆, 超市. */
  full: string;
  /** Core without the shop word: 烧烤, 面馆, 超市 (what people say). */
  core: string;
  /** Enterprise industry word: 餐饮, 商贸. */
  enterprise: string;
  scope: string;
}

export const RESTAURANT_INDUSTRIES: IndustrySpec[] = [
  { full: '烧烤店', core: '烧烤', enterprise: '餐饮', scope: '餐饮服务；烧烤' },
  { full: '火锅店', core: '火锅', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '面馆', core: '面馆', enterprise: '餐饮', scope: '餐饮服务；小吃' },
  { full: '饺子馆', core: '饺子', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '羊肉馆', core: '羊肉馆', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '川菜馆', core: '川菜', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '快餐店', core: '快餐', enterprise: '餐饮', scope: '餐饮服务；快餐' },
  { full: '奶茶店', core: '奶茶', enterprise: '餐饮', scope: '饮品店经营' },
  { full: '蒙餐馆', core: '蒙餐', enterprise: '餐饮', scope: '餐饮服务；民族特色餐饮' },
  { full: '手把肉馆', core: '手把肉', enterprise: '餐饮', scope: '餐饮服务' },
  { full: '麻辣烫店', core: '麻辣烫', enterprise: '餐饮', scope: '餐饮服务；小吃' },
  { full: '炸鸡店', core: '炸鸡', enterprise: '餐饮', scope: '餐饮服务' },
];

export const SHOP_INDUSTRIES: IndustrySpec[] = [
  { full: '超市', core: '超市', enterprise: '商贸', scope: '日用百货、食品销售' },
  { full: '便利店', core: '便利店', enterprise: '商贸', scope: '食品销售；日用百货' },
  { full: '五金店', core: '五金', enterprise: '五金建材', scope: '五金交电、建材销售' },
  { full: '服装店', core: '服装', enterprise: '服饰', scope: '服装鞋帽零售' },
  { full: '理发店', core: '理发', enterprise: '美容美发', scope: '理发及美容服务' },
  { full: '烟酒店', core: '烟酒', enterprise: '商贸', scope: '烟草制品零售；酒类零售' },
  { full: '水果店', core: '水果', enterprise: '果蔬', scope: '水果蔬菜零售' },
  { full: '手机店', core: '手机', enterprise: '通讯器材', scope: '通讯设备销售' },
  { full: '建材店', core: '建材', enterprise: '建材', scope: '建筑材料销售' },
  { full: '药店', core: '药店', enterprise: '医药', scope: '药品零售' },
  { full: '汽修店', core: '汽修', enterprise: '汽车服务', scope: '机动车维修' },
  { full: '洗车店', core: '洗车', enterprise: '汽车服务', scope: '洗车服务' },
  { full: '农资店', core: '农资', enterprise: '农资', scope: '化肥、农药、种子销售' },
  { full: '粮油店', core: '粮油', enterprise: '粮油', scope: '粮油零售' },
];

export const ENTERTAINMENT_INDUSTRIES: IndustrySpec[] = [
  { full: 'KTV', core: 'KTV', enterprise: '娱乐', scope: '歌舞娱乐活动' },
  { full: '网吧', core: '网吧', enterprise: '网络科技', scope: '互联网上网服务' },
  { full: '棋牌室', core: '棋牌室', enterprise: '休闲娱乐', scope: '棋牌室服务' },
  { full: '酒吧', core: '酒吧', enterprise: '餐饮娱乐', scope: '酒吧服务' },
  { full: '洗浴中心', core: '洗浴', enterprise: '洗浴服务', scope: '洗浴服务' },
];

export const FACTORY_INDUSTRIES: IndustrySpec[] = [
  { full: '建材厂', core: '建材厂', enterprise: '建材', scope: '新型建材制造' },
  { full: '化工厂', core: '化工', enterprise: '化工', scope: '化工产品生产（不含危险化学品）' },
  { full: '煤炭公司', core: '煤炭', enterprise: '煤炭', scope: '煤炭洗选、销售' },
  { full: '砂石场', core: '砂石', enterprise: '砂石', scope: '砂石开采、销售' },
  { full: '机械加工厂', core: '机械加工', enterprise: '机械制造', scope: '机械零部件加工' },
  { full: '食品厂', core: '食品', enterprise: '食品', scope: '食品生产' },
  { full: '羊绒制品厂', core: '羊绒', enterprise: '羊绒制品', scope: '羊绒制品加工' },
  { full: '木材加工厂', core: '木材', enterprise: '木业', scope: '木材加工' },
  { full: '砖厂', core: '砖厂', enterprise: '新型墙材', scope: '烧结砖制造' },
  { full: '养殖场', core: '养殖场', enterprise: '牧业', scope: '牲畜饲养' },
];

export const COMPANY_INDUSTRIES = ['商贸', '科技', '物流', '文化传媒', '农牧业', '建筑工程', '劳务服务', '运输', '餐饮管理', '房地产开发', '矿业', '新能源', '环保科技', '信息咨询', '商务服务', '旅游开发', '物业服务', '农业开发', '装饰工程', '电子商务'];

export const WORKSITE_PROJECTS = ['住宅楼', '商住楼', '综合楼', '市政道路改造', '老旧小区改造', '学校教学楼', '医院住院楼', '供热管网改造', '污水管网', '农贸市场改造', '体育馆', '物流园', '光伏电站', '安置房'];

export const COOPERATIVE_TRADES = ['种植', '养殖', '农机', '肉羊养殖', '玉米种植', '蔬菜种植', '中药材种植', '沙棘种植'];

export const LAND_TYPES = ['耕地', '永久基本农田', '草地', '林地'] as const;
