/**
 * npm run hub:admin -- <command>   (DATABASE_URL, DB_SCHEMA as for the hub)
 *   add --name 张三 --role commander|town_operator|liaison|auditor|admin [--jurisdiction 321023101]
 *       [--department environment] [--can-unmask] [--id zhangsan]
 *                         creates a principal and prints its API key (shown once; store it safely)
 *   key --id zhangsan     issues another API key for the principal
 *   revoke --key-id <12 hex> | disable --id zhangsan
 *   list                  principals and their keys (never the keys' secrets)
 *   verify-audit          re-computes the access audit hash chain and says whether it is intact
 * The first administrator has to come from here; later ones can be made through the API.
 */
import { parseArgs } from 'node:util';
import { exitOnConfigError, readSettings } from '../core/settings.js';
import { verifyAuditChain } from './api/audit/chain.js';
import { createPrincipal, disablePrincipal, issueApiKey, revokeApiKey } from './api/auth/principals.js';
import type { Role } from './api/principal.js';
import { HUB_SETTINGS } from './settings.js';
import { createDb, migrate } from './store/db.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, role: { type: 'string' }, jurisdiction: { type: 'string' }, department: { type: 'string' }, 'can-unmask': { type: 'boolean' }, id: { type: 'string' }, 'key-id': { type: 'string' } },
});
let env: { DATABASE_URL: string; DB_SCHEMA: string | undefined };
try {
  env = readSettings({ DATABASE_URL: HUB_SETTINGS.DATABASE_URL, DB_SCHEMA: HUB_SETTINGS.DB_SCHEMA });
} catch (err) {
  exitOnConfigError('hub:admin', err);
}
const db = createDb(env.DATABASE_URL, { schema: env.DB_SCHEMA });
const fail = (msg: string): never => {
  console.error(msg);
  process.exit(2);
};
try {
  await migrate(db, env.DB_SCHEMA);
  switch (positionals[0]) {
    case 'add': {
      if (!values.name || !values.role) fail('add needs --name and --role');
      const p = await createPrincipal(db, { id: values.id, name: values.name!, role: values.role as Role, jurisdiction: values.jurisdiction, department: values.department, canUnmask: values['can-unmask'] });
      console.log(JSON.stringify({ principal: p, apiKey: await issueApiKey(db, p.id) }));
      break;
    }
    case 'key':
      if (!values.id) fail('key needs --id');
      console.log(JSON.stringify({ principalId: values.id, apiKey: await issueApiKey(db, values.id!) }));
      break;
    case 'revoke':
      if (!values['key-id']) fail('revoke needs --key-id');
      await revokeApiKey(db, values['key-id']!);
      console.log(`revoked ${values['key-id']}`);
      break;
    case 'disable':
      if (!values.id) fail('disable needs --id');
      await disablePrincipal(db, values.id!);
      console.log(`disabled ${values.id}`);
      break;
    case 'list':
      for (const p of await db('principals').select('*').orderBy('id')) {
        const keys = await db('api_keys').where({ principal_id: p.id }).select('id', 'created_at', 'revoked_at');
        console.log(JSON.stringify({ ...p, keys }));
      }
      break;
    case 'verify-audit': {
      const v = await verifyAuditChain(db);
      console.log(JSON.stringify(v));
      if (!v.ok) process.exitCode = 1;
      break;
    }
    default:
      fail('usage: npm run hub:admin -- add|key|revoke|disable|list|verify-audit … (see hub/admin.ts)');
  }
} finally {
  await db.destroy();
}
