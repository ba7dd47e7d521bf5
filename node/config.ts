/**
 * A storage node's configuration: from a YAML or JSON file, flags on top. Every setting is
 * checked before anything starts; a bad one is a ConfigError that names it (and the file's
 * line, where it came from a file), never a silent default.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { RECORD_CACHE_BYTES } from './store/fragment-store.js';
import { STORE_BACKENDS, type StoreBackend } from './store/open-database.js';

export interface PeerConfig {
  /** The peer's node id. */
  id: string;
  /** Its Raft member number (unique in the cluster, >= 1). */
  raftId: number;
  /** host:port of its gRPC services. */
  grpc: string;
}

export interface NodeConfig {
  /** The cluster's name: members refuse Raft messages of another cluster. */
  cluster: string;
  id: string;
  raftId: number;
  dataDir: string;
  region: string;
  zone: string;
  weight: number;
  listen: { grpc: string; admin: string };
  /** The members that start the cluster together (this node included or not). */
  peers: PeerConfig[];
  /** Or: the gRPC address of a running member to join through. */
  join: string | null;
  raft: { tickMs: number; electionTicks: number; heartbeatTicks: number; snapshotEvery: number };
  failureDetector: {
    heartbeatMs: number;
    downAfterMs: number;
    outAfterMs: number | null;
    upStableMs: number;
  };
  store: {
    backend: StoreBackend;
    quotaBytes: number | null;
    /** Bytes of recent records kept in memory for the writes over them (0 keeps none). */
    recordCacheBytes: number;
    /** History older than this (event time) is folded into each fragment's base; null keeps all. */
    retentionMs: number | null;
    retentionSweepMs: number;
  };
  /** Background repair and scrubbing, and the share of bandwidth they may take. */
  repair: {
    /** Bytes a second that repair and scrub may write and read, beside client traffic. */
    bandwidthBytesPerS: number;
    /** Time between the starts of two scrub passes; null never scrubs. */
    scrubIntervalMs: number | null;
  };
  log: { level: 'debug' | 'info' | 'warn' | 'error' };
}

/** A configuration that cannot run; `setting` names what is wrong. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The store settings a node.yaml leaves out. */
export const STORE_DEFAULTS = {
  backend: 'segments',
  quotaBytes: null,
  recordCacheBytes: RECORD_CACHE_BYTES,
  retentionMs: null,
  retentionSweepMs: 60_000,
} as const;

const DEFAULTS = {
  weight: 1,
  raft: { tickMs: 100, electionTicks: 10, heartbeatTicks: 1, snapshotEvery: 10_000 },
  failureDetector: { heartbeatMs: 500, downAfterMs: 3000, outAfterMs: null, upStableMs: 5000 },
  store: STORE_DEFAULTS,
  repair: { bandwidthBytesPerS: 64 << 20, scrubIntervalMs: 3_600_000 },
  log: { level: 'info' },
} as const;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

type Raw = Record<string, unknown>;

/** Reads, merges and checks a configuration: `file` (optional), then `overrides` (flags). */
export function loadNodeConfig(file: string | undefined, overrides: Raw = {}): NodeConfig {
  let raw: Raw = {};
  let where = (path: string): string => path;
  if (file !== undefined) {
    const text = readText(file);
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    if (document.errors.length > 0) {
      const error = document.errors[0]!;
      throw new ConfigError(
        file,
        `line ${error.linePos?.[0].line ?? '?'}: ${error.message.split('\n')[0]}`,
      );
    }
    const parsed: unknown = document.toJS();
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ConfigError(file, 'must be a mapping of settings');
    raw = parsed as Raw;
    where = (path: string): string => {
      const node = document.getIn(
        path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
        true,
      ) as { range?: [number] } | undefined;
      const offset = node?.range?.[0];
      return offset === undefined
        ? `${path} (in ${file})`
        : `${path} (${file} line ${lines.linePos(offset).line})`;
    };
    // A relative data directory is relative to the file, not to wherever the node was started.
    if (typeof raw.dataDir === 'string' && !isAbsolute(raw.dataDir))
      raw.dataDir = resolve(dirname(file), raw.dataDir);
  }
  return checkConfig(merge(raw, overrides), where);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

function merge(base: Raw, overrides: Raw): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const existing = out[key];
    out[key] = isMapping(value) && isMapping(existing) ? merge(existing, value) : value;
  }
  return out;
}

function isMapping(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkConfig(raw: Raw, where: (path: string) => string): NodeConfig {
  const keys = [
    'cluster',
    'id',
    'raftId',
    'dataDir',
    'region',
    'zone',
    'weight',
    'listen',
    'peers',
    'join',
    'raft',
    'failureDetector',
    'store',
    'repair',
    'log',
  ];
  unknownKeys(raw, keys, '', where);
  const text = (path: string, value: unknown, pattern: RegExp, what: string): string => {
    if (typeof value !== 'string' || !pattern.test(value))
      throw new ConfigError(where(path), `must be ${what}, got ${JSON.stringify(value)}`);
    return value;
  };
  const integer = (path: string, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw new ConfigError(
        where(path),
        `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    return value;
  };
  const section = (name: string, defaults: Raw): Raw => {
    const value = raw[name] ?? {};
    if (!isMapping(value)) throw new ConfigError(where(name), 'must be a mapping');
    unknownKeys(value, Object.keys(defaults), `${name}.`, where);
    return { ...defaults, ...value };
  };
  const address = (path: string, value: unknown): string => {
    const checked = text(path, value, ADDRESS, 'host:port');
    integer(path, Number(ADDRESS.exec(checked)![2]), 0, 65535);
    return checked;
  };

  if (raw.id === undefined) throw new ConfigError('id', "is required (the node's name, e.g. n1)");
  const id = text('id', raw.id, ID, 'a node id of letters, digits, . _ - (at most 63)');
  const raftId = integer('raftId', raw.raftId, 1, 2 ** 31 - 1);
  if (typeof raw.dataDir !== 'string' || raw.dataDir === '')
    throw new ConfigError(where('dataDir'), 'is required (where the node keeps its data)');
  const region = text('region', raw.region, ID, 'a region id');
  const zone = text('zone', raw.zone ?? `${region}-default`, ID, 'a zone id');
  const weight = raw.weight ?? DEFAULTS.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
    throw new ConfigError(where('weight'), `must be a number >= 0, got ${JSON.stringify(weight)}`);
  const listen = section('listen', { grpc: undefined, admin: undefined });
  const peersRaw = raw.peers ?? [];
  if (!Array.isArray(peersRaw))
    throw new ConfigError(where('peers'), 'must be a list of {id, raftId, grpc}');
  const peers = peersRaw.map((peer: unknown, index): PeerConfig => {
    if (!isMapping(peer))
      throw new ConfigError(where(`peers.${index}`), 'must be a mapping {id, raftId, grpc}');
    unknownKeys(peer, ['id', 'raftId', 'grpc'], `peers.${index}.`, where);
    return {
      id: text(`peers.${index}.id`, peer.id, ID, 'a node id'),
      raftId: integer(`peers.${index}.raftId`, peer.raftId, 1, 2 ** 31 - 1),
      grpc: address(`peers.${index}.grpc`, peer.grpc),
    };
  });
  const join = raw.join === undefined || raw.join === null ? null : address('join', raw.join);
  if (peers.length === 0 && join === null)
    throw new ConfigError('peers', 'name the peers that start the cluster, or a join address');
  if (peers.length > 0 && join !== null)
    throw new ConfigError(
      'join',
      'give peers (to start a cluster) or join (to join one), not both',
    );
  for (const [field, unique] of [
    ['id', (peer: PeerConfig) => peer.id],
    ['raftId', (peer: PeerConfig) => String(peer.raftId)],
  ] as const) {
    const seen = new Set<string>();
    peers.forEach((peer, index) => {
      if (seen.has(unique(peer)))
        throw new ConfigError(where(`peers.${index}.${field}`), `${unique(peer)} is listed twice`);
      seen.add(unique(peer));
    });
  }
  const self = peers.find((peer) => peer.id === id);
  if (self && self.raftId !== raftId)
    throw new ConfigError(
      where('raftId'),
      `is ${raftId} but peers lists ${id} with raftId ${self.raftId}`,
    );
  const raft = section('raft', DEFAULTS.raft);
  const detector = section('failureDetector', DEFAULTS.failureDetector);
  const store = section('store', DEFAULTS.store);
  const log = section('log', DEFAULTS.log);
  const repair = section('repair', DEFAULTS.repair);
  const config: NodeConfig = {
    cluster: text('cluster', raw.cluster ?? 'tessera', ID, 'a cluster name'),
    id,
    raftId,
    dataDir: raw.dataDir,
    region,
    zone,
    weight,
    listen: {
      grpc: address('listen.grpc', listen.grpc),
      admin: address('listen.admin', listen.admin),
    },
    peers,
    join,
    raft: {
      tickMs: integer('raft.tickMs', raft.tickMs, 1, 10_000),
      electionTicks: integer('raft.electionTicks', raft.electionTicks, 2, 1000),
      heartbeatTicks: integer('raft.heartbeatTicks', raft.heartbeatTicks, 1, 1000),
      snapshotEvery: integer('raft.snapshotEvery', raft.snapshotEvery, 1, 10_000_000),
    },
    failureDetector: {
      heartbeatMs: integer('failureDetector.heartbeatMs', detector.heartbeatMs, 10, 60_000),
      downAfterMs: integer('failureDetector.downAfterMs', detector.downAfterMs, 50, 3_600_000),
      outAfterMs:
        detector.outAfterMs === null
          ? null
          : integer('failureDetector.outAfterMs', detector.outAfterMs, 1000, 30 * 86_400_000),
      upStableMs: integer('failureDetector.upStableMs', detector.upStableMs, 0, 3_600_000),
    },
    store: {
      backend: (STORE_BACKENDS as readonly unknown[]).includes(store.backend)
        ? (store.backend as StoreBackend)
        : badChoice(where('store.backend'), store.backend, [...STORE_BACKENDS]),
      quotaBytes:
        store.quotaBytes === null
          ? null
          : integer('store.quotaBytes', store.quotaBytes, 1 << 20, Number.MAX_SAFE_INTEGER),
      recordCacheBytes: integer('store.recordCacheBytes', store.recordCacheBytes, 0, 2 ** 40),
      retentionMs:
        store.retentionMs === null
          ? null
          : integer('store.retentionMs', store.retentionMs, 1000, Number.MAX_SAFE_INTEGER),
      retentionSweepMs: integer('store.retentionSweepMs', store.retentionSweepMs, 100, 86_400_000),
    },
    repair: {
      bandwidthBytesPerS: integer(
        'repair.bandwidthBytesPerS',
        repair.bandwidthBytesPerS,
        1 << 16,
        2 ** 40,
      ),
      scrubIntervalMs:
        repair.scrubIntervalMs === null
          ? null
          : integer('repair.scrubIntervalMs', repair.scrubIntervalMs, 1000, 30 * 86_400_000),
    },
    log: {
      level: ['debug', 'info', 'warn', 'error'].includes(log.level as string)
        ? (log.level as NodeConfig['log']['level'])
        : badChoice(where('log.level'), log.level, ['debug', 'info', 'warn', 'error']),
    },
  };
  if (config.raft.heartbeatTicks >= config.raft.electionTicks)
    throw new ConfigError(
      where('raft.heartbeatTicks'),
      `must be below raft.electionTicks (${config.raft.electionTicks})`,
    );
  if (config.failureDetector.downAfterMs <= config.failureDetector.heartbeatMs)
    throw new ConfigError(
      where('failureDetector.downAfterMs'),
      `must exceed failureDetector.heartbeatMs (${config.failureDetector.heartbeatMs})`,
    );
  return config;
}

function unknownKeys(
  value: Raw,
  known: string[],
  prefix: string,
  where: (path: string) => string,
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw new ConfigError(
        where(`${prefix}${key}`),
        `is not a setting (known: ${known.join(', ')})`,
      );
  }
}

function badChoice(setting: string, value: unknown, choices: string[]): never {
  throw new ConfigError(
    setting,
    `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`,
  );
}
