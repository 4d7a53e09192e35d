/**
 * Personal data through the real API on a real PostgreSQL: masked by default on every route that
 * returns free text; unmasking needs the grant and a purpose and is written to the audit log
 * (who, what, when, why, from where) before the data is shown; auditors read the log; the log
 * refuses updates, and a row altered or removed behind the trigger's back is detected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../../hub/api/audit/chain.js';
import { maskText } from '../../../hub/api/personal-data.js';
import { apiFixture, ID_NUMBER, PHONE, PRINCIPALS, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture('apipii');
});
afterAll(async () => f?.close());

describe('masking', () => {
  it('masks mobile, landline and ID numbers in free text, and leaves other digits alone', () => {
    expect(maskText(`电话${PHONE}，身份证${ID_NUMBER}，座机0514-84321234，门牌128号，工单20261124000123`)).toBe(
      '电话138****5678，身份证330102********1234，座机0514-****1234，门牌128号，工单20261124000123',
    );
  });

  it('every route that returns report or matter text returns it masked by default', async () => {
    for (const url of ['/api/v1/matters', `/api/v1/matters/${f.ids.matterA}`, `/api/v1/subjects/${f.ids.subjectA}`, '/api/v1/tasks']) {
      const res = await f.as('commander', url);
      expect(res.status, url).toBe(200);
      expect(res.text, url).not.toContain(PHONE);
      expect(res.text, url).not.toContain(ID_NUMBER);
    }
    const detail = await f.as('commander', `/api/v1/matters/${f.ids.matterA}`);
    expect(detail.body.masked).toBe(true);
    expect(detail.body.description).toContain('138****5678');
  });
});

describe('unmasking', () => {
  const url = (q: string) => `/api/v1/matters/${f.ids.matterA}?${q}`;

  it('needs the grant and a purpose; a granted, purposeful look shows the data and is audited first', async () => {
    const before = (await f.db('access_audit').count<Array<{ c: string }>>('* as c'))[0]!.c;
    expect((await f.as('commanderNoGrant', url('unmask=true&purpose=回访来电群众'))).status).toBe(403);
    expect((await f.as('townA', url('unmask=true&purpose=回访来电群众'))).status).toBe(403);
    const noPurpose = await f.as('commander', url('unmask=true'));
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.message).toMatch(/purpose/);
    expect((await f.as('commander', url('unmask=true&purpose=ab'))).status).toBe(400); // too short to say anything
    // refused attempts reveal nothing and leave no "unmask" row
    expect((await f.db('access_audit').count<Array<{ c: string }>>('* as c'))[0]!.c).toBe(before);

    const res = await f.as('commander', url('unmask=true&purpose=回访来电群众，核实诉求'), { headers: { 'x-forwarded-for': '10.1.2.3' } });
    expect(res.status).toBe(200);
    expect(res.body.masked).toBe(false);
    expect(res.body.description).toContain(PHONE);
    expect(res.body.reports[0].description).toContain(PHONE);

    const rows = await f.db('access_audit').orderBy('seq');
    expect(rows).toHaveLength(Number(before) + 1);
    const row = rows[rows.length - 1]!;
    expect(row).toMatchObject({ principal_id: PRINCIPALS.commander.id, action: 'unmask', target: `matter:${f.ids.matterA}`, purpose: '回访来电群众，核实诉求' });
    expect(row.remote_addr).toBeTruthy();
    expect(row.detail.fields).toEqual(expect.arrayContaining(['matter.description', 'report:hotline-12345/WO-A']));
    expect(Date.now() - new Date(row.at).getTime()).toBeLessThan(60_000);
  });

  it('auditors read the log through the API; it verifies as intact', async () => {
    const list = await f.as('auditor', '/api/v1/audit?action=unmask');
    expect(list.status).toBe(200);
    expect(list.body.items.some((i: { principalId: string; purpose: string }) => i.principalId === PRINCIPALS.commander.id && i.purpose.startsWith('回访'))).toBe(true);
    const v = await f.as('auditor', '/api/v1/audit/verify');
    expect(v.body).toMatchObject({ ok: true });
    expect(v.body.checked).toBeGreaterThan(0);
  });
});

describe('the audit log resists tampering', () => {
  it('refuses UPDATE and DELETE', async () => {
    await expect(f.db('access_audit').update({ purpose: '改写' })).rejects.toThrow(/append-only/);
    await expect(f.db('access_audit').del()).rejects.toThrow(/append-only/);
  });

  it('an altered row, a removed row and an inserted row are each detected, at the right place', async () => {
    for (let i = 0; i < 5; i++) await appendAudit(f.db, { principalId: 'p', action: 'unmask', target: `matter:${i}`, purpose: `用途${i}`, remoteAddr: '127.0.0.1', detail: { i } });
    const good = await verifyAuditChain(f.db);
    expect(good.ok).toBe(true);
    const rows = await f.db('access_audit').orderBy('seq');
    const victim = rows[2]!;
    const behindTheTrigger = async (sql: string, bindings: unknown[]) => {
      await f.db.transaction(async (tx) => {
        await tx.raw('ALTER TABLE access_audit DISABLE TRIGGER access_audit_no_update');
        await tx.raw(sql, bindings as never);
        await tx.raw('ALTER TABLE access_audit ENABLE TRIGGER access_audit_no_update');
      });
    };

    await behindTheTrigger('UPDATE access_audit SET purpose = ? WHERE seq = ?', ['例行检查', victim.seq]);
    const altered = await verifyAuditChain(f.db);
    expect(altered).toMatchObject({ ok: false, brokenAt: { seq: String(victim.seq) } });
    expect(altered.brokenAt!.reason).toMatch(/altered/);
    expect((await f.as('auditor', '/api/v1/audit/verify')).body.message).toMatch(/篡改/);
    await behindTheTrigger('UPDATE access_audit SET purpose = ? WHERE seq = ?', [victim.purpose, victim.seq]);
    expect((await verifyAuditChain(f.db)).ok).toBe(true);

    await behindTheTrigger('DELETE FROM access_audit WHERE seq = ?', [victim.seq]);
    const removed = await verifyAuditChain(f.db);
    expect(removed.ok).toBe(false);
    expect(removed.brokenAt!.reason).toMatch(/missing/);

    // put a forged row in its place: right seq, plausible content, but it cannot carry a valid hash
    await behindTheTrigger('INSERT INTO access_audit (seq, at, principal_id, action, target, purpose, remote_addr, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      victim.seq, victim.at, victim.principal_id, victim.action, victim.target, victim.purpose, victim.remote_addr, JSON.stringify({ forged: true }), victim.prev_hash, victim.hash,
    ]);
    const forged = await verifyAuditChain(f.db);
    expect(forged).toMatchObject({ ok: false, brokenAt: { seq: String(victim.seq) } });
  });
});

describe('hardening', () => {
  it('security headers on every answer, no internals in errors', async () => {
    const res = await f.as('commander', '/api/v1/matters');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeTruthy();
    expect(res.headers['strict-transport-security']).toBeTruthy();
    const bad = await f.as('commander', '/api/v1/matters?limit=abc');
    expect(bad.text).not.toMatch(/node_modules|at .*\.ts:\d+|SELECT /i);
  });

  it('rate limits per principal: one caller over its budget gets 429, another is unaffected', async () => {
    const limited = await apiFixture('apirate', { rateLimitPerMinute: 5 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await limited.as('townA', '/api/v1/me')).status);
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(codes.slice(5)).toEqual([429, 429]);
      const over = await limited.as('townA', '/api/v1/me');
      expect(over.body.message).toMatch(/rate limit/);
      expect((await limited.as('townB', '/api/v1/me')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
