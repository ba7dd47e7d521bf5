/**
 * Summarises V8 CPU profiles (.cpuprofile, from `node --cpu-prof`; the cluster benchmark writes
 * one per node with BENCH_CLUSTER_CPU_PROF=DIR): where the time went, by area (Tessera's folders,
 * each package, Node.js internals, the garbage collector, idle) and by function, self and
 * inclusive, summed over every profile given.
 *
 *   node --import tsx bench/cluster/profile-summary.ts DIR_OR_FILES… [--top N] [--skip SECONDS]
 *     [--window FROM:TO]
 *
 * --skip leaves out each profile's first SECONDS (a node's startup, a warm-up). --window keeps
 * only the samples between two instants of the monotonic clock, in microseconds (the benchmark
 * prints each workload's window when it profiles).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { printTable } from '../measure.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  /** Microseconds of the monotonic clock when profiling began. */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds by key. */
type Tally = Map<string, number>;

function add(tally: Tally, key: string, micros: number): void {
  tally.set(key, (tally.get(key) ?? 0) + micros);
}

/** Where a frame's code lives: a Tessera folder, a package, Node.js, or V8's own entries. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const match = /\/(node|client|erasure|placement|consensus|proto|bench)\/([^/]+)\//.exec(url);
  if (match) return `${match[1]}/${match[2]}`;
  const top = /\/(node|client|erasure|placement|consensus|proto|bench)\//.exec(url);
  return top ? top[1]! : url.replace(/^file:\/\//, '');
}

/**
 * The subsystem a sample's time belongs to: the frame nearest the leaf that a rule recognises
 * (generic Node.js frames, streams and events, are passed over), else the leaf's area.
 */
const SUBSYSTEMS: [string, (frame: CallFrame) => boolean][] = [
  ['(garbage collector)', (frame) => frame.functionName === '(garbage collector)'],
  ['(program)', (frame) => frame.functionName === '(program)'],
  [
    'LevelDB (classic-level, abstract-level)',
    (frame) => /\/(classic-level|abstract-level|level-transcoder)\//.test(frame.url),
  ],
  ['sha-256 digests', (frame) => frame.url.startsWith('node:internal/crypto/hash')],
  [
    'gRPC (grpc-js, HTTP/2, protobufjs)',
    (frame) =>
      /\/(@grpc\/grpc-js|protobufjs|@protobufjs\/[^/]+)\/|^node:internal\/http2\//.test(frame.url),
  ],
  ['fragment store (node/store)', (frame) => /\/node\/store\//.test(frame.url)],
  [
    'Raft (consensus, node/raft, raft transport)',
    (frame) => /\/(consensus|node\/raft)\/|raft-transport|raft-message-codec/.test(frame.url),
  ],
  ['cluster map (node/cluster)', (frame) => /\/node\/cluster\//.test(frame.url)],
  ['CM (node/cm)', (frame) => /\/node\/cm\//.test(frame.url)],
  ['erasure', (frame) => /\/erasure\//.test(frame.url) || frame.url.startsWith('wasm://')],
  ['metrics (prom-client)', (frame) => /\/prom-client\//.test(frame.url)],
  ['module loading (startup)', (frame) => /\/tsx\/|^node:internal\/modules\//.test(frame.url)],
  ['Tessera gRPC adapters (node/grpc)', (frame) => /\/node\/grpc\//.test(frame.url)],
  [
    'node runtime (node/runtime, node/env)',
    (frame) => /\/node\/(runtime|env|admin)\//.test(frame.url),
  ],
];

function subsystemOf(stack: readonly CallFrame[]): string {
  for (const frame of stack)
    for (const [name, matches] of SUBSYSTEMS) if (matches(frame)) return name;
  return areaOf(stack[0]!);
}

function functionKey(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules\/)?/, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/** Adds one profile's self and inclusive time to the tallies. */
function tallyProfile(
  profile: Profile,
  tallies: {
    areaSelf: Tally;
    areaTotal: Tally;
    functionSelf: Tally;
    functionTotal: Tally;
    subsystem: Tally;
  },
  /** Samples in the first this many microseconds of the profile are left out (startup). */
  skipMicros: number,
  /** Only samples in [from, to] of the monotonic clock count. */
  window: { from: number; to: number },
): number {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  let total = 0;
  let elapsed = 0;
  profile.samples.forEach((id, at) => {
    const micros = profile.timeDeltas[at] ?? 0;
    elapsed += micros;
    if (elapsed < skipMicros) return;
    const instant = profile.startTime + elapsed;
    if (instant < window.from || instant > window.to) return;
    total += micros;
    const leaf = byId.get(id)!;
    add(tallies.areaSelf, areaOf(leaf.callFrame), micros);
    add(tallies.functionSelf, functionKey(leaf.callFrame), micros);
    const areas = new Set<string>();
    const functions = new Set<string>();
    const stack: CallFrame[] = [];
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id)!)) {
      if (node.callFrame.functionName === '(root)') break;
      stack.push(node.callFrame);
      areas.add(areaOf(node.callFrame));
      functions.add(functionKey(node.callFrame));
    }
    if (stack.length > 0) add(tallies.subsystem, subsystemOf(stack), micros);
    for (const area of areas) add(tallies.areaTotal, area, micros);
    for (const key of functions) add(tallies.functionTotal, key, micros);
  });
  return total;
}

function files(paths: string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.cpuprofile'))
          .map((name) => join(path, name))
      : [path],
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 30;
  const skipAt = args.indexOf('--skip');
  const skipSeconds = skipAt >= 0 ? Number(args.splice(skipAt, 2)[1]) : 0;
  const windowAt = args.indexOf('--window');
  const [from, to] =
    windowAt >= 0 ? args.splice(windowAt, 2)[1]!.split(':').map(Number) : [0, Infinity];
  if (!Number.isFinite(from) || Number.isNaN(to) || to! < from!)
    throw new Error('--window wants FROM:TO, two instants of the monotonic clock in microseconds');
  const tallies = {
    areaSelf: new Map() as Tally,
    areaTotal: new Map() as Tally,
    functionSelf: new Map() as Tally,
    functionTotal: new Map() as Tally,
    subsystem: new Map() as Tally,
  };
  let total = 0;
  const profiles = files(args);
  for (const file of profiles)
    total += tallyProfile(
      JSON.parse(readFileSync(file, 'utf8')) as Profile,
      tallies,
      skipSeconds * 1e6,
      { from: from!, to: to! },
    );
  const busy = total - (tallies.areaSelf.get('(idle)') ?? 0);
  const share = (micros: number): string => `${((100 * micros) / busy).toFixed(1)}%`;
  console.log(
    `${profiles.length} profiles, ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle (percentages of that)\n`,
  );
  printTable(
    ['subsystem (the frame nearest the leaf that belongs to one)', 'share'],
    [...tallies.subsystem]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([name, micros]) => [name, share(micros)]),
  );
  console.log('');
  printTable(
    ['area', 'self', 'inclusive'],
    [...tallies.areaSelf]
      .filter(([area]) => area !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([area, micros]) => [area, share(micros), share(tallies.areaTotal.get(area) ?? 0)]),
  );
  console.log('');
  printTable(
    ['function (self)', 'self', 'inclusive'],
    [...tallies.functionSelf]
      .filter(([key]) => !key.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, micros]) => [key, share(micros), share(tallies.functionTotal.get(key) ?? 0)]),
  );
  console.log('');
  printTable(
    ['function (inclusive)', 'inclusive', 'self'],
    [...tallies.functionTotal]
      .filter(([key]) => !key.startsWith('(idle)') && !key.startsWith('(program)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, micros]) => [key, share(micros), share(tallies.functionSelf.get(key) ?? 0)]),
  );
}

main();
