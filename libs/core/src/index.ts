export * from './log-odds.js';
export * from './likelihood-ratio.js';
export * from './confidence.js';
export * from './scores.js';
export * from './audit-hash.js';
export * from './rule-matching.js';
export * from './domain-error.js';
