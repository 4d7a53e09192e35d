/** Routing: county catalogues, the working-day calendar and the responsibility rules. */
export * from '../../core/catalogue.js';
export * from './calendar.js';
export * from './rules.js';
export { DEFAULT_CATALOGUE_DIR } from '../../core/data-files.js';
