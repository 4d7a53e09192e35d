export { manifest } from './manifest.js';
export { mapMarketEntity as mapping } from './mapping.js';
