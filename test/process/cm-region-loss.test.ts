// Proves, on 6 real node processes in 3 regions with two RS(4,2) volumes (write quorum k+1 and
// k), what losing a whole region (both of its nodes killed with kill -9, never restarted) does:
// every byte stays readable by degraded reads; the q = k volume goes on taking writes and the
// q = k+1 volume pauses them (nothing acknowledged); and once the two nodes are declared out, the
// rebuild restores what the placement rule allows on the 4 remaining nodes in 2 regions (4 of
// the 6 places) while placement names the fragments it cannot place. Each step is its own test,
// on one cluster, in order.
//
// TESSERA_KEEP=1 keeps a failed run's directory (node logs in <dir>/cluster/<node>/node.log).
import { expect } from 'chai';
import {
  connect,
  GrpcTransport,
  OutcomeUnknownError,
  TesseraError,
  UnavailableError,
  type Volume,
  type Cluster,
  type VolumeInfo,
} from '../../client/index.js';
import { ReedSolomon } from '../../erasure/index.js';
import type { ClusterMapState } from '../../node/cluster/cluster-map-types.js';
import { topologyOf } from '../../node/cluster/cluster-map.js';
import { fragmentNodes, ownerNow } from '../../node/cm/owned-stripe.js';
import { place, stripeKey } from '../../placement/index.js';
import { ExpectedBytes } from './cm-kit/expected-bytes.js';
import { ProcessCluster, eventually, settled, tessera } from './cm-kit/process-cluster.js';
import { log } from './cm-kit/progress.js';
import { SeededRandom } from '../../consensus/index.js';
import { checkStoredStripes } from './cm-kit/store-check.js';
import { readStripe } from './cm-kit/stripe-read.js';

const K = 4;
const M = 2;
const BLOCK_BYTES = 4096;
const STRIPES = 3;
const VOLUME_BYTES = STRIPES * K * BLOCK_BYTES;
/** The volume with the default write quorum k + 1, and the one with q = k. */
const Q5 = 'quorum-k-plus-1';
const Q4 = 'quorum-k';

describe('process: losing a whole region (RS(4,2) on 6 nodes in 3 regions)', function () {
  this.timeout(300_000);
  let cluster: ProcessCluster;
  let client: Cluster;
  const transport = new GrpcTransport({ callDeadlineMs: 10_000 });
  const random = new SeededRandom(20_261_125);
  const expected = new Map<string, ExpectedBytes>();
  let volumes: VolumeInfo[] = [];
  /** The map just after the region went down, and the nodes lost. */
  let mapDown: ClusterMapState;
  let lost: string[] = [];
  /** Set when a test (or the setup) failed: the nodes' warnings are printed, TESSERA_KEEP honoured. */
  let anyFailed = true;

  before(async () => {
    cluster = await ProcessCluster.create('tessera-cm-region-', { nodes: 6, regions: 3 });
    cluster.startAll();
    await settled(cluster, 90_000);
    // Every consistency manager has recorded its start (cm_started) before the writes begin.
    await eventually(
      'every node has started its consistency manager',
      async () => {
        const map = await cluster.map();
        return map && map.members.every((member) => (member.incarnation ?? 0) >= 1)
          ? map
          : undefined;
      },
      30_000,
    );
    // Few, quick retries: a refused write should surface in about a second, not in 14.
    client = await connect({
      seeds: cluster.seeds(),
      writerId: 'region-loss-writer',
      retry: { attemptsMax: 4, backoffMsMin: 50, backoffMsMax: 400 },
      callDeadlineMs: 10_000,
    });
    volumes = [
      await client.createVolume(Q5, { k: K, m: M, blockBytes: BLOCK_BYTES }),
      await client.createVolume(Q4, { k: K, m: M, blockBytes: BLOCK_BYTES, writeQuorum: K }),
    ];
    for (const volume of volumes) {
      log(`volume ${volume.name}: write quorum ${volume.writeQuorum}, rule ${volume.ruleReason}`);
      const content = randomBytes(random, VOLUME_BYTES);
      await writeUntilAcknowledged(await client.openVolume(volume.name), content);
      const model = new ExpectedBytes(VOLUME_BYTES);
      model.acknowledged(0, content);
      expected.set(volume.name, model);
    }
    const full = (await cluster.map())!;
    const region = regionToLose(full);
    lost = cluster.nodes.filter((node) => node.region === region).map((node) => node.id);
    printPlacement(full, 'with every node up');
    log(`killing region ${region} (${lost.join(', ')}; the leader is ${await cluster.leader()})`);
    for (const id of lost) await cluster.kill(id);
    mapDown = await eventually(
      `the failure detector marks ${lost.join(' and ')} down`,
      async () => {
        const map = await cluster.map();
        return map && lost.every((id) => map.members.find((m) => m.id === id)?.state === 'down')
          ? map
          : undefined;
      },
      30_000,
    );
    log(`${lost.join(' and ')} are down at epoch ${mapDown.epoch}`);
    printPlacement(mapDown, `with region ${region} down`);
    anyFailed = false;
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') anyFailed = true;
  });

  after(async () => {
    transport.close();
    await client?.close();
    if (anyFailed && cluster) {
      for (const node of cluster.nodes) {
        const lines = await cluster.logLines(node.id, /"level":(40|50|60)/);
        console.log(`--- ${node.id}: warnings and errors (last 8 of ${lines.length})`);
        console.log(lines.slice(-8).join('\n'));
      }
    }
    await cluster?.destroy(anyFailed && process.env.TESSERA_KEEP === '1');
  });

  it('every byte of both volumes reads back with the region down, decoded where a data fragment was lost', async () => {
    const problems: string[] = [];
    for (const volume of volumes) problems.push(...(await checkReads(volume, mapDown)));
    expect(problems).to.deep.equal([]);
  });

  it('the q = k volume goes on taking writes with the region down, and they read back', async () => {
    const outcomes = await writeEveryBlock(volumes.find((volume) => volume.name === Q4)!);
    expect(outcomes.filter((outcome) => outcome.code !== 'acked')).to.deep.equal([]);
    const problems = await checkReads(
      volumes.find((volume) => volume.name === Q4)!,
      mapDown,
    );
    expect(problems).to.deep.equal([]);
  });

  it('the q = k+1 volume pauses writes with the region down: each fails with UNAVAILABLE or OUTCOME_UNKNOWN, none is acknowledged', async () => {
    const outcomes = await writeEveryBlock(volumes.find((volume) => volume.name === Q5)!);
    expect(
      outcomes.filter((outcome) => !['UNAVAILABLE', 'OUTCOME_UNKNOWN'].includes(outcome.code)),
      'writes acknowledged (or failing otherwise) with only k = 4 of the 6 fragments reachable',
    ).to.deep.equal([]);
  });

  it('the q = k+1 volume still reads back after its refused writes (each byte as before, or as a write of unknown outcome left it)', async () => {
    const problems = await checkReads(
      volumes.find((volume) => volume.name === Q5)!,
      mapDown,
    );
    expect(problems).to.deep.equal([]);
  });

  it('declaring both nodes out (tessera cluster set-state): placement cannot give 6 fragments 6 places on 4 nodes in 2 regions, and names the unplaced ones', async () => {
    const live = cluster.nodes.find((node) => !lost.includes(node.id))!;
    // Down is not out: while the nodes are only down, placement still has a place for every fragment.
    const before = await cluster.status(live.id);
    expect(before?.volumes.map((volume) => volume.unplaced)).to.deep.equal([0, 0]);
    for (const id of lost) {
      const result = await tessera(
        'cluster',
        'set-state',
        '--node',
        id,
        '--state',
        'out',
        '--reason',
        'its region is lost',
        '--grpc',
        live.grpc,
      );
      log(
        `tessera cluster set-state --node ${id} --state out: exit ${result.code}: ${(result.stdout + result.stderr).trim()}`,
      );
      expect(result.code, result.stderr).to.equal(0);
    }
    const map = await eventually(
      'the map lists both nodes out',
      async () => {
        const current = await cluster.map();
        return current &&
          lost.every((id) => current.members.find((m) => m.id === id)?.state === 'out')
          ? current
          : undefined;
      },
      10_000,
    );
    printPlacement(map, 'after both are out');
    for (const volume of map.volumes) {
      for (let stripe = 0; stripe < STRIPES; stripe++) {
        const placement = place(
          stripeKey(volume.name, stripe),
          topologyOf(map),
          volume,
          volume.rule,
        );
        expect(placement.unplaced, `${volume.name}/${stripe}`).to.have.length(M);
        expect(placement.degradedReason).to.match(
          /4 places under "at most 2 per region" for 6 fragments/,
        );
      }
    }
    // What an operator reads: every live node's /v1/status says what cannot be placed, and why.
    for (const id of cluster.running()) {
      const status = await eventually(
        `${id}'s /v1/status shows the topology with both nodes out`,
        async () => {
          const current = await cluster.status(id);
          return current && current.topologyVersion >= map.topologyVersion ? current : undefined;
        },
        10_000,
      );
      for (const volume of status.volumes) {
        log(
          `${id} /v1/status: ${volume.name}: ${volume.unplaced} unplaced: ${volume.unplacedReason}`,
        );
        expect(volume.unplaced, `${id}: ${volume.name}`).to.equal(M);
        expect(volume.unplacedReason).to.match(/fragments \d+, \d+ are unplaced/);
      }
    }
  });

  it('after out, every byte of both volumes still reads back (the 4 surviving fragments of each stripe hold it)', async () => {
    const map = (await cluster.map())!;
    const problems = await eventually(
      'both volumes read back',
      async () => {
        const found: string[] = [];
        for (const volume of volumes) found.push(...(await checkReads(volume, map, false)));
        return found.length === 0 ? found : undefined;
      },
      20_000,
      1_000,
    ).catch(async (error: Error) => {
      log(error.message);
      const found: string[] = [];
      for (const volume of volumes) found.push(...(await checkReads(volume, map, false)));
      return found;
    });
    expect(problems).to.deep.equal([]);
  });

  it('after out, the rebuild restores what the rule allows: the repair queue keeps only the unplaced fragments, and every placed fragment is at the settled version on disk', async () => {
    const unplaced = (map: ClusterMapState): Set<string> => {
      const keys = new Set<string>();
      for (const volume of map.volumes)
        for (let stripe = 0; stripe < STRIPES; stripe++)
          fragmentNodes(map, volume, stripe).forEach((node, index) => {
            if (node === null) keys.add(`${volume.name}/${stripe}/${index}`);
          });
      return keys;
    };
    let last = '';
    const problems: string[] = [];
    const map = await eventually(
      'the repair queue holds marks of unplaced fragments only',
      async () => {
        const current = (await cluster.map())!;
        const outside = unplaced(current);
        const queue = current.marks.map(
          (mark) =>
            `${mark.volume}/${mark.stripe}/${mark.index}@${mark.version.epoch}.${mark.version.seq}${outside.has(`${mark.volume}/${mark.stripe}/${mark.index}`) ? '(unplaced)' : ''}`,
        );
        if (queue.join(' ') !== last) {
          last = queue.join(' ');
          log(`repair queue: ${queue.length} marks: ${last}`);
        }
        const placedMarks = current.marks.filter(
          (mark) => !outside.has(`${mark.volume}/${mark.stripe}/${mark.index}`),
        );
        return placedMarks.length === 0 ? current : undefined;
      },
      30_000,
      1_000,
    ).catch(async (error: Error) => {
      problems.push(error.message);
      return (await cluster.map())!;
    });
    for (const id of cluster.running()) {
      const status = await cluster.status(id);
      log(
        `${id} /v1/status: repair ${JSON.stringify(status?.repair)}; rebuild ${JSON.stringify(status?.rebuild)}`,
      );
    }
    for (const id of cluster.running()) await cluster.terminate(id);
    const engine = new ReedSolomon(K, M);
    for (const volume of map.volumes) {
      const model = expected.get(volume.name)!;
      const reports = await checkStoredStripes(map, volume, STRIPES, (id) => cluster.dataDir(id));
      for (const report of reports) {
        log(
          `${volume.name}/${report.stripe} on disk: ${report.nodes.map((node, index) => `${index}@${node ?? '-'}=${report.versions[index] ?? '-'}`).join(' ')}`,
        );
        // Unplaced fragments are expected to be missing; anything else is a problem.
        problems.push(
          ...report.problems
            .filter((problem) => !/has no node to live on/.test(problem))
            .map((problem) => `${volume.name}/${report.stripe}: ${problem}`),
        );
        // The placed fragments decode to what was written.
        if (report.fragments.filter((bytes) => bytes !== null).length >= K) {
          const data = Buffer.concat(engine.reconstruct([...report.fragments]).slice(0, K));
          const wrong = model.mismatches(data, report.stripe * K * BLOCK_BYTES);
          if (wrong.length)
            problems.push(
              `${volume.name}/${report.stripe}: the placed fragments decode to other bytes at ${wrong.join(' ')}`,
            );
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  /** The setup's first write: resent with its writer sequence until acknowledged (a CM may still be starting). */
  async function writeUntilAcknowledged(volume: Volume, content: Buffer): Promise<void> {
    let writerSeq: number | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await volume.write(0, content, writerSeq === undefined ? undefined : { writerSeq });
        return;
      } catch (error) {
        if (attempt >= 20 || !(error instanceof TesseraError)) throw error;
        if (error instanceof OutcomeUnknownError && error.writerSeq !== null)
          writerSeq = error.writerSeq;
        log(`the setup's write: ${error.message}; again`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Reads a volume through the SDK and each stripe from its CM; returns what is wrong. */
  async function checkReads(
    volume: VolumeInfo,
    map: ClusterMapState,
    degradedExpected = true,
  ): Promise<string[]> {
    const problems: string[] = [];
    const model = expected.get(volume.name)!;
    try {
      const bytes = await (await client.openVolume(volume.name)).read(0, VOLUME_BYTES);
      const wrong = model.mismatches(bytes);
      log(
        `${volume.name}: read ${VOLUME_BYTES} bytes through the SDK: ${wrong.length ? `wrong at ${wrong.join(' ')}` : 'as written'}`,
      );
      if (wrong.length) problems.push(`${volume.name}: bytes differ at ${wrong.join(' ')}`);
    } catch (error) {
      const message =
        error instanceof TesseraError ? `${error.code}: ${error.message}` : String(error);
      log(`${volume.name}: read through the SDK failed: ${message}`);
      problems.push(`${volume.name}: the SDK read failed: ${message}`);
    }
    const record = map.volumes.find((candidate) => candidate.name === volume.name)!;
    for (let stripe = 0; stripe < STRIPES; stripe++) {
      const result = await readStripe(client, transport, volume, stripe, 3);
      if ('error' in result) {
        log(`  ${volume.name}/${stripe}: read from its owner failed: ${result.error}`);
        problems.push(`${volume.name}/${stripe}: ${result.error}`);
        continue;
      }
      const lostData = fragmentNodes(map, record, stripe)
        .slice(0, K)
        .some((node) => node === null || lost.includes(node));
      const wrong = model.mismatches(result.reply.bytes, stripe * K * BLOCK_BYTES);
      log(
        `  ${volume.name}/${stripe} from ${result.owner}: ${wrong.length ? `wrong at ${wrong.join(' ')}` : 'as written'}, degraded ${result.reply.degraded} (a data fragment lost: ${lostData})`,
      );
      if (wrong.length)
        problems.push(`${volume.name}/${stripe}: bytes differ at ${wrong.join(' ')}`);
      if (degradedExpected && result.reply.degraded !== lostData)
        problems.push(
          `${volume.name}/${stripe}: degraded is ${result.reply.degraded}, expected ${lostData}`,
        );
    }
    return problems;
  }

  /** Writes 64 new bytes into every block of the volume; returns each write's outcome. */
  async function writeEveryBlock(volume: VolumeInfo): Promise<{ block: number; code: string }[]> {
    const handle = await client.openVolume(volume.name);
    const model = expected.get(volume.name)!;
    const outcomes: { block: number; code: string }[] = [];
    for (let block = 0; block < STRIPES * K; block++) {
      const offset = block * BLOCK_BYTES + 64 * (1 + random.int(60));
      const bytes = randomBytes(random, 64);
      try {
        const result = await handle.write(offset, bytes);
        model.acknowledged(offset, bytes);
        const version = result.stripes[0]!.pieces[0]!.version;
        outcomes.push({ block, code: 'acked' });
        log(
          `${volume.name}: write into block ${block}: acknowledged at ${version.epoch}.${version.seq}`,
        );
      } catch (error) {
        const code = error instanceof TesseraError ? error.code : String(error);
        // Only UNAVAILABLE from a CM on every attempt says that nothing was applied.
        if (!(error instanceof UnavailableError && error.nothingApplied))
          model.mayHaveLanded(offset, bytes);
        outcomes.push({ block, code });
        log(
          `${volume.name}: write into block ${block}: ${code}: ${(error as Error).message.slice(0, 160)}`,
        );
      }
    }
    return outcomes;
  }

  function printPlacement(map: ClusterMapState, when: string): void {
    log(`placement ${when} (fragment@node, owner):`);
    for (const volume of map.volumes)
      for (let stripe = 0; stripe < STRIPES; stripe++) {
        const nodes = fragmentNodes(map, volume, stripe);
        log(
          `  ${volume.name}/${stripe}: ${nodes.map((node, index) => `${index}@${node ?? '-'}`).join(' ')}, owner ${ownerNow(map, stripeKey(volume.name, stripe))}`,
        );
      }
  }
});

/**
 * The region to lose: the one that holds the most owners of the q = k+1 volume's stripes (their
 * new owners must recover them with only k fragments reachable), then of the q = k volume's.
 */
function regionToLose(map: ClusterMapState): string {
  const score = new Map<string, number>();
  for (const volume of map.volumes)
    for (let stripe = 0; stripe < STRIPES; stripe++) {
      const owner = ownerNow(map, stripeKey(volume.name, stripe));
      const region = map.members.find((member) => member.id === owner)?.region;
      if (region) score.set(region, (score.get(region) ?? 0) + (volume.name === Q5 ? 10 : 1));
    }
  return [...score].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

function randomBytes(random: SeededRandom, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let at = 0; at < length; at++) bytes[at] = random.int(256);
  return bytes;
}
