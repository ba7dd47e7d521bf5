/**
 * The client's copy of the cluster map, kept current: fetched from the seeds at connect, refreshed
 * every few seconds in the background (a timer that never keeps the process alive), and at once
 * when a node answers NOT_OWNER from a newer epoch. It only ever moves forward: a member that is
 * behind (a lagging follower) cannot take the client back to an older map.
 */
import { UnavailableError } from './errors.js';
import { isNewerMap, parseClusterMap, type ClusterMapView } from './cluster-view.js';
import type { ClientEnv, Ticker } from './env.js';
import type { Transport } from './transport.js';

/** What a refresh must reach: a map of at least this epoch, asked first of this address. */
export interface RefreshGoal {
  readonly epochMin?: number;
  readonly askFirst?: string;
}

/** Follows the cluster map through the Cluster service's View. */
export class MapFollower {
  private map: ClusterMapView;
  /** The address that answered last: asked first next time. */
  private answered: string | null = null;
  private inFlight: Promise<ClusterMapView> | null = null;
  private ticker: Ticker | null = null;
  /** Refreshes done, for tests and status. */
  refreshes = 0;

  private constructor(
    private readonly seeds: readonly string[],
    private readonly transport: Transport,
    initial: ClusterMapView,
    answered: string,
  ) {
    this.map = initial;
    this.answered = answered;
  }

  /** Fetches the map from the first seed that answers; UnavailableError when none does. */
  static async start(
    seeds: readonly string[],
    transport: Transport,
    env: ClientEnv,
    refreshMs: number,
  ): Promise<MapFollower> {
    const failures: string[] = [];
    for (const seed of seeds) {
      try {
        const map = parseClusterMap(await transport.view(seed));
        const follower = new MapFollower(seeds, transport, map, seed);
        follower.ticker = env.every(refreshMs, () => {
          if (!follower.inFlight) follower.refresh().catch(() => undefined);
        });
        return follower;
      } catch (error) {
        failures.push(`${seed}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new UnavailableError(
      `no seed answered (${failures.join('; ')}); check the seed addresses and that the cluster is up`,
    );
  }

  /** The newest map the client has. */
  current(): ClusterMapView {
    return this.map;
  }

  /**
   * Asks the nodes for their map (the one that answered last first, then the seeds, then every
   * member) until one answers and, with `goal.epochMin`, until the map reaches that epoch. Adopts
   * only a newer map. Concurrent refreshes share one round. Rejects with UnavailableError when
   * no node answered.
   */
  async refresh(goal: RefreshGoal = {}): Promise<ClusterMapView> {
    // A round already under way serves this call too, when its map is new enough.
    while (this.inFlight) {
      await this.inFlight.catch(() => undefined);
      if (goal.epochMin === undefined || this.map.epoch >= goal.epochMin) return this.map;
    }
    this.inFlight = this.round(goal);
    try {
      return await this.inFlight;
    } finally {
      this.inFlight = null;
    }
  }

  /**
   * Every address the client knows, each once: `first`, the one that answered last, the seeds,
   * then the members of the map.
   */
  addresses(first?: string): string[] {
    return [
      ...new Set(
        [
          first,
          this.answered,
          ...this.seeds,
          ...this.map.members.map((member) => member.grpcAddress),
        ].filter((address): address is string => typeof address === 'string' && address !== ''),
      ),
    ];
  }

  /** Stops the background refresh. */
  close(): void {
    this.ticker?.stop();
    this.ticker = null;
  }

  private async round(goal: RefreshGoal): Promise<ClusterMapView> {
    const candidates = this.addresses(goal.askFirst);
    let heard = false;
    let last: unknown;
    for (const address of candidates) {
      try {
        const map = parseClusterMap(await this.transport.view(address));
        heard = true;
        this.answered = address;
        if (isNewerMap(map, this.map)) this.map = map;
        if (goal.epochMin === undefined || this.map.epoch >= goal.epochMin) break;
      } catch (error) {
        last = error;
      }
    }
    this.refreshes++;
    if (!heard)
      throw new UnavailableError(
        `no node answered for the cluster map (${last instanceof Error ? last.message : String(last)}); retry later`,
      );
    return this.map;
  }
}
