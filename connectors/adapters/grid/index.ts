export { manifest } from './manifest.js';
export { mapGridEvent as mapping } from './mapping.js';
