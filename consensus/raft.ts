/**
 * The Raft consensus core: one member's state machine, pure and synchronous. `step(input)`
 * takes a tick, a message, a proposal, or the news that something was persisted or applied, and
 * returns a `Ready` that says what to write, what to send (now, or once the disk has caught up),
 * what is committed and may be applied, and this member's role, term and leader. It reads no
 * clock (time is ticks), does no I/O, and draws randomness only from the injected `Random`.
 *
 * Besides the algorithm of the Raft paper it implements, as the dissertation and etcd do:
 * PreVote (§9.6) and CheckQuorum with leader leases (§6.2, §4.2.3) so that a flaky member cannot
 * force endless elections; batching and a bounded window of appends in flight per follower with
 * fast backtracking on a mismatch; snapshots and InstallSnapshot in chunks (§7); membership
 * changes one server at a time with learners (§4); leadership transfer (§3.10); ReadIndex
 * reads (§6.4).
 */
import { assert } from './assert.js';
import type { DurableMessage, ImmediateMessage, Message } from './messages.js';
import type { Random } from './random.js';
import { configAt } from './membership.js';
import { quorumIndex, quorumSize, tallyVotes } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { Replicator } from './replication.js';
import { ReadIndexQueue } from './read-index.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import type { Input, Proposal, ProposalOutcome, ReadState, Ready, Role, Status } from './ready.js';
import {
  NONE,
  encodeConfigChange,
  type Config,
  type DurableState,
  type Entry,
  type HardState,
  type NodeId,
  type Snapshot,
} from './types.js';

/** How a member behaves; every maximum is named. */
export interface RaftOptions {
  readonly id: NodeId;
  /** The configuration before the first entry: the same on every member of a new group. */
  readonly bootstrap: Config;
  /** What this member found on its disk. */
  readonly durable: DurableState;
  /** The only source of randomness: it spreads election timeouts. */
  readonly random: Random;
  /** Followers wait a random time in [electionTimeoutTicks, 2·electionTimeoutTicks). Default 10. */
  readonly electionTimeoutTicks?: number;
  /** A leader sends heartbeats every this many ticks; fewer than the election timeout. Default 1. */
  readonly heartbeatTicks?: number;
  /** Ask before raising a term (§9.6). Default on. */
  readonly preVote?: boolean;
  /** A leader that hears no majority for an election timeout steps down; leases hold (§6.2). Default on. */
  readonly checkQuorum?: boolean;
  /** Unacknowledged appends per follower in replicate state. */
  readonly inflightMax?: number;
  /** Entries per append message. */
  readonly batchEntriesMax?: number;
  /** Bytes per InstallSnapshot chunk. */
  readonly snapshotChunkBytes?: number;
  /** A learner is promoted only when at most this many entries behind the leader. */
  readonly learnerLagMax?: number;
}

interface StepOutput {
  messages: ImmediateMessage[];
  after: DurableMessage[];
  snapshot: Snapshot | undefined;
  snapshotToApply: Snapshot | undefined;
  readStates: ReadState[];
  outcome: ProposalOutcome | undefined;
}

/** One member of a Raft group. */
export class Raft {
  readonly id: NodeId;
  private readonly options: Required<Omit<RaftOptions, 'durable' | 'bootstrap' | 'random' | 'id'>>;
  private readonly random: Random;
  private readonly bootstrap: Config;

  private term: number;
  private vote: NodeId;
  private role: Role = 'follower';
  private leader: NodeId = NONE;
  private readonly log: RaftLog;
  private config: Config;
  /** The newest snapshot this member holds (its own or its leader's), for laggards. */
  private snapshot: Snapshot | undefined;
  private applied: number;
  /** The last index handed out to be applied. */
  private handedOut: number;

  private electionElapsed = 0;
  /**
   * Ticks left in the quiet after a restart: a member that comes back may have acknowledged a
   * leader's heartbeat just before it went down, so it refuses votes for an election timeout,
   * as if it had just heard from that leader; otherwise a leader's read lease (read-lease.ts)
   * would not hold across a quick restart of a member of its majority.
   */
  private quietTicks = 0;
  private randomizedElectionTimeout = 0;
  private heartbeatElapsed = 0;
  private votes = new Map<NodeId, boolean>();
  private readonly replication: Replicator;
  private transferee: NodeId = NONE;
  private transferElapsed = 0;
  private readonly reads = new ReadIndexQueue();
  private readonly incoming = new SnapshotReceiver();

  /** Term and vote as last handed out to persist. */
  private persistedHard: HardState;

  /** What the current step produces. */
  private out: StepOutput = emptyOut();

  constructor(options: RaftOptions) {
    this.id = options.id;
    this.random = options.random;
    this.bootstrap = options.bootstrap;
    this.options = {
      electionTimeoutTicks: options.electionTimeoutTicks ?? 10,
      heartbeatTicks: options.heartbeatTicks ?? 1,
      preVote: options.preVote ?? true,
      checkQuorum: options.checkQuorum ?? true,
      inflightMax: options.inflightMax ?? 64,
      batchEntriesMax: options.batchEntriesMax ?? 256,
      snapshotChunkBytes: options.snapshotChunkBytes ?? 64 * 1024,
      learnerLagMax: options.learnerLagMax ?? 16,
    };
    assert(Number.isSafeInteger(this.id) && this.id > 0, 'a member id is a positive integer');
    for (const [name, value] of Object.entries(this.options)) {
      if (typeof value === 'number') {
        assert(
          Number.isSafeInteger(value) && value > 0,
          () => `${name} is a positive integer, got ${value}`,
        );
      }
    }
    assert(
      this.options.heartbeatTicks < this.options.electionTimeoutTicks,
      'heartbeats come more often than elections',
    );
    const { hardState, snapshot, entries } = options.durable;
    this.term = hardState.term;
    this.vote = hardState.vote;
    // A member with a term on its disk has run before (a fresh one cannot have acknowledged a lease).
    if (hardState.term > 0) this.quietTicks = this.options.electionTimeoutTicks;
    this.persistedHard = hardState;
    this.snapshot = snapshot;
    this.log = RaftLog.restore(snapshot?.meta, entries, hardState.commit);
    this.replication = new Replicator({
      id: this.id,
      log: this.log,
      inflightMax: this.options.inflightMax,
      batchEntriesMax: this.options.batchEntriesMax,
      snapshotChunkBytes: this.options.snapshotChunkBytes,
      snapshotRetryTicks: this.options.electionTimeoutTicks,
      term: () => this.term,
      snapshot: () => this.snapshot,
      send: (message) => this.out.messages.push(message),
    });
    this.applied = this.log.snapshotIndex;
    this.handedOut = this.log.snapshotIndex;
    this.config = this.configAt(this.log.lastIndex());
    this.resetElectionTimer();
  }

  /** Advances this member by one input; see ready.ts for what the driver must do with the result. */
  step(input: Input): Ready {
    this.out = emptyOut();
    switch (input.type) {
      case 'tick':
        this.tick();
        break;
      case 'receive':
        assert(input.message.to === this.id, 'a message reaches its addressee');
        this.receive(input.message);
        break;
      case 'propose':
        this.out.outcome = this.propose(input.proposal);
        break;
      case 'persisted':
        this.onPersisted(input.index, input.term, input.snapshotIndex);
        break;
      case 'applied':
        this.onApplied(input.index, input.snapshot);
        break;
      case 'campaign':
        if (this.promotable() && this.role !== 'leader') this.campaign('election', true);
        break;
    }
    return this.ready();
  }

  /** This member's role, term, leader and indexes. */
  status(): Status {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      leader: this.leader,
      commit: this.log.commit,
      lastIndex: this.log.lastIndex(),
      applied: this.applied,
    };
  }

  /** The configuration this member follows (the latest in its log). */
  currentConfig(): Config {
    return this.config;
  }

  /** The term of the entry at `index` (0 for index 0, undefined when compacted or absent). */
  termAt(index: number): number | undefined {
    return index === 0 ? 0 : this.log.term(index);
  }

  /** The entry at `index` if this member still holds it. */
  entryAt(index: number): Entry | undefined {
    return this.log.entry(index);
  }

  /** The first index still held as an entry (everything before is in the snapshot). */
  firstIndex(): number {
    return this.log.snapshotIndex + 1;
  }

  // ---- time ---------------------------------------------------------------------------------

  private tick(): void {
    if (this.quietTicks > 0) this.quietTicks -= 1;
    if (this.role === 'leader') {
      this.tickLeader();
      return;
    }
    this.electionElapsed += 1;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.campaign(this.options.preVote ? 'preElection' : 'election', false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed += 1;
    this.electionElapsed += 1;
    if (this.heartbeatElapsed >= this.options.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.replication.broadcastHeartbeat(this.reads.round);
    }
    this.replication.tickSnapshots(); // a chunk or its answer may have been lost
    if (this.transferee !== NONE) {
      this.transferElapsed += 1;
      if (this.transferElapsed >= this.options.electionTimeoutTicks) this.transferee = NONE;
    }
    if (this.electionElapsed >= this.options.electionTimeoutTicks) {
      this.electionElapsed = 0;
      if (this.options.checkQuorum && !this.quorumActive()) {
        // §6.2: a leader that has not heard from a majority for an election timeout steps down,
        // so that clients find the real leader and reads cannot be served by a deposed one.
        this.becomeFollower(this.term, NONE);
        return;
      }
      this.replication.resetActivity();
    }
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const voter of this.config.voters) {
      if (voter === this.id || this.replication.isActive(voter)) active += 1;
    }
    return active >= this.quorum();
  }

  // ---- roles --------------------------------------------------------------------------------

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    const base = this.options.electionTimeoutTicks;
    this.randomizedElectionTimeout = base + this.random.int(base);
  }

  private becomeFollower(term: number, leader: NodeId): void {
    assert(term >= this.term, 'terms never go backwards');
    if (term > this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.role = 'follower';
    this.leader = leader;
    this.votes.clear();
    this.replication.clear();
    this.reads.clear();
    this.transferee = NONE;
    this.resetElectionTimer();
  }

  /**
   * Starts an election (§5.2). With PreVote, first asks whether a majority would vote at
   * term+1 without changing anyone's term, so a member cut off for a while cannot disrupt a
   * working leader when it returns (§9.6).
   */
  private campaign(kind: 'preElection' | 'election', transfer: boolean): void {
    this.votes.clear();
    this.replication.clear();
    this.reads.clear();
    this.transferee = NONE;
    this.leader = NONE;
    this.resetElectionTimer();
    if (kind === 'preElection') {
      this.role = 'preCandidate';
    } else {
      this.role = 'candidate';
      this.term += 1;
      this.vote = this.id;
    }
    this.votes.set(this.id, true);
    if (this.tally() === 'won') {
      this.winElection(kind);
      return;
    }
    for (const voter of this.config.voters) {
      if (voter === this.id) continue;
      const request = {
        from: this.id,
        to: voter,
        lastIndex: this.log.lastIndex(),
        lastTerm: this.log.lastTerm(),
        transfer,
      };
      if (kind === 'preElection') {
        this.out.messages.push({ ...request, type: 'preVote', term: this.term + 1 });
      } else {
        // Durable: the new term and the self-vote must be on disk before anyone hears of them.
        this.out.after.push({ ...request, type: 'vote', term: this.term });
      }
    }
  }

  private winElection(kind: 'preElection' | 'election'): void {
    if (kind === 'preElection') this.campaign('election', false);
    else this.becomeLeader();
  }

  private tally(): 'won' | 'lost' | 'pending' {
    return tallyVotes(this.config.voters, this.votes);
  }

  /** §5.2 and §8: a new leader sends heartbeats and appends a no-op of its own term. */
  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.role = 'leader';
    this.leader = this.id;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.reads.clear();
    this.replication.reset(this.members(), this.log.lastIndex() + 1);
    this.appendEntry('normal', new Uint8Array(0));
    this.replication.broadcastAppend();
  }

  private promotable(): boolean {
    return this.config.voters.includes(this.id);
  }

  private quorum(): number {
    return quorumSize(this.config.voters);
  }

  private members(): NodeId[] {
    return [...this.config.voters, ...this.config.learners];
  }

  // ---- messages -----------------------------------------------------------------------------

  private receive(message: Message): void {
    if (message.term > this.term) {
      if (!this.acceptHigherTerm(message)) return;
    } else if (message.term < this.term) {
      this.answerStaleTerm(message);
      return;
    }
    switch (message.type) {
      case 'preVote':
      case 'vote':
        this.onVoteRequest(message);
        break;
      case 'preVoteResponse':
        if (this.role === 'preCandidate') this.onVote(message.from, message.granted, 'preElection');
        break;
      case 'voteResponse':
        if (this.role === 'candidate') this.onVote(message.from, message.granted, 'election');
        break;
      case 'append':
      case 'heartbeat':
      case 'snapshot':
      case 'timeoutNow':
        this.onFromLeader(message);
        break;
      case 'appendResponse':
        if (this.role === 'leader') this.onAppendResponse(message);
        break;
      case 'heartbeatResponse':
        if (this.role === 'leader') this.onHeartbeatResponse(message);
        break;
      case 'snapshotResponse':
        if (this.role === 'leader') this.onSnapshotResponse(message);
        break;
    }
  }

  /**
   * A message from a higher term. Vote requests inside a leader lease are ignored (§4.2.3: a
   * member that heard from a leader within the minimum election timeout does not believe it
   * dead); pre-votes and granted pre-vote answers change no term; anything else makes this
   * member a follower in the new term. Returns whether to go on handling the message.
   */
  private acceptHigherTerm(message: Message): boolean {
    const isRequest = message.type === 'vote' || message.type === 'preVote';
    if (isRequest) {
      const inLease =
        this.options.checkQuorum &&
        ((this.leader !== NONE && this.electionElapsed < this.options.electionTimeoutTicks) ||
          this.quietTicks > 0);
      if (inLease && !message.transfer) return false;
    }
    if (message.type === 'preVote') return true;
    if (message.type === 'preVoteResponse' && message.granted) return true;
    const fromLeader =
      message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot';
    this.becomeFollower(message.term, fromLeader ? message.from : NONE);
    return true;
  }

  /**
   * A message from an older term. A deposed leader is told the new term so that it steps down
   * (with PreVote and CheckQuorum a partitioned leader's term may be behind forever otherwise);
   * a pre-candidate is told it lost. Everything else is dropped.
   */
  private answerStaleTerm(message: Message): void {
    if (message.type === 'append' || message.type === 'heartbeat') {
      this.out.after.push({
        type: 'appendResponse',
        from: this.id,
        to: message.from,
        term: this.term,
        success: false,
        matchIndex: 0,
        rejectedIndex: 0,
        hintIndex: 0,
        hintTerm: 0,
      });
    } else if (message.type === 'preVote') {
      this.out.messages.push(this.preVoteAnswer(message.from, this.term, false));
    }
  }

  private preVoteAnswer(to: NodeId, term: number, granted: boolean): ImmediateMessage {
    return { type: 'preVoteResponse', from: this.id, to, term, granted };
  }

  /** Figure 2, RequestVote receiver: one vote per term, only for an up-to-date log. */
  private onVoteRequest(request: Extract<Message, { type: 'vote' | 'preVote' }>): void {
    const canVote =
      this.vote === request.from ||
      (this.vote === NONE && this.leader === NONE) ||
      (request.type === 'preVote' && request.term > this.term);
    const granted = canVote && this.log.isUpToDate(request.lastIndex, request.lastTerm);
    if (request.type === 'preVote') {
      this.out.messages.push(
        this.preVoteAnswer(request.from, granted ? request.term : this.term, granted),
      );
      return;
    }
    if (granted) {
      this.vote = request.from;
      this.resetElectionTimer();
    }
    this.out.after.push({
      type: 'voteResponse',
      from: this.id,
      to: request.from,
      term: this.term,
      granted,
    });
  }

  private onVote(from: NodeId, granted: boolean, kind: 'preElection' | 'election'): void {
    this.votes.set(from, granted);
    const result = this.tally();
    if (result === 'won') this.winElection(kind);
    if (result === 'lost') this.becomeFollower(this.term, NONE);
  }

  private onFromLeader(
    message: Extract<Message, { type: 'append' | 'heartbeat' | 'snapshot' | 'timeoutNow' }>,
  ): void {
    assert(
      this.role !== 'leader',
      () => `two leaders in term ${this.term}: ${this.id} and ${message.from}`,
    );
    if (this.role !== 'follower') this.becomeFollower(this.term, message.from);
    this.leader = message.from;
    this.electionElapsed = 0;
    switch (message.type) {
      case 'append':
        this.onAppend(message);
        break;
      case 'heartbeat':
        this.log.commitTo(Math.min(message.commit, this.log.lastIndex()));
        this.out.after.push({
          type: 'heartbeatResponse',
          from: this.id,
          to: message.from,
          term: this.term,
          readRound: message.readRound,
        });
        break;
      case 'snapshot':
        this.onSnapshotChunk(message);
        break;
      case 'timeoutNow':
        if (this.promotable()) this.campaign('election', true);
        break;
    }
  }

  /** Figure 2, AppendEntries receiver, with a hint for fast backtracking on a mismatch. */
  private onAppend(request: Extract<Message, { type: 'append' }>): void {
    const answer = {
      type: 'appendResponse' as const,
      from: this.id,
      to: request.from,
      term: this.term,
    };
    if (request.prevIndex < this.log.commit) {
      this.out.after.push({
        ...answer,
        success: true,
        matchIndex: this.log.commit,
        rejectedIndex: 0,
        hintIndex: 0,
        hintTerm: 0,
      });
      return;
    }
    if (!this.log.matchTerm(request.prevIndex, request.prevTerm)) {
      const hintIndex = this.log.findConflictByTerm(
        Math.min(request.prevIndex, this.log.lastIndex()),
        request.prevTerm,
      );
      this.out.after.push({
        ...answer,
        success: false,
        matchIndex: 0,
        rejectedIndex: request.prevIndex,
        hintIndex,
        hintTerm: this.log.term(hintIndex) ?? 0,
      });
      return;
    }
    const lastBefore = this.log.lastIndex();
    const changedFrom = this.log.appendFromLeader(request.entries);
    const truncated = changedFrom !== undefined && changedFrom <= lastBefore;
    if (truncated || request.entries.some((entry) => entry.type === 'config')) {
      this.onConfigMayHaveChanged();
    }
    const lastNew = request.prevIndex + request.entries.length;
    this.log.commitTo(Math.min(request.commit, lastNew));
    this.out.after.push({
      ...answer,
      success: true,
      matchIndex: lastNew,
      rejectedIndex: 0,
      hintIndex: 0,
      hintTerm: 0,
    });
  }

  /** §7: gathers a snapshot's chunks in order, then installs it in place of the log. */
  private onSnapshotChunk(chunk: Extract<Message, { type: 'snapshot' }>): void {
    const answer = {
      type: 'snapshotResponse' as const,
      from: this.id,
      to: chunk.from,
      term: this.term,
      snapshotIndex: chunk.meta.index,
    };
    if (chunk.meta.index <= this.log.commit) {
      // Already have all of it: tell the leader where we are.
      this.out.after.push({ ...answer, snapshotIndex: this.log.commit, nextOffset: 0, done: true });
      return;
    }
    const result = this.incoming.accept(chunk);
    if (result.kind === 'more') {
      this.out.after.push({ ...answer, nextOffset: result.nextOffset, done: false });
      return;
    }
    this.installSnapshot(result.snapshot);
    this.out.after.push({ ...answer, nextOffset: result.snapshot.data.length, done: true });
  }

  private installSnapshot(snapshot: Snapshot): void {
    const { meta } = snapshot;
    if (this.log.matchTerm(meta.index, meta.term)) {
      // §7: the snapshot describes a prefix of our log: keep the entries after it.
      this.log.commitTo(meta.index);
      return;
    }
    this.log.resetTo(meta);
    this.snapshot = snapshot;
    this.config = meta.config;
    this.handedOut = meta.index;
    this.out.snapshot = snapshot;
    this.out.snapshotToApply = snapshot;
  }

  // ---- leader: replication ------------------------------------------------------------------

  private appendEntry(type: Entry['type'], data: Uint8Array): Entry {
    const entry: Entry = { index: this.log.lastIndex() + 1, term: this.term, type, data };
    this.log.push(entry);
    if (type === 'config') this.onConfigMayHaveChanged();
    return entry;
  }

  private onAppendResponse(response: Extract<Message, { type: 'appendResponse' }>): void {
    const progress = this.replication.markActive(response.from);
    if (progress === undefined) return;
    if (!response.success) {
      this.replication.onAppendRejected(progress, response);
      return;
    }
    if (this.replication.onAppendAccepted(progress, response.matchIndex) && this.maybeCommit()) {
      this.replication.broadcastCommit();
    }
    if (this.role !== 'leader') return; // the commit may have removed this leader
    const commitUnsent = progress.sentCommit < this.log.commit && progress.inflight.length === 0;
    this.replication.sendAppend(progress, commitUnsent);
    if (response.from === this.transferee && progress.match === this.log.lastIndex()) {
      this.sendTimeoutNow(response.from);
    }
  }

  /**
   * §5.3 and §5.4.2 (Figure 8): the highest index stored on a majority of voters is committed,
   * but only if its entry is of the leader's own term; earlier entries are committed with it.
   */
  private maybeCommit(): boolean {
    const index = quorumIndex(this.config.voters, (voter) =>
      voter === this.id ? this.log.stableIndex : this.replication.matchOf(voter),
    );
    if (index <= this.log.commit || this.log.term(index) !== this.term) return false;
    this.log.commitTo(index);
    this.stepDownIfRemoved();
    return true;
  }

  /** §4.2.2: a leader removed from the configuration steps down once the removal commits. */
  private stepDownIfRemoved(): void {
    if (this.role !== 'leader' || this.config.voters.includes(this.id)) return;
    if (this.lastConfigIndex() <= this.log.commit) this.becomeFollower(this.term, NONE);
  }

  private onHeartbeatResponse(response: Extract<Message, { type: 'heartbeatResponse' }>): void {
    const progress = this.replication.markActive(response.from);
    if (progress === undefined) return;
    this.replication.onHeartbeatAnswered(progress);
    this.out.readStates.push(
      ...this.reads.ack(response.from, response.readRound, this.config.voters),
    );
  }

  private onSnapshotResponse(response: Extract<Message, { type: 'snapshotResponse' }>): void {
    const progress = this.replication.markActive(response.from);
    if (progress !== undefined) this.replication.onSnapshotAnswered(progress, response);
  }

  // ---- proposals ----------------------------------------------------------------------------

  private propose(proposal: Proposal): ProposalOutcome {
    if (this.role !== 'leader') return this.refuse('not_leader');
    if (this.transferee !== NONE) return this.refuse('transferring');
    switch (proposal.kind) {
      case 'command': {
        const entry = this.appendEntry('normal', proposal.data);
        this.replication.broadcastAppend();
        this.maybeCommit();
        return { ok: true, index: entry.index, term: entry.term };
      }
      case 'commands': {
        assert(proposal.data.length > 0, 'a batch of commands is not empty');
        const first = this.log.lastIndex() + 1;
        for (const data of proposal.data) this.appendEntry('normal', data);
        this.replication.broadcastAppend();
        this.maybeCommit();
        return { ok: true, index: first, term: this.term };
      }
      case 'config':
        return this.proposeConfig(proposal.change);
      case 'read':
        return proposal.lease ? this.proposeLeaseRead() : this.proposeRead(proposal.context);
      case 'transfer':
        return this.proposeTransfer(proposal.to);
    }
  }

  private refuse(reason: Extract<ProposalOutcome, { ok: false }>['reason']): ProposalOutcome {
    return { ok: false, reason, leader: this.leader };
  }

  /**
   * §4.1: one change at a time. A change waits until the previous one is committed, and until
   * this leader has committed an entry of its own term (the fix in Ongaro's 2015 raft-dev note
   * for single-server changes across leader changes).
   */
  private proposeConfig(change: Parameters<typeof encodeConfigChange>[0]): ProposalOutcome {
    if (this.lastConfigIndex() > this.log.commit || this.log.term(this.log.commit) !== this.term) {
      return this.refuse('config_pending');
    }
    const isVoter = this.config.voters.includes(change.node);
    const isLearner = this.config.learners.includes(change.node);
    if (change.kind === 'addLearner' && (isVoter || isLearner))
      return this.refuse('unknown_member');
    if (change.kind === 'remove' && !isVoter && !isLearner) return this.refuse('unknown_member');
    if (change.kind === 'promote') {
      if (!isLearner) return this.refuse('not_a_learner');
      const match = this.replication.matchOf(change.node);
      if (match + this.options.learnerLagMax < this.log.lastIndex())
        return this.refuse('learner_behind');
    }
    const entry = this.appendEntry('config', encodeConfigChange(change));
    this.replication.broadcastAppend();
    this.maybeCommit();
    return { ok: true, index: entry.index, term: entry.term };
  }

  /**
   * §6.4 ReadIndex: the read may be served once the state machine reaches the commit index of
   * now, provided a majority confirms that this member was still leader after the read arrived.
   */
  private proposeRead(context: number): ProposalOutcome {
    if (this.log.term(this.log.commit) !== this.term) return this.refuse('no_commit_in_term');
    const index = this.log.commit;
    this.out.readStates.push(...this.reads.add(context, index, this.id, this.config.voters));
    if (this.reads.size > 0) this.replication.broadcastHeartbeat(this.reads.round);
    return { ok: true, index, term: this.term };
  }

  /**
   * §6.4.1: a read under the caller's lease is answered at once, at the commit index, with no
   * round of heartbeats. The caller vouches for the lease (read-lease.ts); this member still has
   * to lead, with an entry of its term committed, and not be handing leadership over.
   */
  private proposeLeaseRead(): ProposalOutcome {
    if (this.log.term(this.log.commit) !== this.term) return this.refuse('no_commit_in_term');
    return { ok: true, index: this.log.commit, term: this.term };
  }

  private proposeTransfer(to: NodeId): ProposalOutcome {
    if (!this.config.voters.includes(to)) return this.refuse('unknown_member');
    if (to === this.id) return { ok: true, index: this.log.lastIndex(), term: this.term };
    this.transferee = to;
    this.transferElapsed = 0;
    const progress = this.replication.get(to);
    if (progress?.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else if (progress !== undefined) this.replication.sendAppend(progress, true);
    return { ok: true, index: this.log.lastIndex(), term: this.term };
  }

  private sendTimeoutNow(to: NodeId): void {
    this.out.messages.push({ type: 'timeoutNow', from: this.id, to, term: this.term });
  }

  // ---- persistence and application ----------------------------------------------------------

  private onPersisted(index: number, term: number, snapshotIndex: number): void {
    this.log.markStable(index, term);
    if (snapshotIndex > this.log.stableIndex) {
      this.log.stableIndex = Math.min(snapshotIndex, this.log.lastIndex());
    }
    if (this.role === 'leader' && this.maybeCommit() && this.role === 'leader')
      this.replication.broadcastCommit();
  }

  private onApplied(index: number, snapshotData: Uint8Array | undefined): void {
    assert(
      index <= this.handedOut,
      () => `applied ${index} beyond what was handed out (${this.handedOut})`,
    );
    this.applied = Math.max(this.applied, index);
    if (snapshotData === undefined || index <= this.log.snapshotIndex) return;
    const term = this.log.term(index);
    assert(term !== undefined, 'a snapshot point is in the log');
    const snapshot: Snapshot = {
      meta: { index, term, config: this.configAt(index) },
      data: snapshotData,
    };
    this.snapshot = snapshot;
    this.log.compact(index, term);
    this.out.snapshot = snapshot;
  }

  // ---- configuration ------------------------------------------------------------------------

  /** The configuration in force at `index`: the latest config entry at or before it. */
  private configAt(index: number): Config {
    const base =
      this.log.snapshotIndex === 0
        ? this.bootstrap
        : (this.snapshot?.meta.config ?? this.bootstrap);
    return configAt(base, this.log, index);
  }

  private lastConfigIndex(): number {
    const indexes = this.log.configIndexes();
    return indexes[indexes.length - 1] ?? this.log.snapshotIndex;
  }

  /**
   * §4.1: a member uses the latest configuration in its log as soon as the entry is there, and
   * falls back to the previous one if the entry is truncated away.
   */
  private onConfigMayHaveChanged(): void {
    this.config = this.configAt(this.log.lastIndex());
    if (this.role !== 'leader') return;
    this.replication.track(this.members(), this.log.lastIndex());
  }

  // ---- the Ready ----------------------------------------------------------------------------

  private ready(): Ready {
    const entries = this.log.takeUnstable();
    const hardChanged =
      this.term !== this.persistedHard.term || this.vote !== this.persistedHard.vote;
    let hardState: HardState | undefined;
    if (hardChanged || entries.length > 0 || this.out.snapshot !== undefined) {
      hardState = { term: this.term, vote: this.vote, commit: this.log.commit };
      this.persistedHard = hardState;
    }
    const committed = this.takeCommitted();
    this.checkInvariants();
    return {
      persist: { hardState, entries, snapshot: this.out.snapshot },
      messages: this.out.messages,
      messagesAfterPersist: this.out.after,
      snapshotToApply: this.out.snapshotToApply,
      committed,
      readStates: this.out.readStates,
      outcome: this.out.outcome,
      status: this.status(),
    };
  }

  private takeCommitted(): Entry[] {
    const to = Math.min(this.log.commit, this.log.lastIndex());
    if (to <= this.handedOut) return [];
    const entries = this.log.slice(this.handedOut + 1, to);
    this.handedOut = to;
    return entries;
  }

  private checkInvariants(): void {
    const log = this.log;
    assert(log.commit <= log.lastIndex(), 'commit within the log');
    assert(log.stableIndex <= log.lastIndex(), 'stable within the log');
    assert(
      this.applied <= this.handedOut && this.handedOut <= log.commit,
      'applied ≤ handed out ≤ commit',
    );
    assert(log.snapshotIndex <= log.commit, 'only committed entries are compacted');
    assert((this.role === 'leader') === (this.leader === this.id), 'a leader knows itself');
    assert(this.role !== 'candidate' || this.vote === this.id, 'a candidate votes for itself');
    for (const progress of this.replication.all()) {
      assert(this.role === 'leader', 'only a leader tracks progress');
      assert(this.members().includes(progress.id), 'progress only for members');
      assert(
        progress.next > progress.match,
        () => `next ${progress.next} ≤ match ${progress.match}`,
      );
      assert(progress.match <= log.lastIndex(), 'a follower matches no more than the leader holds');
    }
  }
}

function emptyOut(): StepOutput {
  return {
    messages: [],
    after: [],
    snapshot: undefined,
    snapshotToApply: undefined,
    readStates: [],
    outcome: undefined,
  };
}
