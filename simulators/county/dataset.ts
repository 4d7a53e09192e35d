/**
 * Reading a dataset (core/dataset.ts, the format of docs/dataset-format.md) and scoring a merge
 * against its truth, in one import for the generator's tools and tests.
 */
export * from '../../core/dataset.js';
// Scoring lives in scoring.ts; re-exported here for callers that read and score in one import.
export { scoreClusters, scoreLookalikes, type ClusterScores, type LookalikeScores, type ScoreOptions } from './scoring.js';
