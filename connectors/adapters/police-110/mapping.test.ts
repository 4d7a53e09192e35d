import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapping } from './mapping.js';

describeFixtures(manifest, mapping, new URL('./fixtures', import.meta.url).pathname);
