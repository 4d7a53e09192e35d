import type { Knex } from 'knex';
import * as m001 from './001-source-records-and-matters.js';
import * as m002 from './002-merge-routing-subjects.js';

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** In order. Never edit a migration that has shipped; add the next one. */
export const migrations: Migration[] = [
  { name: '001-source-records-and-matters', ...m001 },
  { name: '002-merge-routing-subjects', ...m002 },
];
