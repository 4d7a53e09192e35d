import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapApplication } from './mapping.js';

describeFixtures(manifest, mapApplication, new URL('./fixtures', import.meta.url).pathname);
