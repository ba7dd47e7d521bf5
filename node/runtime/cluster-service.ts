/**
 * The Cluster gRPC service of a node: proposals to the cluster map (a follower forwards what it
 * receives to the leader, once) and the node's own view (role, term, map) for its peers and for
 * `tessera cluster status`.
 */
import type { ClusterHandlers } from '../../proto/generated/tessera/v1/Cluster.js';
import type { NodeView } from '../../proto/generated/tessera/v1/NodeView.js';
import { InvalidRequestError } from '../store/errors.js';
import { unary } from '../grpc/status-mapping.js';
import type { ClusterCommand, ClusterResult, Member } from '../cluster/cluster-map-types.js';

export interface ClusterServiceBackend {
  propose(command: ClusterCommand, hops: number): Promise<{ result: ClusterResult; index: number }>;
  view(): Promise<NodeView>;
  join(member: Omit<Member, 'state'>, hops: number): Promise<number>;
  remove(nodeId: string, hops: number): Promise<number>;
  /** A Raft read index confirmed by the leader (a follower forwards the request). */
  readIndex(hops: number): Promise<number>;
}

/** Hops a proposal may take: the node it reached, and the leader. */
export const PROPOSAL_HOPS_MAX = 1;

export function clusterHandlers(backend: ClusterServiceBackend): ClusterHandlers {
  return {
    Propose: unary(async (request) => {
      let command: ClusterCommand;
      try {
        command = JSON.parse(request.commandJson) as ClusterCommand;
      } catch {
        throw new InvalidRequestError('commandJson', 'is not JSON');
      }
      if (request.hops > PROPOSAL_HOPS_MAX)
        throw new InvalidRequestError(
          'hops',
          `a proposal is forwarded at most ${PROPOSAL_HOPS_MAX} time(s)`,
        );
      const { result, index } = await backend.propose(command, request.hops);
      return { resultJson: JSON.stringify(result), index };
    }),
    View: unary(() => backend.view()),
    ReadIndex: unary(async (request) => {
      checkHops(request.hops);
      return { index: await backend.readIndex(request.hops) };
    }),
    Join: unary(async (request) => {
      checkHops(request.hops);
      let member: Omit<Member, 'state'>;
      try {
        member = JSON.parse(request.memberJson) as Omit<Member, 'state'>;
      } catch {
        throw new InvalidRequestError('memberJson', 'is not JSON');
      }
      return { epoch: await backend.join(member, request.hops) };
    }),
    Remove: unary(async (request) => {
      checkHops(request.hops);
      if (!request.nodeId) throw new InvalidRequestError('nodeId', 'is required');
      return { epoch: await backend.remove(request.nodeId, request.hops) };
    }),
  };
}

function checkHops(hops: number): void {
  if (hops > PROPOSAL_HOPS_MAX)
    throw new InvalidRequestError(
      'hops',
      `a request is forwarded at most ${PROPOSAL_HOPS_MAX} time(s)`,
    );
}
