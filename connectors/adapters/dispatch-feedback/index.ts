import { environmentFeedback, gridFeedback, hotlineFeedback } from './manifest.js';
import { mapFeedback } from './mapping.js';

export { hotlineFeedback, gridFeedback, environmentFeedback } from './manifest.js';
export { mapFeedback as mapping } from './mapping.js';

/** The departments' progress on the centre's assignments, read back from each platform they went to. */
export const adapters = [hotlineFeedback, gridFeedback, environmentFeedback].map((manifest) => ({ manifest, mapping: mapFeedback }));
