/**
 * `tessera ec` over files: encode a file into k + m fragment files, decode it back from any k,
 * and verify a set of fragments. Memory stays bounded (one stripe of k + m chunks at a time)
 * whatever the file's size. A decode writes to a temporary file and renames it into place only
 * once the SHA-256 of what it rebuilt matches the one recorded at encode time, so a failed
 * decode leaves nothing behind.
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ReedSolomon, TooManyMissingError } from '../../erasure/index.js';
import {
  CHUNK_CHECKSUM_BYTES,
  chunkChecksum,
  decodeHeader,
  encodeHeader,
  FragmentFormatError,
  fragmentFileBytes,
  HEADER_BYTES,
  sameEncoding,
  sha256,
  stripeCount,
  type FragmentHeader,
} from './ec-files.js';
import { terminalProgress } from './progress.js';

export interface EncodeOptions {
  input: string;
  outDir: string;
  k: number;
  m: number;
  chunkBytes: number;
}

/** Writes fragment files `<outDir>/<name>.frag.<i>`; returns their paths. */
export async function encodeFile(options: EncodeOptions): Promise<string[]> {
  const { k, m, chunkBytes } = options;
  const rs = new ReedSolomon(k, m, { arenaBytes: (k + m) * alignedBytes(chunkBytes) + (64 << 10) });
  const fileBytes = (await stat(options.input)).size;
  const fileSha256 = await hashFile(options.input);
  const header: FragmentHeader = { k, m, index: 0, chunkBytes, fileBytes, fileSha256 };
  const paths = Array.from({ length: k + m }, (_, index) =>
    join(options.outDir, `${basename(options.input)}.frag.${index}`),
  );
  const shards = rs.allocateShards(chunkBytes);
  const input = await open(options.input, 'r');
  const outputs: FileHandle[] = [];
  const progress = terminalProgress('encode', fileBytes);
  try {
    for (const [index, path] of paths.entries()) {
      const output = await open(path, 'w');
      outputs.push(output);
      await output.write(encodeHeader({ ...header, index }));
    }
    const checksum = Buffer.alloc(CHUNK_CHECKSUM_BYTES);
    for (let stripe = 0; stripe < stripeCount(header); stripe++) {
      for (let j = 0; j < k; j++) {
        const position = (stripe * k + j) * chunkBytes;
        const { bytesRead } = await input.read(shards[j]!, 0, chunkBytes, position);
        shards[j]!.fill(0, bytesRead);
        progress.advance(bytesRead);
      }
      rs.encode(shards);
      for (let index = 0; index < k + m; index++) {
        checksum.writeUInt32LE(chunkChecksum(shards[index]!));
        await outputs[index]!.writev([shards[index]!, checksum]);
      }
    }
    for (const output of outputs) await output.sync();
  } finally {
    progress.done();
    await input.close();
    for (const output of outputs) await output.close();
    rs.release(shards);
  }
  return paths;
}

/** One opened fragment file. */
interface Fragment {
  path: string;
  header: FragmentHeader;
  handle: FileHandle;
}

/** What decode and verify found out about a set of fragment files. */
export interface FragmentReport {
  k: number;
  m: number;
  fileBytes: number;
  stripes: number;
  /** Fragment indexes that were given and readable. */
  present: number[];
  /** Fragment indexes that were not given (or whose file is unreadable). */
  absent: number[];
  /** Chunks whose checksum failed or that were cut short: [fragment index, stripe]. */
  corruptChunks: [number, number][];
  /** Stripes where every chunk was readable and the parity did not match the data. */
  inconsistentStripes: number[];
  /** True when the SHA-256 of the rebuilt file matches the one recorded at encode time. */
  sha256Matches: boolean;
  /** Paths given that were ignored, with why (a duplicate index). */
  ignored: string[];
}

/** Rebuilds the file from any k good chunks of every stripe into `outPath`. */
export async function decodeFiles(paths: string[], outPath: string): Promise<FragmentReport> {
  const partial = `${outPath}.partial-${process.pid}`;
  const output = await open(partial, 'w');
  let renamed = false;
  try {
    const report = await scan(paths, 'decode', async (bytes) => void (await output.write(bytes)));
    if (!report.sha256Matches) {
      throw new FragmentFormatError(
        outPath,
        'the rebuilt file does not match the SHA-256 recorded at encode time',
      );
    }
    await output.sync();
    await output.close();
    await rename(partial, outPath);
    renamed = true;
    return report;
  } finally {
    if (!renamed) {
      await output.close().catch(() => {});
      await rm(partial, { force: true });
    }
  }
}

/** Checks every chunk, the parity of every stripe and the file's SHA-256; writes nothing. */
export async function verifyFiles(paths: string[]): Promise<FragmentReport> {
  return scan(paths, 'verify', async () => {});
}

/** True when a report shows every fragment present, intact and consistent. */
export function healthy(report: FragmentReport): boolean {
  return (
    report.absent.length === 0 &&
    report.corruptChunks.length === 0 &&
    report.inconsistentStripes.length === 0 &&
    report.sha256Matches
  );
}

async function scan(
  paths: string[],
  label: string,
  sink: (bytes: Uint8Array) => Promise<void>,
): Promise<FragmentReport> {
  const { fragments, ignored } = await openFragments(paths);
  try {
    const { k, m, chunkBytes, fileBytes } = fragments[0]!.header;
    const byIndex = new Map(fragments.map((fragment) => [fragment.header.index, fragment]));
    const absent = range(k + m).filter((index) => !byIndex.has(index));
    if (absent.length > m) throw new TooManyMissingError(absent.length, m);
    const rs = new ReedSolomon(k, m, {
      arenaBytes: (k + m) * alignedBytes(chunkBytes) + (64 << 10),
    });
    const shards = rs.allocateShards(chunkBytes);
    const report: FragmentReport = {
      k,
      m,
      fileBytes,
      stripes: stripeCount(fragments[0]!.header),
      present: [...byIndex.keys()].sort((a, b) => a - b),
      absent,
      corruptChunks: [],
      inconsistentStripes: [],
      sha256Matches: false,
      ignored,
    };
    const hash = sha256();
    const progress = terminalProgress(label, fileBytes);
    let written = 0;
    try {
      for (let stripe = 0; stripe < report.stripes; stripe++) {
        const lost = [...absent];
        for (const [index, fragment] of byIndex) {
          if (!(await readChunk(fragment, stripe, shards[index]!))) {
            report.corruptChunks.push([index, stripe]);
            lost.push(index);
          }
        }
        if (lost.length > m) {
          throw new FragmentFormatError(
            fragments[0]!.path,
            `stripe ${stripe}: ${lost.length} of ${k + m} chunks are missing or corrupt but at most ${m} may be`,
          );
        }
        if (lost.length === 0 && !rs.verify(shards)) report.inconsistentStripes.push(stripe);
        const lostData = lost.filter((index) => index < k);
        rs.reconstructInto(
          shards,
          lostData,
          lost.filter((index) => index >= k),
        );
        for (let j = 0; j < k && written < fileBytes; j++) {
          const bytes = shards[j]!.subarray(0, Math.min(chunkBytes, fileBytes - written));
          hash.update(bytes);
          await sink(bytes);
          written += bytes.length;
          progress.advance(bytes.length);
        }
      }
    } finally {
      progress.done();
      rs.release(shards);
    }
    report.sha256Matches = hash.digest('hex') === fragments[0]!.header.fileSha256;
    return report;
  } finally {
    for (const fragment of fragments) await fragment.handle.close();
  }
}

/** Reads chunk `stripe` of a fragment into `target`; false when cut short or its CRC fails. */
async function readChunk(fragment: Fragment, stripe: number, target: Uint8Array): Promise<boolean> {
  const { chunkBytes } = fragment.header;
  const position = HEADER_BYTES + stripe * (chunkBytes + CHUNK_CHECKSUM_BYTES);
  const checksum = Buffer.alloc(CHUNK_CHECKSUM_BYTES);
  const data = await fragment.handle.read(target, 0, chunkBytes, position);
  const crc = await fragment.handle.read(checksum, 0, CHUNK_CHECKSUM_BYTES, position + chunkBytes);
  if (data.bytesRead !== chunkBytes || crc.bytesRead !== CHUNK_CHECKSUM_BYTES) return false;
  return checksum.readUInt32LE() === chunkChecksum(target);
}

async function openFragments(
  paths: string[],
): Promise<{ fragments: Fragment[]; ignored: string[] }> {
  if (paths.length === 0) throw new FragmentFormatError('(none)', 'no fragment files were given');
  const fragments: Fragment[] = [];
  const ignored: string[] = [];
  try {
    for (const path of paths) {
      const handle = await open(path, 'r');
      const headerBytes = Buffer.alloc(HEADER_BYTES);
      await handle.read(headerBytes, 0, HEADER_BYTES, 0);
      let header: FragmentHeader;
      try {
        header = decodeHeader(headerBytes, path);
      } catch (error) {
        await handle.close();
        throw error;
      }
      const first = fragments[0]?.header;
      if (first && !sameEncoding(first, header)) {
        await handle.close();
        throw new FragmentFormatError(
          path,
          `belongs to another encoding than ${fragments[0]!.path}`,
        );
      }
      if (fragments.some((fragment) => fragment.header.index === header.index)) {
        ignored.push(`${path} (fragment ${header.index} given twice)`);
        await handle.close();
        continue;
      }
      const size = (await handle.stat()).size;
      if (size > fragmentFileBytes(header)) {
        await handle.close();
        throw new FragmentFormatError(
          path,
          `is ${size} bytes, longer than the ${fragmentFileBytes(header)} its header implies`,
        );
      }
      fragments.push({ path, header, handle });
    }
  } catch (error) {
    for (const fragment of fragments) await fragment.handle.close();
    throw error;
  }
  return { fragments, ignored };
}

async function hashFile(path: string): Promise<string> {
  const hash = sha256();
  for await (const chunk of createReadStream(path, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>)
    hash.update(chunk);
  return hash.digest('hex');
}

function alignedBytes(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
