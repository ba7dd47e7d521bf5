/**
 * Calling a cluster from the command line: the gRPC address given (--grpc), or each node of the
 * local cluster in --dir in turn until one answers (it forwards to the leader where needed).
 */
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, clusterProto } from '../../proto/load.js';
import { unaryCall } from '../grpc/unary-call.js';
import { layoutFor } from './local-cluster.js';

export interface Target {
  grpc?: string | undefined;
  dir: string;
}

/** The gRPC addresses to try: --grpc, or every node of the local cluster in --dir. */
export async function addresses(target: Target): Promise<string[]> {
  if (target.grpc) return [target.grpc];
  const { layout } = await layoutFor(resolve(target.dir), 0, 0, 0).catch(() => {
    throw new Error(`no cluster in ${target.dir}: give --grpc host:port or --dir`);
  });
  return layout.nodes.map((node) => node.grpc);
}

/** Calls `method` on the first node that answers (it forwards to the leader). */
export async function callAny<Reply>(
  target: Target,
  method: string,
  request: object,
): Promise<Reply> {
  let last: unknown;
  for (const address of await addresses(target)) {
    const client = new (clusterProto().tessera.v1.Cluster)(
      address,
      grpc.credentials.createInsecure(),
      CHANNEL_OPTIONS,
    );
    try {
      return await unaryCall<object, Reply>(client, method, request, 60_000);
    } catch (error) {
      last = error;
      if ((error as { code?: string }).code === 'INVALID_ARGUMENT') throw error;
    } finally {
      client.close();
    }
  }
  throw last instanceof Error ? last : new Error('no node answered');
}
