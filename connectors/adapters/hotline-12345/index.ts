export { manifest } from './manifest.js';
export { mapWorkOrder as mapping } from './mapping.js';
