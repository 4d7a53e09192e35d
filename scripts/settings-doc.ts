/**
 * Writes docs/configuration.md from the settings each service declares (core/settings.ts), so the
 * table cannot drift from what the services accept:  npx tsx scripts/settings-doc.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsTable } from '../core/settings.js';
import { CONNECTOR_SETTINGS, SINK_SETTINGS } from '../connectors/runtime/settings.js';
import { HUB_SETTINGS } from '../hub/settings.js';

export const CONFIGURATION_DOC = new URL('../docs/configuration.md', import.meta.url).pathname;

export function configurationDoc(): string {
  return `# Configuration · 配置项

Every service reads its settings from the environment once, at start-up, and checks them all
together: a missing or malformed value stops the service before it touches Kafka or the database,
with exit code 78 and a message that names each bad setting and what it expects, e.g.

    hub: configuration error (配置错误): HUB_SLA_CHECK_MS:
      HUB_SLA_CHECK_MS="abc": expected a whole number of milliseconds ≥ 0

Secret settings are never repeated in such messages. This file is generated from the declarations
(\`hub/settings.ts\`, \`connectors/runtime/settings.ts\`) by \`npx tsx scripts/settings-doc.ts\`; a
test fails when it is out of date.

## Hub (\`hub/main.ts\`)

${settingsTable(HUB_SETTINGS)}

## Connector workers and the \`countyhub\` CLI (\`connectors/cli.ts\`)

${settingsTable(CONNECTOR_SETTINGS)}

Per-connector settings (source URLs, credentials, page sizes, poll intervals) live in each
adapter's manifest and are overridden with \`CONNECTOR_CONFIG\`; see connectors/README.md.

## Dispatch sinks (\`connectors/sinks/main.ts\`)

${settingsTable(SINK_SETTINGS)}
`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const doc = configurationDoc();
  if (process.argv.includes('--check')) {
    if (readFileSync(CONFIGURATION_DOC, 'utf8') !== doc) {
      console.error('docs/configuration.md is out of date: run npx tsx scripts/settings-doc.ts');
      process.exit(1);
    }
  } else {
    writeFileSync(CONFIGURATION_DOC, doc);
    console.log(`wrote ${CONFIGURATION_DOC}`);
  }
}
