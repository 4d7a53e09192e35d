export { manifest } from './manifest.js';
export { mapEnforcementCase as mapping } from './mapping.js';
