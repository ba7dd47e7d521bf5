// Proves the durable Raft log keeps term, vote, entries and snapshots across restarts and a real
// SIGKILL, cuts a torn tail back to the last good record, refuses to start on damage inside data
// that was already durable, compacts segments under a snapshot, and covers many concurrent
// appends with few fsyncs (group commit).
import { spawn } from 'node:child_process';
import {
  appendFile,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  encodeRecord,
  replayRecords,
  scanSegment,
  type Entry,
  type Persist,
  type Snapshot,
} from '../../consensus/index.js';
import { CorruptLogError } from '../../node/raft/errors.js';
import { SegmentLog } from '../../node/raft/segment-log.js';

const entry = (index: number, term = 1, text = `e${index}`): Entry => ({
  index,
  term,
  type: 'normal',
  data: new TextEncoder().encode(text),
});
const write = (entries: Entry[], term = 1, commit = 0): Persist => ({
  hardState: { term, vote: 1, commit },
  entries,
  snapshot: undefined,
});
const snapshotAt = (index: number, term: number): Snapshot => ({
  meta: { index, term, config: { voters: [1, 2, 3], learners: [] } },
  data: new TextEncoder().encode(`state@${index}`),
});
const indexes = (log: SegmentLog): number[] => log.state.entries.map((e) => e.index);
const flip = (bytes: Uint8Array, at: number, mask: number): void => {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
};
const segmentsIn = async (dir: string): Promise<string[]> =>
  (await readdir(dir)).filter((name) => name.endsWith('.seg')).sort();

describe('the durable Raft log (segment files)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-raft-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps term, vote, entries and overwrites across a restart', async () => {
    const log = await SegmentLog.open(dir);
    await log.append(write([entry(1), entry(2), entry(3)], 1, 1));
    await log.append(write([entry(3, 2, 'new'), entry(4, 2)], 2, 2)); // a new leader overwrote 3
    await log.close();
    const reopened = await SegmentLog.open(dir);
    expect(reopened.state.hardState).to.deep.equal({ term: 2, vote: 1, commit: 2 });
    expect(reopened.state.entries.map((e) => [e.index, e.term])).to.deep.equal([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
    ]);
    expect(new TextDecoder().decode(reopened.state.entries[2]?.data)).to.equal('new');
    expect(reopened.recovery.tornBytes).to.equal(0);
    await reopened.close();
  });

  it('cuts a torn last record back to the last good one, and goes on appending after it', async () => {
    const log = await SegmentLog.open(dir);
    await log.append(write([entry(1), entry(2)]));
    await log.append(write([entry(3)]));
    await log.close();
    const [segment] = await segmentsIn(dir);
    const path = join(dir, segment ?? '');
    await truncate(path, (await stat(path)).size - 5); // the crash cut the last write short
    const reopened = await SegmentLog.open(dir);
    expect(indexes(reopened)).to.deep.equal([1, 2, 3]); // the entries record survived…
    expect(reopened.recovery.tornBytes).to.be.greaterThan(0); // …its hard state did not
    expect(reopened.recovery.tornReason).to.equal('record cut short');
    await reopened.append(write([entry(4)]));
    await reopened.close();
    const again = await SegmentLog.open(dir);
    expect(indexes(again)).to.deep.equal([1, 2, 3, 4]);
    expect(again.recovery.tornBytes).to.equal(0);
    await again.close();
  });

  it('cuts garbage at the end (a write that never completed) and keeps the good prefix', async () => {
    const log = await SegmentLog.open(dir);
    await log.append(write([entry(1)]));
    await log.close();
    const [segment] = await segmentsIn(dir);
    const frame = encodeRecord({ type: 'entries', entries: [entry(2)] });
    flip(frame, frame.length - 1, 0xff); // complete length, wrong checksum: a torn page
    await appendFile(join(dir, segment ?? ''), frame);
    const reopened = await SegmentLog.open(dir);
    expect(indexes(reopened)).to.deep.equal([1]);
    expect(reopened.recovery.tornReason).to.equal('checksum mismatch');
    await reopened.close();
  });

  it('refuses to start, with a clear error, when a durable record in the middle is damaged', async () => {
    const log = await SegmentLog.open(dir);
    for (let i = 1; i <= 5; i += 1) await log.append(write([entry(i)], 1, i - 1));
    await log.close();
    const [segment] = await segmentsIn(dir);
    const path = join(dir, segment ?? '');
    const bytes = await readFile(path);
    flip(bytes, 20, 0x01); // one bit flips inside the first record
    await writeFile(path, bytes);
    const error = await SegmentLog.open(dir).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(CorruptLogError);
    expect(error).to.have.property('code', 'RAFT_LOG_CORRUPT');
    expect(String(error)).to.match(
      /checksum mismatch at byte 0 .* good records after it.*refusing to start/,
    );
    expect((await readFile(path)).equals(bytes)).to.equal(true); // and it changed nothing
  });

  it('refuses a log that ends below its recorded commit index', () => {
    const records = [
      { type: 'entries', entries: [entry(1), entry(2)] } as const,
      { type: 'hardState', hardState: { term: 1, vote: 1, commit: 5 } } as const,
    ];
    expect(replayRecords(undefined, records)).to.deep.equal({
      ok: false,
      reason: 'the log ends at 2 but 5 was committed',
    });
  });

  it('compacts under a snapshot: old segments go, later entries stay', async () => {
    const log = await SegmentLog.open(dir, { segmentBytesMax: 200 });
    for (let i = 1; i <= 30; i += 1) await log.append(write([entry(i)], 1, i));
    const before = (await segmentsIn(dir)).length;
    await log.append({ hardState: undefined, entries: [], snapshot: snapshotAt(25, 1) });
    await log.append(write([entry(31)], 1, 31));
    await log.close();
    expect((await segmentsIn(dir)).length).to.be.lessThan(before);
    const reopened = await SegmentLog.open(dir);
    expect(reopened.state.snapshot?.meta.index).to.equal(25);
    expect(indexes(reopened)).to.deep.equal([26, 27, 28, 29, 30, 31]);
    await reopened.close();
  });

  it('replaces a divergent log by a leader’s snapshot that it does not contain', async () => {
    const log = await SegmentLog.open(dir);
    await log.append(write([entry(1), entry(2), entry(3)]));
    await log.append({
      hardState: { term: 4, vote: 0, commit: 10 },
      entries: [],
      snapshot: snapshotAt(10, 4),
    });
    await log.append(write([entry(11, 4)], 4, 10));
    await log.close();
    const reopened = await SegmentLog.open(dir);
    expect(reopened.state.snapshot?.meta).to.deep.include({ index: 10, term: 4 });
    expect(indexes(reopened)).to.deep.equal([11]);
    await reopened.close();
  });

  it('group commit: 200 concurrent appends share a few fsyncs and all survive', async () => {
    const log = await SegmentLog.open(dir);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => log.append(write([entry(i + 1)], 1, i))),
    );
    expect(log.stats.appends).to.equal(200);
    expect(log.stats.syncs).to.be.at.most(5); // the first append's fsync, then one for the rest
    await log.close();
    const reopened = await SegmentLog.open(dir);
    expect(reopened.state.entries).to.have.length(200);
    await reopened.close();
  });

  it('after a SIGKILL mid-write, holds every acknowledged entry and opens cleanly', async function () {
    this.timeout(15_000);
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      'test/consensus/fixtures/crash-writer.ts',
      dir,
    ]);
    let acked = 0;
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines)
          acked = Math.max(acked, Number(/^acked (\d+)$/.exec(line)?.[1] ?? 0));
        if (acked >= 1500 && child.kill('SIGKILL')) resolve();
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}`));
      });
    });
    const log = await SegmentLog.open(dir);
    expect(log.state.entries.length).to.be.at.least(acked);
    log.state.entries.forEach((e, i) => {
      expect(e.index).to.equal(i + 1);
      expect(new TextDecoder().decode(e.data)).to.equal(
        `entry-${e.index}`.repeat(1 + (e.index % 7)),
      );
    });
    expect((await segmentsIn(dir)).length).to.be.greaterThan(1); // it rolled segments meanwhile
    await log.close();
  });

  it('frames records so that a scan stops exactly at the first bad byte', () => {
    const one = encodeRecord({ type: 'entries', entries: [entry(1)] });
    const two = encodeRecord({ type: 'hardState', hardState: { term: 3, vote: 2, commit: 1 } });
    const joined = new Uint8Array([...one, ...two]);
    expect(scanSegment(joined).records.map((r) => r.type)).to.deep.equal(['entries', 'hardState']);
    const cut = scanSegment(joined.subarray(0, joined.length - 1));
    expect(cut.goodBytes).to.equal(one.length);
    expect(cut.bad).to.deep.equal({
      offset: one.length,
      reason: 'record cut short',
      goodFrameAfter: false,
    });
  });
});
