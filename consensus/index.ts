/**
 * The consensus library: the pure Raft core, its types and messages, and the pluggable state
 * machine with a small key-value machine for tests.
 */
export * from './assert.js';
export * from './kv-machine.js';
export * from './log-records.js';
export * from './messages.js';
export * from './random.js';
export * from './raft.js';
export * from './ready.js';
export * from './state-machine.js';
export * from './types.js';
