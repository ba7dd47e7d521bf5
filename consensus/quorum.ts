/**
 * Majorities (§5.2, §5.3): how many voters make one, who won a vote, and the highest log index a
 * majority holds. Pure functions of a voter list; learners never count.
 */
import type { NodeId } from './types.js';

/** The smallest majority of `voters`. */
export function quorumSize(voters: readonly NodeId[]): number {
  return Math.floor(voters.length / 2) + 1;
}

/** The outcome of an election so far: a majority granted, a majority refused, or neither. */
export function tallyVotes(
  voters: readonly NodeId[],
  votes: ReadonlyMap<NodeId, boolean>,
): 'won' | 'lost' | 'pending' {
  let granted = 0;
  let rejected = 0;
  for (const voter of voters) {
    const vote = votes.get(voter);
    if (vote === true) granted += 1;
    if (vote === false) rejected += 1;
  }
  if (granted >= quorumSize(voters)) return 'won';
  if (rejected >= quorumSize(voters)) return 'lost';
  return 'pending';
}

/** The highest index that a majority of voters holds, given each voter's match index. */
export function quorumIndex(voters: readonly NodeId[], matchOf: (voter: NodeId) => number): number {
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[quorumSize(voters) - 1] ?? 0;
}

/** How many of `voters` are in `members`. */
export function countVoters(voters: readonly NodeId[], members: ReadonlySet<NodeId>): number {
  let count = 0;
  for (const voter of voters) if (members.has(voter)) count += 1;
  return count;
}
