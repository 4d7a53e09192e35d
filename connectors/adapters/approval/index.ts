/** 行政审批局 adapter: signed HTTP poll of applications → Approval + Subject. Register as `approval` ({ manifest, mapping }). */
export { manifest } from './manifest.js';
export { mapApplication as mapping, makeApprovalMapping, itemTypeOf } from './mapping.js';
