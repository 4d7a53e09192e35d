import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapHazard } from './mapping.js';

describeFixtures(manifest, mapHazard, new URL('./fixtures', import.meta.url).pathname);
