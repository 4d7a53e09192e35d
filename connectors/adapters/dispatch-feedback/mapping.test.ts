import { describeFixtures } from '../../sdk/fixture-test.js';
import { hotlineFeedback } from './manifest.js';
import { mapFeedback } from './mapping.js';

describeFixtures(hotlineFeedback, mapFeedback, new URL('./fixtures', import.meta.url).pathname);
