/**
 * What the nodes did during a phase, from their Prometheus endpoints (/metrics): gRPC calls
 * served by method (Fragments, Cluster and Volumes services; a CM's calls to its own node's store
 * go through no gRPC and are not counted; Raft messages are not counted), the server-side time
 * spent in them, process CPU seconds, Raft entries committed, and Raft reads (under the leader's
 * lease, or with a round of heartbeats). A phase's figures are the difference of two scrapes; a
 * counter that went down (a restarted node) counts from zero.
 */
import { request } from 'undici';

/** One scrape: per node, series key (name and labels but the node's) to value. */
export interface Scrape {
  atMs: number;
  nodes: Map<string, Map<string, number>>;
}

/** The nodes' work between two scrapes. */
export interface NodeWork {
  /** gRPC calls served, by method (every outcome). */
  calls: Map<string, number>;
  /** Calls that failed, by method. */
  failedCalls: Map<string, number>;
  /** Server-side seconds spent in calls, by method (summed over calls). */
  serverSeconds: Map<string, number>;
  /** Process CPU seconds, summed over the nodes. */
  cpuSeconds: number;
  /** Raft entries committed (the largest commit index move any node saw). */
  raftEntries: number;
  /** Linearizable Raft reads the leader answered: under its lease, and with a heartbeat round. */
  raftReads: { lease: number; round: number };
  /** Bytes that repairs and rebuilds wrote, summed over the nodes. */
  repairBytes: number;
  /** Updates that carried several pieces in one version, and the pieces they carried. */
  merged: { updates: number; pieces: number };
  /** Stripe recoveries the owners ran, and stripes they took with none (known never written). */
  recoveries: number;
  knownEmpty: number;
  /** Updates the owners started in one round (they knew the old block) and in two. */
  updateRounds: [number, number];
  seconds: number;
}

const SERIES = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Scrapes every admin address given (node id to host:port); a node that does not answer is left out. */
export async function scrape(admins: ReadonlyMap<string, string>): Promise<Scrape> {
  const nodes = new Map<string, Map<string, number>>();
  await Promise.all(
    [...admins].map(async ([id, address]) => {
      try {
        const response = await request(`http://${address}/metrics`, {
          headersTimeout: 3000,
          bodyTimeout: 3000,
        });
        if (response.statusCode !== 200) return void (await response.body.dump());
        nodes.set(id, parse(await response.body.text()));
      } catch {
        // Down or killed: its figures for the phase are lost.
      }
    }),
  );
  return { atMs: performance.now(), nodes };
}

function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SERIES.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(LABEL)]
      .filter(([, name]) => name !== 'node')
      .map(([, name, value]) => `${name}=${value}`)
      .sort();
    series.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return series;
}

/** The work between `before` and `after`. */
export function workBetween(before: Scrape, after: Scrape): NodeWork {
  const work: NodeWork = {
    calls: new Map(),
    failedCalls: new Map(),
    serverSeconds: new Map(),
    cpuSeconds: 0,
    raftEntries: 0,
    raftReads: { lease: 0, round: 0 },
    repairBytes: 0,
    merged: { updates: 0, pieces: 0 },
    recoveries: 0,
    knownEmpty: 0,
    updateRounds: [0, 0],
    seconds: (after.atMs - before.atMs) / 1000,
  };
  const add = (map: Map<string, number>, key: string, value: number): void => {
    map.set(key, (map.get(key) ?? 0) + value);
  };
  for (const [node, series] of after.nodes) {
    const earlier = before.nodes.get(node);
    for (const [key, value] of series) {
      const previous = earlier?.get(key) ?? 0;
      const moved = value >= previous ? value - previous : value;
      const method = /method=([^,}]*)/.exec(key)?.[1] ?? '';
      if (key.startsWith('tessera_requests_total{')) {
        add(work.calls, method, moved);
        if (key.includes('outcome=error')) add(work.failedCalls, method, moved);
      } else if (key.startsWith('tessera_request_duration_seconds_sum{'))
        add(work.serverSeconds, method, moved);
      else if (/process_cpu_seconds_total\{/.test(key)) work.cpuSeconds += moved;
      else if (key === 'tessera_repair_bytes_total{}') work.repairBytes += moved;
      else if (key === 'tessera_cm_merged_updates_total{}') work.merged.updates += moved;
      else if (key === 'tessera_cm_merged_pieces_total{}') work.merged.pieces += moved;
      else if (key === 'tessera_cm_recoveries_total{}') work.recoveries += moved;
      else if (key === 'tessera_cm_updates_total{rounds=1}') work.updateRounds[0] += moved;
      else if (key === 'tessera_cm_updates_total{rounds=2}') work.updateRounds[1] += moved;
      else if (key === 'tessera_cm_stripes_known_empty_total{}') work.knownEmpty += moved;
      else if (key === 'tessera_raft_reads_total{how=lease}') work.raftReads.lease += moved;
      else if (key === 'tessera_raft_reads_total{how=round}') work.raftReads.round += moved;
      else if (key.startsWith('tessera_raft_commit_index{') && earlier?.has(key))
        work.raftEntries = Math.max(work.raftEntries, moved);
    }
  }
  return work;
}
