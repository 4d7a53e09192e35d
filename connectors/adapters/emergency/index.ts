/** 应急管理局 adapter: hidden-danger ledger XLSX drops → Report. Register as `emergency` ({ manifest, mapping }). */
export { manifest } from './manifest.js';
export { mapHazard as mapping, makeHazardMapping } from './mapping.js';
