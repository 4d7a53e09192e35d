export { hotlineFeedback, gridFeedback, environmentFeedback } from './manifest.js';
export { mapFeedback as mapping } from './mapping.js';
