/**
 * `tessera volume write|read|verify`: a volume's bytes from and to files (or stdin and stdout),
 * through the client SDK as any writer reaches the cluster: each stripe straight to its CM, with
 * the SDK's retries; a write goes as a journal of stripe-aligned events with back-pressure. Every
 * argument is checked before the first byte is sent or written (UsageError, exit code 2).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { connect, type Volume } from '../../client/index.js';
import { addresses } from './cluster-calls.js';
import { formatBytes, terminalProgress } from './progress.js';
import { UsageError } from './usage-error.js';

/** Where the cluster is: --seeds (comma-separated or repeated), else the local cluster in --dir. */
export interface SeedTarget {
  seeds?: string[] | undefined;
  dir: string;
}

/** The bytes of one write event the CLI aims for (rounded to whole stripes where they are small). */
const EVENT_BYTES_TARGET = 1 << 20;
/** Stripes larger than this are cut into block-aligned events instead. */
const STRIPE_EVENT_BYTES_MAX = 4 << 20;
/** The bytes of one read (or compare) step. */
const READ_STEP_BYTES = 4 << 20;

/** The seed addresses of a target; UsageError when there is neither --seeds nor a cluster in --dir. */
export async function seedsOf(target: SeedTarget): Promise<string[]> {
  const given = (target.seeds ?? [])
    .flatMap((seed) => seed.split(','))
    .map((seed) => seed.trim())
    .filter((seed) => seed !== '');
  if (given.length > 0) return given;
  return addresses({ dir: target.dir }).catch(() => {
    throw new UsageError(`no cluster in ${target.dir}: give --seeds host:port or --dir`);
  });
}

/** Connects, opens `name`, runs `use`, and always closes the connection. */
async function withVolume<T>(
  target: SeedTarget,
  name: string,
  use: (volume: Volume) => Promise<T>,
): Promise<T> {
  const cluster = await connect({ seeds: await seedsOf(target) });
  try {
    return await use(await cluster.openVolume(name));
  } finally {
    await cluster.close();
  }
}

/** Writes a file (or stdin) into volume `name` at `offset`; resolves with the bytes written. */
export async function writeVolume(
  target: SeedTarget,
  name: string,
  offset: number,
  file: string | undefined,
): Promise<number> {
  let size = 0;
  if (file !== undefined) {
    size = await regularFileBytes(file);
    if (size === 0) throw new UsageError(`--file ${file} is empty: nothing to write`);
  } else if (process.stdin.isTTY) {
    throw new UsageError('give --file F, or pipe the bytes to write on stdin');
  }
  return withVolume(target, name, async (volume) => {
    const source = (
      file === undefined ? process.stdin : createReadStream(file)
    ) as AsyncIterable<Buffer>;
    const journal = volume.journal();
    const progress = terminalProgress(`write ${name}`, size);
    journal.on('ack', (ack) => progress.advance(ack.length));
    const unit =
      volume.stripeBytes <= STRIPE_EVENT_BYTES_MAX ? volume.stripeBytes : volume.info.blockBytes;
    const eventBytes = Math.max(1, Math.round(EVENT_BYTES_TARGET / unit)) * unit;
    let written = 0;
    for await (const chunk of rechunk(source, (at) => eventBytes - ((offset + at) % unit))) {
      await journal.append(offset + written, chunk);
      written += chunk.length;
    }
    if (written === 0) throw new UsageError('stdin was empty: nothing to write');
    await journal.close();
    progress.done();
    return written;
  });
}

/**
 * Reads [offset, offset + length) of volume `name` into `out` (written whole to a temporary file
 * and renamed, so a failed read leaves no partial file) or to stdout.
 */
export async function readVolume(
  target: SeedTarget,
  name: string,
  offset: number,
  length: number,
  out: string | undefined,
): Promise<void> {
  const partial = out === undefined ? undefined : `${out}.partial-${process.pid}`;
  try {
    await withVolume(target, name, async (volume) => {
      const sink = partial === undefined ? process.stdout : createWriteStream(partial);
      const progress = terminalProgress(`read ${name}`, length);
      for (let at = 0; at < length; at += READ_STEP_BYTES) {
        const bytes = await volume.read(offset + at, Math.min(READ_STEP_BYTES, length - at));
        if (!sink.write(bytes)) await once(sink, 'drain');
        progress.advance(bytes.length);
      }
      if (sink !== process.stdout) {
        sink.end();
        await finished(sink);
      }
      progress.done();
    });
    if (partial !== undefined && out !== undefined) await rename(partial, out);
  } catch (error) {
    if (partial !== undefined) await rm(partial, { force: true });
    throw error;
  }
}

/** Where a volume and a file first differ, or null when they are equal. */
export interface Difference {
  /** The volume offset of the first differing byte. */
  readonly offset: number;
  readonly volumeByte: number;
  readonly fileByte: number;
}

/** Compares volume `name` from `offset` with the whole of `file`; resolves with the size and first difference. */
export async function verifyVolume(
  target: SeedTarget,
  name: string,
  offset: number,
  file: string,
): Promise<{ bytes: number; difference: Difference | null }> {
  const size = await regularFileBytes(file);
  if (size === 0) throw new UsageError(`--file ${file} is empty: nothing to compare`);
  const handle = await open(file, 'r');
  try {
    return await withVolume(target, name, async (volume) => {
      const progress = terminalProgress(`verify ${name}`, size);
      const expected = Buffer.alloc(Math.min(READ_STEP_BYTES, size));
      for (let at = 0; at < size; at += READ_STEP_BYTES) {
        const length = Math.min(READ_STEP_BYTES, size - at);
        const actual = await volume.read(offset + at, length);
        await handle.read(expected, 0, length, at);
        const index = firstDifference(actual, expected.subarray(0, length));
        if (index >= 0)
          return {
            bytes: size,
            difference: {
              offset: offset + at + index,
              volumeByte: actual[index]!,
              fileByte: expected[index]!,
            },
          };
        progress.advance(length);
      }
      progress.done();
      return { bytes: size, difference: null };
    });
  } finally {
    await handle.close();
  }
}

/** A one-line report of a write, read or verify for people. */
export function describeBytes(bytes: number): string {
  return `${bytes} bytes (${formatBytes(bytes)})`;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (Buffer.compare(a, b) === 0) return -1;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return index;
  return a.length;
}

async function regularFileBytes(file: string): Promise<number> {
  const info = await stat(file).catch(() => {
    throw new UsageError(`--file ${file}: no such file`);
  });
  if (!info.isFile()) throw new UsageError(`--file ${file}: not a regular file`);
  return info.size;
}

/**
 * Regroups a byte stream into chunks of `sizeAt(position)` bytes (position counts from the start;
 * the last chunk may be shorter). Each chunk is a fresh buffer that nothing else writes to.
 */
async function* rechunk(
  source: AsyncIterable<Buffer>,
  sizeAt: (position: number) => number,
): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  let position = 0;
  for await (const data of source) {
    parts.push(data);
    held += data.length;
    for (let want = sizeAt(position); held >= want; want = sizeAt(position)) {
      const all = Buffer.concat(parts, held);
      yield all.subarray(0, want);
      parts = [all.subarray(want)];
      held -= want;
      position += want;
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}
