// Proves, on 6 real node processes in 3 regions with an RS(4,2) volume, that the consistency
// managers keep every acknowledged write while several writers update overlapping stripes (now
// and then a burst of a stripe's blocks at once, which its owner may carry in one update) and
// nodes (the Raft leader and the stripes' owners included) are killed with kill -9 and restarted
// at random: afterwards the repair queue drains to zero, every word reads back as the newest
// acknowledged write covering it (or a write that overlapped that one in time and was not
// refused), and every stripe on disk is at the versions its newest registry names, with parity
// that encodes its data.
//
// Replay a run's choices with TESSERA_SEED=<seed> (printed at the start); TESSERA_KEEP=1 keeps a
// failed run's directory (node logs in <dir>/cluster/<node>/node.log).
import { expect } from 'chai';
import { connect } from '../../client/index.js';
import type { ClusterMapState } from '../../node/cluster/cluster-map-types.js';
import { runChaos, type ChaosReport } from './cm-kit/chaos.js';
import { checkHistory } from './cm-kit/history-check.js';
import { ProcessCluster, eventually, settled, sleep } from './cm-kit/process-cluster.js';
import { log, nowMs } from './cm-kit/progress.js';
import { SeededRandom } from '../../consensus/index.js';
import { runSeed } from './cm-kit/run-seed.js';
import { checkStoredStripes } from './cm-kit/store-check.js';
import type { CallRecord } from './cm-kit/timed-transport.js';
import {
  newHistory,
  outcomeCounts,
  randomRange,
  wordsOf,
  Writer,
  type History,
  type ReadRecord,
  type WorkloadShape,
} from './cm-kit/workload.js';

const SHAPE: WorkloadShape = { volume: 'chaos', k: 4, blockBytes: 4096, stripes: 3 };
const WRITERS = 4;
const CHAOS_MS = 40_000;

describe('process: consistency managers under kill -9 chaos', function () {
  this.timeout(300_000);
  let cluster: ProcessCluster | undefined;
  let writers: Writer[] = [];
  let stopWorkload = true;

  afterEach(async function () {
    stopWorkload = true;
    await Promise.all(writers.map((writer) => writer.close()));
    writers = [];
    const failed = this.currentTest?.state === 'failed';
    if (failed && cluster) {
      for (const node of cluster.nodes) {
        const lines = await cluster.logLines(
          node.id,
          /"level":(40|50|60)|"role":"leader"|consistency manager started/,
        );
        console.log(
          `--- ${node.id}: warnings, errors, leaderships and CM starts (last 15 of ${lines.length})`,
        );
        console.log(lines.slice(-15).join('\n'));
      }
    }
    await cluster?.destroy(failed && process.env.TESSERA_KEEP === '1');
    cluster = undefined;
  });

  it('writers on overlapping stripes through kill -9 of random nodes, the leader and owners included: nothing acknowledged is lost, the repair queue drains, every stripe verifies', async () => {
    const seed = runSeed();
    log(`seed ${seed} (replay: TESSERA_SEED=${seed})`);
    const random = new SeededRandom(seed);
    cluster = await ProcessCluster.create('tessera-cm-chaos-', { nodes: 6, regions: 3 });
    cluster.startAll();
    const first = await settled(cluster, 90_000);
    log(`6 nodes up, epoch ${first.epoch}`);

    const { history, nextId } = newHistory();
    const calls: CallRecord[] = [];
    writers = await openWriters(cluster, history, nextId, calls);
    const volumeInfo = writers[0]!.volume.info;
    log(
      `volume ${volumeInfo.name}: RS(${volumeInfo.k},${volumeInfo.m}), ${volumeInfo.blockBytes}-byte blocks, write quorum ${volumeInfo.writeQuorum}, ${SHAPE.stripes} stripes written`,
    );

    stopWorkload = false;
    const loops = writers.map((writer) => writerLoop(writer, random.fork(), () => stopWorkload));
    const progress = setInterval(() => {
      const counts = outcomeCounts(history);
      const stuck = stuckCalls(calls, 5_000, cluster!);
      log(
        `writes acked ${counts.acked}, unknown ${counts.unknown}, failed ${counts.failed}, in flight ${counts.pending}; reads ${history.reads.length}; running ${cluster?.running().join(' ')}${stuck ? `; calls in flight over 5 s: ${stuck}` : ''}`,
      );
    }, 5_000);
    let report: ChaosReport;
    try {
      report = await runChaos(cluster, random.fork(), {
        durationMs: CHAOS_MS,
        volume: SHAPE.volume,
        stripes: SHAPE.stripes,
        downMax: 2,
      });
      log(`chaos over: ${report.kills.length} kills; waiting for the writers to finish`);
      stopWorkload = true;
      await Promise.all(loops);
    } finally {
      clearInterval(progress);
    }
    const counts = outcomeCounts(history);
    log(
      `writes: ${counts.acked} acknowledged, ${counts.unknown} unknown, ${counts.failed} not applied; ${history.reads.length} reads during the chaos`,
    );
    logSlowCalls(calls, cluster);
    logCallOutcomes(calls);

    // What goes wrong from here on is collected, so that one run reports everything it found.
    const problems: string[] = [];
    const notSettled = await settled(cluster, 45_000).then(
      () => null,
      (error: Error) => error.message,
    );
    if (notSettled) {
      log(`NOT SETTLED: ${notSettled}`);
      problems.push(`with every node restarted, the map does not show them all up: ${notSettled}`);
    } else log('every node is up again');
    log('waiting for the repair queue to drain');
    const drained = await drainRepairQueue(cluster, 45_000).catch((error: Error) => {
      problems.push(error.message);
      return undefined;
    });

    // The final read, stripe by stripe, so that one stripe that cannot be read hides no other.
    const stripeBytes = SHAPE.k * SHAPE.blockBytes;
    const finalReads: ReadRecord[] = [];
    const finalBytes = new Map<number, Uint8Array>();
    for (let stripe = 0; stripe < SHAPE.stripes; stripe++) {
      const startedAtMs = nowMs();
      try {
        const bytes = await writers[0]!.volume.read(stripe * stripeBytes, stripeBytes);
        finalBytes.set(stripe, bytes);
        finalReads.push({
          reader: 'final read',
          offset: stripe * stripeBytes,
          words: wordsOf(bytes),
          startedAtMs,
          endedAtMs: nowMs(),
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`final read of stripe ${stripe} failed: ${message}`);
        problems.push(`stripe ${stripe} cannot be read after the chaos: ${message}`);
      }
    }
    const violations = checkHistory(history, finalReads, SHAPE.blockBytes);
    log(
      `final read of ${finalReads.length} of ${SHAPE.stripes} stripes and ${history.reads.length} reads checked against ${history.writes.size} writes: ${violations.length} violations`,
    );
    for (const violation of violations.slice(0, 40)) console.log(`      VIOLATION ${violation}`);
    if (violations.length > 0)
      problems.push(
        `${violations.length} violations of the history (the first 40 are shown above); replay with TESSERA_SEED=${seed}`,
      );
    problems.push(...history.alarms.map((alarm) => `alarm: ${alarm}`));

    const finalMap = (await cluster.map())!;
    if (drained && finalMap.marks.length > 0)
      problems.push(
        `the repair queue filled again after it drained: ${finalMap.marks.length} marks`,
      );
    for (const id of cluster.running()) await cluster.terminate(id);
    log('nodes stopped (SIGTERM); checking every stripe on disk');
    const volume = finalMap.volumes.find((record) => record.name === SHAPE.volume)!;
    const stripes = await checkStoredStripes(
      finalMap,
      volume,
      SHAPE.stripes,
      (id) => cluster!.dataDir(id),
      (stripe) => finalBytes.get(stripe),
    );
    for (const stripe of stripes) {
      log(
        `stripe ${stripe.stripe}: ${stripe.nodes.map((node, index) => `${index}@${node}=${stripe.versions[index]}`).join(' ')}${stripe.problems.length ? `: ${stripe.problems.join('; ')}` : ' ok'}`,
      );
      if (stripe.problems.length > 0)
        stripe.registries.forEach((registry, index) => {
          if (registry !== null) log(`  parity ${index}'s registry: ${registry}`);
        });
      problems.push(...stripe.problems.map((problem) => `stripe ${stripe.stripe}: ${problem}`));
    }
    if (counts.acked === 0) problems.push('no write was acknowledged at all');
    expect(problems, `seed ${seed}`).to.deep.equal([]);
  });
});

async function openWriters(
  cluster: ProcessCluster,
  history: History,
  nextId: () => number,
  calls: CallRecord[],
): Promise<Writer[]> {
  const creator = await connect({ seeds: cluster.seeds() });
  try {
    await creator.createVolume(SHAPE.volume, { k: SHAPE.k, m: 2, blockBytes: SHAPE.blockBytes });
  } finally {
    await creator.close();
  }
  const writers: Writer[] = [];
  for (let at = 1; at <= WRITERS; at++)
    writers.push(
      await Writer.open(`writer-${at}`, cluster.seeds(), SHAPE.volume, history, nextId, calls),
    );
  return writers;
}

async function writerLoop(
  writer: Writer,
  random: SeededRandom,
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    const range = randomRange(SHAPE, random);
    if (random.chance(0.15)) await writer.read(range.offset, range.length);
    else if (random.chance(0.15)) {
      // A burst of whole blocks of one stripe in a row, all in flight at once, as a writer
      // streaming new data sends them (their owner may carry them in one update).
      const count = 2 + random.int(SHAPE.k - 1);
      const first = random.int(SHAPE.stripes) * SHAPE.k + random.int(SHAPE.k - count + 1);
      await Promise.all(
        Array.from({ length: count }, (_, at) =>
          writer.write((first + at) * SHAPE.blockBytes, SHAPE.blockBytes),
        ),
      );
    } else await writer.write(range.offset, range.length);
    await sleep(random.int(20));
  }
}

/**
 * Waits until the map has no stale marks and no node marks (nodes back from down whose fragments
 * are not all verified), printing the queue whenever it changes.
 */
async function drainRepairQueue(
  cluster: ProcessCluster,
  timeoutMs: number,
): Promise<ClusterMapState> {
  let last = '';
  return eventually(
    "the repair queue (the map's stale marks and node marks) is empty",
    async () => {
      const map = await cluster.map();
      if (!map) return undefined;
      const queue = map.marks
        .map((mark) => `${mark.stripe}/${mark.index}@${mark.version.epoch}.${mark.version.seq}`)
        .join(' ');
      const nodeMarks = (map.nodeMarks ?? [])
        .map((mark) => `${mark.node} (${mark.cleared.length} stripes cleared)`)
        .join(', ');
      const now = `${queue}|${nodeMarks}`;
      if (now !== last) {
        log(
          `repair queue: ${map.marks.length} marks${queue ? ` (${queue})` : ''}; node marks: ${nodeMarks || 'none'}; epoch ${map.epoch}`,
        );
        last = now;
      }
      return map.marks.length === 0 && nodeMarks === '' ? map : undefined;
    },
    timeoutMs,
    500,
  );
}

/** A call as "write n3 chaos/1 12.3 s (UNAVAILABLE)". */
function describeCall(call: CallRecord, cluster: ProcessCluster, atMs: number): string {
  const node =
    cluster.nodes.find((candidate) => candidate.grpc === call.address)?.id ?? call.address;
  const stripe = Math.floor(call.offset / (SHAPE.k * SHAPE.blockBytes));
  const seconds = ((Math.min(call.endedAtMs, atMs) - call.startedAtMs) / 1000).toFixed(1);
  return `${call.kind} ${node} ${call.volume}/${stripe} ${seconds} s${call.outcome === 'pending' ? '' : ` (${call.outcome})`}`;
}

/** The calls in flight for longer than `ms`, described; '' when none. */
function stuckCalls(calls: readonly CallRecord[], ms: number, cluster: ProcessCluster): string {
  const now = nowMs();
  return calls
    .filter((call) => call.endedAtMs === Infinity && now - call.startedAtMs > ms)
    .map((call) => describeCall(call, cluster, now))
    .join(', ');
}

/** Prints how the Volumes calls ended: counts per outcome and kind of message, most first. */
function logCallOutcomes(calls: readonly CallRecord[]): void {
  const groups = new Map<string, { count: number; example: string }>();
  for (const call of calls) {
    const message = call.message ?? '';
    // Calls that failed the same way differ only in numbers and addresses.
    const key = `${call.outcome} ${message.replace(/[0-9.:]+/g, '#').slice(0, 80)}`;
    const group = groups.get(key) ?? { count: 0, example: message };
    group.count += 1;
    groups.set(key, group);
  }
  for (const [key, { count, example }] of [...groups].sort((a, b) => b[1].count - a[1].count))
    log(`  ${count} calls ${key.split(' ')[0]}${example ? `: ${example.slice(0, 200)}` : ''}`);
}

/** Prints how many Volumes calls took over 5 s and the slowest few, with how they ended. */
function logSlowCalls(calls: readonly CallRecord[], cluster: ProcessCluster): void {
  const slow = calls
    .filter((call) => call.endedAtMs - call.startedAtMs > 5_000)
    .sort((a, b) => b.endedAtMs - b.startedAtMs - (a.endedAtMs - a.startedAtMs));
  log(
    `${calls.length} Volumes calls, ${slow.length} over 5 s${
      slow.length
        ? `; slowest: ${slow
            .slice(0, 6)
            .map((call) => describeCall(call, cluster, Infinity))
            .join(', ')}`
        : ''
    }`,
  );
}
