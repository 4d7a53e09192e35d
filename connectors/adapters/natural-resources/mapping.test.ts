import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapPatrolFinding } from './mapping.js';

describeFixtures(manifest, mapPatrolFinding, new URL('./fixtures', import.meta.url).pathname);
