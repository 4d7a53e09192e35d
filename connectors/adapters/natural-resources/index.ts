/** 自然资源局 adapter: patrol-finding CSV drops → Report. Register as `naturalResources` ({ manifest, mapping }). */
export { manifest } from './manifest.js';
export { mapPatrolFinding as mapping, makePatrolMapping } from './mapping.js';
export { countyTowns, townGazetteer, type Town, type TownGazetteer } from '../../sdk/towns.js';
