/**
 * V8 heap settings for a storage node process. A node's data travels as ArrayBuffers (blocks,
 * deltas, frames) that live for one request. With V8's defaults the old generation's limit sits
 * about 20 MB above what is live in a node (20 to 30 MB); under load those buffers reached it
 * several times a second, and every node ran a full mark-compact about every 300 ms: under
 * bench:cluster the collector took 30 % of the machine's CPU (docs/node.md, "Heap").
 * A young generation of 32 MiB a semi-space lets the buffers die young, and a growing factor of 4
 * spaces the full collections out.
 */
import { setFlagsFromString } from 'node:v8';

/** The growing factor: the one flag that V8 also takes while the process runs. */
const GROWING_FLAG = '--heap-growing-percent=300';

/** The flags, for a process that starts a node (`node <flags> bin/tessera.js node start`). */
export const STORAGE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32', GROWING_FLAG];

/**
 * Sets the growing factor in a node started without it. The young generation's size is fixed
 * when the process starts, so only STORAGE_NODE_FLAGS give it. A growing factor the process was
 * started with (its arguments or NODE_OPTIONS) is left as given.
 */
export function tuneHeapAtRunTime(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (!given.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag)))
    setFlagsFromString(GROWING_FLAG);
}
