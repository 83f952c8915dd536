/**
 * The interfaces every outside system is reached through. Core, intake, commands and the queue's processors
 * depend on these; adapters (src/adapters/<system>/) implement them and only the composition root (src/*.ts)
 * puts the two together. ARCHITECTURE.md has the map.
 */
export * from './ports/charts.js';
export * from './ports/delivery.js';
export * from './ports/git-host.js';
export * from './ports/operations.js';
export * from './ports/people.js';
export * from './ports/queue.js';
export * from './ports/releases.js';
export * from './ports/stores.js';
