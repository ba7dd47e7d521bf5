/**
 * A writer's connection to a Tessera cluster: connect() fetches the cluster map from a seed and
 * keeps following it; the Cluster creates, lists and opens volumes, and carries the writer's
 * identity (a writer id and a sequence that counts its events) for every volume it opens.
 */
import type { PlacementRule } from '../placement/index.js';
import { volumeInfo, type ClusterMapView, type VolumeInfo } from './cluster-view.js';
import { realClientEnv, type ClientEnv } from './env.js';
import {
  ClosedError,
  InvalidArgumentError,
  NotFoundError,
  TesseraError,
  UnavailableError,
  errorOfRefusal,
} from './errors.js';
import { GrpcTransport } from './grpc-transport.js';
import { MapFollower } from './map-follower.js';
import { RETRY_DEFAULTS, backoffMs, checkRetryPolicy, type RetryPolicy } from './retry.js';
import type { CallContext } from './stripe-call.js';
import type { Transport } from './transport.js';
import { Volume } from './volume.js';
import type { VolumeContext } from './event-write.js';

/** How to reach the cluster and how to behave there. */
export interface ConnectOptions {
  /** host:port of one or more members' gRPC; the rest are learned from the map. */
  readonly seeds: readonly string[];
  /**
   * The writer's id, stable across its reconnections (at most 256 characters). Default: a new
   * random id per connect().
   */
  readonly writerId?: string;
  /**
   * The writer sequence of the first event. Default: 1 for a random writer id; for a given
   * writerId, the current time in microseconds, so that a writer that reconnects under the same
   * id goes on above the sequences it used before (unless the clock went back: then give it).
   */
  readonly writerSeqFirst?: number;
  /** How often the map is refreshed in the background (default 1000 ms). */
  readonly mapRefreshMs?: number;
  /** Retries of each stripe request (default RETRY_DEFAULTS). */
  readonly retry?: Partial<RetryPolicy>;
  /** The most bytes in one stripe request; longer ones are cut at block boundaries (default 4 MiB). */
  readonly requestBytesMax?: number;
  /** The most stripe requests one write or read has in flight (default 16). */
  readonly requestsInFlightMax?: number;
  /** Deadline of one stripe request (default 30 s). */
  readonly callDeadlineMs?: number;
  /** The way to the nodes (default: gRPC). */
  readonly transport?: Transport;
  /** Clock and randomness (default: the real ones). */
  readonly env?: ClientEnv;
}

/** What a volume is created with; all of it is fixed from then on. */
export interface CreateVolumeOptions {
  /** Data fragments per stripe. */
  readonly k: number;
  /** Parity fragments per stripe (how many may be lost). */
  readonly m: number;
  /** Bytes per block: a power of two from 4 KiB to 16 MiB. */
  readonly blockBytes: number;
  /** Fragments that must hold a write before it is acknowledged (k to k + m; default k + 1). */
  readonly writeQuorum?: number;
  /** The placement rule (default: the best the topology allows). */
  readonly rule?: PlacementRule;
}

/** Defaults of ConnectOptions. */
export const CONNECT_DEFAULTS = {
  mapRefreshMs: 1_000,
  requestBytesMax: 4 << 20,
  requestsInFlightMax: 16,
  callDeadlineMs: 30_000,
} as const;

/** Connects to the cluster through `options.seeds`; rejects with UnavailableError if none answers. */
export async function connect(options: ConnectOptions): Promise<Cluster> {
  const seeds = [...options.seeds];
  if (seeds.length === 0 || seeds.some((seed) => typeof seed !== 'string' || seed === ''))
    throw new InvalidArgumentError('seeds: give at least one host:port of a member');
  if (
    options.writerId !== undefined &&
    (options.writerId.length < 1 || options.writerId.length > 256)
  )
    throw new InvalidArgumentError('writerId: must be 1 to 256 characters');
  const env = options.env ?? realClientEnv;
  const transport =
    options.transport ??
    new GrpcTransport({
      callDeadlineMs: options.callDeadlineMs ?? CONNECT_DEFAULTS.callDeadlineMs,
    });
  const retry = checkRetryPolicy({ ...RETRY_DEFAULTS, ...options.retry });
  let follower: MapFollower;
  try {
    follower = await MapFollower.start(
      seeds,
      transport,
      env,
      options.mapRefreshMs ?? CONNECT_DEFAULTS.mapRefreshMs,
    );
  } catch (error) {
    transport.close();
    throw error;
  }
  const writerId = options.writerId ?? `writer-${env.randomId()}`;
  const writerSeqFirst =
    options.writerSeqFirst ?? (options.writerId === undefined ? 1 : env.nowMs() * 1000);
  return new Cluster(follower, transport, env, retry, writerId, writerSeqFirst, {
    requestBytesMax: options.requestBytesMax ?? CONNECT_DEFAULTS.requestBytesMax,
    requestsInFlightMax: options.requestsInFlightMax ?? CONNECT_DEFAULTS.requestsInFlightMax,
  });
}

/** A connection to a cluster; from connect(). Close it when done. */
export class Cluster {
  private readonly abort = new AbortController();
  private readonly call: CallContext;
  private readonly volumeContext: VolumeContext;
  private nextWriterSeq: number;

  /** @internal Built by connect(). */
  constructor(
    private readonly follower: MapFollower,
    private readonly transport: Transport,
    private readonly env: ClientEnv,
    private readonly retry: RetryPolicy,
    /** The writer id every write of this connection carries. */
    readonly writerId: string,
    writerSeqFirst: number,
    limits: { requestBytesMax: number; requestsInFlightMax: number },
  ) {
    this.nextWriterSeq = writerSeqFirst;
    this.call = { follower, transport, env, retry, signal: this.abort.signal };
    this.volumeContext = {
      call: this.call,
      writerId,
      takeWriterSeq: () => this.nextWriterSeq++,
      ...limits,
    };
  }

  /** The newest cluster map the client has. */
  map(): ClusterMapView {
    return this.follower.current();
  }

  /** Fetches the map now (it is refreshed in the background too). */
  refreshMap(): Promise<ClusterMapView> {
    this.checkOpen();
    return this.follower.refresh();
  }

  /** The volumes of the catalog, as a member has it now. */
  async listVolumes(): Promise<readonly VolumeInfo[]> {
    return (await this.refreshMap()).volumes;
  }

  /**
   * Creates a volume through the cluster map (Raft). Resolves with its record (the rule chosen
   * and why); rejects with AlreadyExistsError, InvalidArgumentError (the message names the field)
   * or UnavailableError.
   */
  async createVolume(name: string, options: CreateVolumeOptions): Promise<VolumeInfo> {
    this.checkOpen();
    const command = {
      type: 'create_volume',
      name,
      k: options.k,
      m: options.m,
      blockBytes: options.blockBytes,
      ...(options.writeQuorum === undefined ? {} : { writeQuorum: options.writeQuorum }),
      ...(options.rule === undefined ? {} : { rule: options.rule }),
    };
    const { reply, uncertain } = await this.propose(JSON.stringify(command));
    const result = parseResult(reply.resultJson);
    if (result.ok) {
      const volume = volumeInfo(result.volume, 'volume');
      await this.follower.refresh().catch(() => undefined);
      return volume;
    }
    if (result.code === 'ALREADY_EXISTS' && uncertain) {
      // An earlier attempt may have created it: the same volume counts as created.
      const existing = (await this.follower.refresh()).volumes.find(
        (volume) => volume.name === name,
      );
      if (
        existing &&
        existing.k === options.k &&
        existing.m === options.m &&
        existing.blockBytes === options.blockBytes
      )
        return existing;
    }
    throw errorOfRefusal(result.code, result.message);
  }

  /** Opens a volume; rejects with NotFoundError when the catalog has none of that name. */
  async openVolume(name: string): Promise<Volume> {
    this.checkOpen();
    let info = this.follower.current().volumes.find((volume) => volume.name === name);
    if (!info)
      info = (await this.follower.refresh()).volumes.find((volume) => volume.name === name);
    if (!info)
      throw new NotFoundError(
        `volume ${name} does not exist; create it first (createVolume, or tessera volume create)`,
      );
    return new Volume(info, this.volumeContext);
  }

  /** Stops following the map, ends every wait with ClosedError and closes the connections. */
  close(): Promise<void> {
    if (!this.abort.signal.aborted) {
      this.abort.abort();
      this.follower.close();
      this.transport.close();
    }
    return Promise.resolve();
  }

  private checkOpen(): void {
    if (this.abort.signal.aborted) throw new ClosedError('the cluster connection');
  }

  /**
   * Sends a proposal to the members in turn (the one that answered last first; a follower
   * forwards it to the leader) until one answers. `uncertain` is true when an earlier attempt
   * failed in a way that may have applied it.
   */
  private async propose(
    commandJson: string,
  ): Promise<{ reply: { resultJson: string }; uncertain: boolean }> {
    const addresses = this.follower.addresses();
    let uncertain = false;
    let last: unknown = null;
    for (let attempt = 0; attempt < this.retry.attemptsMax; attempt++) {
      const address = addresses[attempt % addresses.length];
      if (address === undefined) break;
      try {
        return { reply: await this.transport.propose(address, commandJson), uncertain };
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        last = error;
        if (!error.nothingApplied) uncertain = true;
        if ((attempt + 1) % addresses.length === 0)
          await this.env.sleep(
            backoffMs(this.retry, attempt / addresses.length, this.env.random()),
            this.abort.signal,
          );
      }
    }
    throw last instanceof TesseraError
      ? last
      : new UnavailableError('no member answered the proposal; retry later');
  }
}

type ProposalResult = { ok: true; volume: unknown } | { ok: false; code: string; message: string };

function parseResult(json: string): ProposalResult {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TesseraError('MALFORMED_REPLY', 'a proposal result is not JSON; report this');
  }
  if (typeof value !== 'object' || value === null)
    throw new TesseraError('MALFORMED_REPLY', 'a proposal result is not an object; report this');
  const result = value as Record<string, unknown>;
  if (result.ok === true) return { ok: true, volume: result.volume };
  return {
    ok: false,
    code: typeof result.code === 'string' ? result.code : 'REFUSED',
    message: typeof result.message === 'string' ? result.message : 'the cluster refused it',
  };
}
