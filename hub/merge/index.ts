/**
 * Merge engine: pure, deterministic, explainable matching of subjects (一企一档) and matters (一件事).
 * No I/O: the store loads candidates (see `matterBlocking`, `subjectBlockingKeys`) and applies decisions.
 */
export * from './strings.js';
export * from './regions.js';
export * from './names.js';
export * from './addresses.js';
export * from './geo.js';
export * from './text.js';
export * from './survivorship.js';
export {
  matchSubject,
  subjectRecord,
  subjectBlockingKeys,
  SUBJECT_MATCH_SCORE,
  SUBJECT_REVIEW_SCORE,
  SUBJECT_NAME_MATCH,
  SUBJECT_NAME_REVIEW,
  SUBJECT_ADDRESS_MATCH,
  SUBJECT_NEAR_M,
  SUBJECT_FAR_M,
  SUBJECT_DISTANCE_FULL_M,
  SUBJECT_DISTANCE_ZERO_M,
  SUBJECT_AMBIGUITY_MARGIN,
  SUBJECT_WEIGHTS,
  OPERATOR_SAME_BONUS,
  OPERATOR_DIFFERENT_PENALTY,
  DIVISION_SCORES,
} from './subject-matcher.js';
export type {
  SubjectKind,
  SubjectRecord,
  SubjectCandidate,
  SubjectDecision,
  SubjectDecisionKind,
  SubjectEvaluation,
  SubjectFeatures,
  SubjectMatchOptions,
  SubjectRule,
  Exclusion,
} from './subject-matcher.js';
export * from './matter-matcher.js';
export { clusterSubjects, matchRecordPair, identityOf, identityParts, compareMembers, compareEdges, type SubjectMember, type SubjectEdge, type SubjectCluster, type SubjectClustering, type MemberDecision } from './subject-clusters.js';
export { subjectMentions, namelessMentions, reportSubjectMention, MENTION_MAX_CORE, type Mention } from './mentions.js';
export * from './fellegi-sunter.js';
export * from './matter-profile.js';
export * from './position-spread.js';
