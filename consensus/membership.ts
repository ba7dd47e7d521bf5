/**
 * Which configuration holds where in the log (§4.1): a member uses the latest configuration in
 * its log, committed or not, so the configuration at an index is the one before the log (the
 * bootstrap, or the snapshot's) with every config entry up to that index applied in order.
 */
import { assert } from './assert.js';
import type { RaftLog } from './raft-log.js';
import { applyConfigChange, decodeConfigChange, type Config } from './types.js';

/** The configuration in force at `index`, starting from `base` (the one at the snapshot). */
export function configAt(base: Config, log: RaftLog, index: number): Config {
  let config = base;
  for (const at of log.configIndexes()) {
    if (at > index) break;
    const entry = log.entry(at);
    assert(entry?.type === 'config', 'config indexes point at config entries');
    config = applyConfigChange(config, decodeConfigChange(entry.data));
  }
  return config;
}
