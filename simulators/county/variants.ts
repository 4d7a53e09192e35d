/**
 * How the same name, address or code comes out differently in different department systems: typed by
 * different people, on different keyboards, with or without the region, full-width or half-width.
 */
import type { Rng } from './random.js';

/** Homophones and look-alikes that typists confuse (拼音输入法 picks the wrong candidate). */
const CONFUSABLE: Record<string, string[]> = {
  烧: ['稍', '绍'],
  烤: ['考', '拷'],
  餐: ['参'],
  馆: ['管', '官'],
  店: ['点'],
  超: ['朝'],
  鑫: ['新', '欣'],
  源: ['元', '园'],
  宏: ['洪', '红'],
  达: ['大'],
  隆: ['龙'],
  华: ['花'],
  记: ['纪', '计'],
  汽: ['气'],
  修: ['休'],
  理: ['里'],
  发: ['法'],
  五: ['伍'],
  金: ['今', '津'],
  建: ['健', '见'],
  材: ['才', '财'],
  商: ['尚'],
  贸: ['茂'],
  盛: ['胜', '圣'],
  泰: ['太'],
  福: ['付', '富'],
  瑞: ['锐'],
  祥: ['详'],
  旺: ['望'],
  顺: ['舜'],
  锅: ['过'],
  面: ['麵'],
  羊: ['洋', '阳'],
  肉: ['柔'],
  铺: ['浦'],
  王: ['汪'],
  张: ['章'],
  李: ['里'],
  刘: ['留'],
  陈: ['程'],
  杨: ['扬'],
  赵: ['照'],
  黄: ['皇'],
  吴: ['武'],
  利: ['力'],
  民: ['明'],
  东: ['冬'],
  佳: ['家'],
  嘉: ['佳'],
  德: ['得'],
  诚: ['成', '城'],
  通: ['同'],
  汇: ['会'],
  聚: ['巨'],
  天: ['田'],
  宇: ['雨'],
  丰: ['风', '峰'],
  安: ['按'],
  业: ['叶'],
  农: ['浓'],
  牧: ['木'],
  砂: ['沙'],
  石: ['实'],
  厂: ['场'],
  化: ['话'],
  工: ['公'],
  煤: ['媒'],
  炭: ['碳'],
  网: ['旺'],
  吧: ['巴'],
  棋: ['旗'],
  牌: ['排'],
  室: ['市'],
  物: ['务'],
  流: ['留'],
  科: ['可'],
  技: ['记'],
  药: ['要'],
  房: ['方'],
  服: ['福'],
  装: ['庄'],
  饺: ['角'],
  辣: ['腊'],
  麻: ['马'],
  炸: ['扎'],
  鸡: ['机'],
  奶: ['乃'],
  茶: ['查'],
};

/** Replace one character by a confusable one; unchanged when none is confusable. */
export function typo(rng: Rng, text: string): string {
  const chars = Array.from(text);
  const positions = chars.map((c, i) => (CONFUSABLE[c] ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return text;
  const i = rng.pick(positions);
  chars[i] = rng.pick(CONFUSABLE[chars[i] as string] as string[]);
  return chars.join('');
}

const FULL_WIDTH_PUNCT: Record<string, string> = { '(': '（', ')': '）', '-': '－', '#': '＃', ',': '，', ' ': '\u3000' };

/** ASCII digits, letters and brackets → full-width forms (what a Chinese IME in full-width mode types). */
export function toFullWidth(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) out += String.fromCharCode(c + 0xfee0);
    else out += FULL_WIDTH_PUNCT[ch] ?? ch;
  }
  return out;
}

/** Only the brackets become full-width: 王记烧烤(锡尼店) → 王记烧烤（锡尼店）. */
export function fullWidthBrackets(text: string): string {
  return text.replace(/\(/g, '（').replace(/\)/g, '）');
}

const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 1–99 in Chinese numerals (十二, 二十三). */
export function chineseNumber(n: number): string {
  if (n <= 10) return CN_DIGITS[n] as string;
  if (n < 20) return `十${CN_DIGITS[n - 10]}`;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${CN_DIGITS[tens]}十${ones ? CN_DIGITS[ones] : ''}`;
}

/** A USCC as people and spreadsheets write it: mostly as is, sometimes lower-case, spaced or full-width. */
export function usccVariant(rng: Rng, code: string): string {
  return rng.weighted<(c: string) => string>([
    [(c) => c, 0.86],
    [(c) => c.toLowerCase(), 0.05],
    [(c) => `${c.slice(0, 6)} ${c.slice(6, 12)} ${c.slice(12)}`, 0.03],
    [(c) => ` ${c}`, 0.03],
    [toFullWidth, 0.03],
  ])(code);
}

/** A resident ID as typed: sometimes with a lower-case x or full-width digits. */
export function residentIdVariant(rng: Rng, id: string): string {
  if (id.endsWith('X') && rng.chance(0.3)) return id.slice(0, 17) + 'x';
  if (rng.chance(0.03)) return toFullWidth(id);
  return id;
}

/** A mobile number in one of the formats people write. */
export function phoneVariant(rng: Rng, n: string): string {
  return rng.weighted<(x: string) => string>([
    [(x) => x, 0.7],
    [(x) => `${x.slice(0, 3)} ${x.slice(3, 7)} ${x.slice(7)}`, 0.1],
    [(x) => `${x.slice(0, 3)}-${x.slice(3, 7)}-${x.slice(7)}`, 0.08],
    [(x) => `+86${x}`, 0.06],
    [(x) => `+86-${x}`, 0.03],
    [toFullWidth, 0.03],
  ])(n);
}
