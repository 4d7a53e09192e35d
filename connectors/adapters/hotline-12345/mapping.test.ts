import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapWorkOrder } from './mapping.js';

describeFixtures(manifest, mapWorkOrder, new URL('./fixtures', import.meta.url).pathname);
