import { describe, it, expect } from 'vitest';
import { cleanText, normaliseCode, normaliseName, looksLikeInjection } from '../../../core/normalise/text.js';
import { ValidationError } from '../../../core/errors.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).message;
  }
  throw new Error('expected a ValidationError');
}

describe('cleanText', () => {
  const f = { field: 'e.description' };

  it('trims, collapses spaces, converts full-width and no-break spaces and tabs', () => {
    expect(cleanText('  路灯\u3000\u3000不亮   了\t\t请处理  ', f)).toBe('路灯 不亮 了 请处理');
    expect(cleanText('a\u00A0b\u2003c', f)).toBe('a b c');
  });

  it('removes control characters but keeps newlines, normalising CRLF', () => {
    expect(cleanText('第一行\r\n第二行\r第三行\u0000\u0007\u001B\u007F\u0085', f)).toBe('第一行\n第二行\n第三行');
    expect(cleanText('行一  \n   行二', f)).toBe('行一\n行二');
    expect(cleanText('\uFEFF路灯\u200B不亮', f)).toBe('路灯不亮');
  });

  it('does not apply NFKC to free text', () => {
    expect(cleanText('（已处理）ＡＢＣ１２３，谢谢！', f)).toBe('（已处理）ＡＢＣ１２３，谢谢！');
  });

  it('keeps injection-looking strings unchanged: they are data', () => {
    const text = "Robert'); DROP TABLE students;-- <script>alert(1)</script>";
    expect(cleanText(text, f)).toBe(text);
  });

  it('returns null for missing optional values, and rejects missing required ones', () => {
    expect(cleanText(undefined, f)).toBeNull();
    expect(cleanText(null, f)).toBeNull();
    expect(cleanText(' \u3000\t ', f)).toBeNull();
    expect(messageOf(() => cleanText('', { ...f, required: true }))).toMatch(/required/);
    expect(messageOf(() => cleanText('\u3000', { ...f, required: true }))).toMatch(/必填/);
  });

  it('turns numbers into text and rejects objects', () => {
    expect(cleanText(12345, f)).toBe('12345');
    expect(() => cleanText({ a: 1 }, f)).toThrow(ValidationError);
    expect(() => cleanText(['a'], f)).toThrow(/a list/);
  });

  it('enforces maxLength in characters and says the length and the limit', () => {
    expect(cleanText('一二三四五', { ...f, maxLength: 5 })).toBe('一二三四五');
    expect(cleanText('𠮷𠮷𠮷', { ...f, maxLength: 3 })).toBe('𠮷𠮷𠮷'); // astral characters count once
    const msg = messageOf(() => cleanText('一二三四五六', { ...f, maxLength: 5 }));
    expect(msg).toContain('6 characters');
    expect(msg).toContain('limit is 5');
    // the limit applies after cleaning
    expect(cleanText('  一二三  ', { ...f, maxLength: 3 })).toBe('一二三');
  });

  it('rejects replacement characters as a decoding error', () => {
    const msg = messageOf(() => cleanText('路灯\uFFFD\uFFFD不亮', f));
    expect(msg).toContain('疑似编码错误');
    expect(msg).toContain('GBK read as UTF-8');
    expect(() => cleanText('锟斤拷锟斤拷', f)).toThrow(/编码错误/);
  });

  it('rejects runs of "?" that signal lost characters, but not ordinary question marks', () => {
    expect(() => cleanText('???????', f)).toThrow(/编码错误/);
    expect(() => cleanText('??路???????', f)).toThrow(/编码错误/);
    expect(() => cleanText('反映???的问题', f)).toThrow(/编码错误/);
    expect(cleanText('怎么还没修好???', f)).toBe('怎么还没修好???');
    expect(cleanText('为什么? 请回复', f)).toBe('为什么? 请回复');
    expect(cleanText('真的吗？？？还要等多久', f)).toBe('真的吗？？？还要等多久');
  });
});

describe('normaliseCode', () => {
  it('applies NFKC and removes whitespace', () => {
    expect(normaliseCode('ＺＪ－２０２６（０１）')).toBe('ZJ-2026(01)');
    expect(normaliseCode(' 330106 001\u3000001 ')).toBe('330106001001');
    expect(normaliseCode('\uFEFFab\u200Bc')).toBe('abc');
  });

  it('keeps case', () => {
    expect(normaliseCode('abC')).toBe('abC');
  });

  it('rejects misdecoded codes', () => {
    expect(() => normaliseCode('33?106', 'e.code')).toThrow(ValidationError);
    expect(() => normaliseCode('\uFFFD')).toThrow(/编码错误/);
  });
});

describe('normaliseName', () => {
  it.each([
    ['张 三', '张三'],
    ['  张三  ', '张三'],
    ['阿依古丽•买买提', '阿依古丽·买买提'],
    ['阿依古丽・买买提', '阿依古丽·买买提'],
    ['阿依古丽.买买提', '阿依古丽·买买提'],
    ['阿依古丽 · 买买提', '阿依古丽·买买提'],
    ['杭州某某科技有限公司（分公司）', '杭州某某科技有限公司(分公司)'],
    ['ＡＢＣ科技', 'ABC科技'],
    ['John  Smith', 'John Smith'],
    ['A.B. Trading', 'A.B. Trading'],
    ['𠮷野家', '𠮷野家'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseName(raw)).toBe(expected);
  });

  it('rejects names with lost characters', () => {
    expect(messageOf(() => normaliseName('张?', 'p.name'))).toContain('疑似编码错误');
    expect(() => normaliseName('李\uFFFD')).toThrow(ValidationError);
  });
});

describe('looksLikeInjection', () => {
  it.each([
    ["' OR '1'='1", /SQL injection/],
    ['admin\' --', /SQL comment/],
    ["1'; DROP TABLE users; --", /SQL/],
    ["x' UNION SELECT password FROM users", /SQL/],
    ['"; delete from events where 1=1', /SQL/],
    ["1' and sleep(5)#", /SQL/],
    ['<script>alert(1)</script>', /<script>/],
    ['< SCRIPT src=//evil>', /<script>/],
    ['<a href="javascript:alert(1)">x</a>', /javascript:/],
    ['<img src=x onerror=alert(1)>', /event handler/],
  ])('flags %s', (text, reason) => {
    expect(looksLikeInjection(text)).toMatch(reason);
  });

  it.each([
    '小区门口路灯不亮，请尽快处理',
    "It's broken and nobody came",
    '请选择(select)一个时间，从(from)周一开始',
    '邻居说: "我不知道" or something like that',
    'update: the drain was fixed',
    '反映人要求回电 -- 谢谢',
    '',
  ])('does not flag ordinary text: %s', (text) => {
    expect(looksLikeInjection(text)).toBeNull();
  });
});
