import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapEnforcementCase } from './mapping.js';

describeFixtures(manifest, mapEnforcementCase, new URL('./fixtures', import.meta.url).pathname);
