/**
 * The subcommands of `tessera`, one module each. Adding an area's command line means adding its
 * register function here.
 */
import type { Argv } from 'yargs';
import { registerCluster } from './cluster-command.js';
import { registerEc } from './ec-command.js';
import { registerNode } from './node-command.js';
import { registerPlacement } from './placement-command.js';
import { registerSim } from './sim-command.js';
import { registerVolume } from './volume-command.js';

export type RegisterCommand = (parser: Argv) => Argv;

export const commands: RegisterCommand[] = [
  registerNode,
  registerCluster,
  registerVolume,
  registerEc,
  registerPlacement,
  registerSim,
];
