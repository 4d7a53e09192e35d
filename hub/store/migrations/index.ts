import type { Knex } from 'knex';
import * as m001 from './001-source-records-and-matters.js';
import * as m002 from './002-merge-routing-subjects.js';
import * as m003 from './003-subject-keys.js';
import * as m004 from './004-candidate-indexes.js';
import * as m005 from './005-principals-and-audit.js';
import * as m006 from './006-status-changes.js';
import * as m007 from './007-api-read-indexes.js';
import * as m008 from './008-decisions-outbox.js';
import * as m009 from './009-subject-components.js';
import * as m010 from './010-merge-proposals.js';
import * as m011 from './011-subject-redirects.js';
import * as m012 from './012-grid-candidate-index.js';
import * as m013 from './013-matter-events-commit-order.js';
import * as m014 from './014-address-keys.js';
import * as m015 from './015-subject-keys-by-subject.js';
import * as m016 from './016-record-results.js';
import * as m017 from './017-reconciliation-counts.js';
import * as m018 from './018-drop-report-address-keys-index.js';

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** In order. Never edit a migration that has shipped; add the next one. */
export const migrations: Migration[] = [
  { name: '001-source-records-and-matters', ...m001 },
  { name: '002-merge-routing-subjects', ...m002 },
  { name: '003-subject-keys', ...m003 },
  { name: '004-candidate-indexes', ...m004 },
  { name: '005-principals-and-audit', ...m005 },
  { name: '006-status-changes', ...m006 },
  { name: '007-api-read-indexes', ...m007 },
  { name: '008-decisions-outbox', ...m008 },
  { name: '009-subject-components', ...m009 },
  { name: '010-merge-proposals', ...m010 },
  { name: '011-subject-redirects', ...m011 },
  { name: '012-grid-candidate-index', ...m012 },
  { name: '013-matter-events-commit-order', ...m013 },
  { name: '014-address-keys', ...m014 },
  { name: '015-subject-keys-by-subject', ...m015 },
  { name: '016-record-results', ...m016 },
  { name: '017-reconciliation-counts', ...m017 },
  { name: '018-drop-report-address-keys-index', ...m018 },
];
