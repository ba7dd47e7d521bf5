/**
 * V8 heap settings for a storage node process. A node's data travels as ArrayBuffers (blocks,
 * deltas, frames) that live for one request. With V8's defaults the old generation's limit sits
 * about 20 MB above what is live in a node (20 to 30 MB); under load those buffers reached it
 * several times a second, and every node ran a full mark-compact about every 300 ms: under
 * bench:cluster the collector took about a third of the machine's CPU (docs/node.md, "Heap").
 * A young generation of 32 MiB a semi-space lets the buffers die young, and a growing factor of 4
 * spaces the full collections out.
 */
import { setFlagsFromString } from 'node:v8';

/** The flags, for a process that starts a node (`node <flags> bin/tessera.js node start`). */
export const STORAGE_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=32',
  '--heap-growing-percent=300',
];

/**
 * Sets, in a node started without them, the flags that V8 reads while it runs: the growing
 * factor. The young generation's size is fixed when the process starts, so only the flags above
 * give it. A flag the process was started with (its arguments or NODE_OPTIONS) is left as given.
 */
export function tuneHeapAtRunTime(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const growing = '--heap-growing-percent';
  if (given.some((flag) => flag.startsWith(growing) || flag.startsWith('--heap_growing_percent')))
    return;
  const flag = STORAGE_NODE_FLAGS.find((candidate) => candidate.startsWith(growing));
  if (flag) setFlagsFromString(flag);
}
