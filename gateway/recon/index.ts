export * from './types.js';
export { caseId, familyOf, Subject } from './case-id.js';
export { formatAmount } from './format.js';
export { DEFAULT_WINDOW, resolveOptions } from './options.js';
export { Actors, fullRun, Reconciler, Stages, type CaseFilter, type Stage, type Whereabouts } from './reconciler.js';
