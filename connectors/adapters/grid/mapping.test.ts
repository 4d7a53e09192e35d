import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapGridEvent } from './mapping.js';

describeFixtures(manifest, mapGridEvent, new URL('./fixtures', import.meta.url).pathname);
