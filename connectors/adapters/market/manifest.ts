import type { ConnectorManifest } from '../../sdk/types.js';
import type { SqlPollSettings } from '../../sources/sql-poll.js';

/**
 * 市场监督管理局 · 市场主体登记信息: the market-entity registry as the county receives it from the
 * data-sharing exchange (数据共享交换平台): a PostgreSQL table in the exchange's 前置库 with the
 * catalogue's Chinese column names, one row per entity in its current state, 更新时间 stamped by the
 * exchange on every change. The county is granted a read-only account.
 *
 * 更新时间 is `timestamp(0)` without a zone, written in Shanghai wall time: the session must run in
 * Asia/Shanghai (timeZone below), and rows appear one safety lag after their update (see
 * connectors/sources/sql-poll.ts). The real county's URL, account and table go in CONNECTOR_CONFIG;
 * the defaults below are those of `simulators/market/main.ts` run without options.
 */
export const manifest: ConnectorManifest<SqlPollSettings> = {
  id: 'market-registry',
  department: 'market',
  title: '市场主体登记信息',
  sourceSystem: 'market-registry',
  emits: ['subject'],
  pollIntervalMs: 5000,
  source: {
    kind: 'sql-poll',
    client: 'pg',
    connection: 'postgres://market_exchange_reader@127.0.0.1:5432/postgres',
    table: 'market_exchange.市场主体登记信息',
    updatedAtColumn: '更新时间',
    idColumn: '主体身份代码',
    pageSize: 500,
    safetyLagMs: 5000,
    timeZone: 'Asia/Shanghai',
    queryTimeoutMs: 30_000,
  },
};
