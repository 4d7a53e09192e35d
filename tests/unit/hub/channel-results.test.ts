/** What a reporting channel is told about its own record after its matter changed under it (merge, split after closure). */
import { describe, expect, it } from 'vitest';
import { noticeFor, type Told } from '../../../hub/ops/channel-results.js';

const closedA = { id: '1', status: 'CLOSED', result: '已清运' };
const openA = { id: '1', status: 'IN_PROGRESS', result: null };
const closedB = { id: '2', status: 'CLOSED', result: '已整改' };
const told = (matterId: string, result: string | null, state: Told['told'] = 'closed'): Told => ({ matterId, told: state, result });

describe('noticeFor', () => {
  it('a channel that holds the result of its record’s closed matter hears nothing again', () => {
    expect(noticeFor(closedA, told('1', '已清运'))).toBeNull();
  });
  it('a record that joined a closed matter gets its result once', () => {
    expect(noticeFor(closedA, null)).toBe('RESULT');
    expect(noticeFor(closedA, told('1', '已清运'))).toBeNull(); // after it was sent
  });
  it('a record whose closed matter went into another closed matter gets that matter’s result', () => {
    expect(noticeFor(closedB, told('1', '已清运'))).toBe('RESULT');
  });
  it('a record moved to an open matter, after its result went out, hears that it is open again — once', () => {
    expect(noticeFor(openA, told('1', '已清运'))).toBe('REOPEN');
    expect(noticeFor(openA, told('1', null, 'reopened'))).toBeNull();
  });
  it('a record never told a result hears nothing while its matter is open', () => {
    expect(noticeFor(openA, null)).toBeNull();
  });
  it('told it was reopened, then its matter closes: the result', () => {
    expect(noticeFor(closedA, told('1', null, 'reopened'))).toBe('RESULT');
  });
  it('a result changed since (closed again with another result): the new one', () => {
    expect(noticeFor({ ...closedA, result: '已再次清运' }, told('1', '已清运'))).toBe('RESULT');
  });
});
