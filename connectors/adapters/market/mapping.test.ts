import { describeFixtures } from '../../sdk/fixture-test.js';
import { manifest } from './manifest.js';
import { mapMarketEntity } from './mapping.js';

describeFixtures(manifest, mapMarketEntity, new URL('./fixtures', import.meta.url).pathname);
