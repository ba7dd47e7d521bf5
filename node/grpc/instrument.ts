/**
 * Request metrics for a gRPC service: wraps every unary handler so that each call is counted by
 * method and outcome and its latency goes into the node's histogram.
 */
import type * as grpc from '@grpc/grpc-js';
import type { NodeMetrics } from '../admin/metrics.js';

type Handler = (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback: grpc.sendUnaryData<unknown>,
) => void;

/** The same handlers, unary ones measured; streaming ones are passed through. */
export function instrument<Handlers extends object>(
  handlers: Handlers,
  metrics: NodeMetrics,
): Handlers {
  const measured: Record<string, unknown> = {};
  for (const [method, handler] of Object.entries(handlers) as [string, unknown][]) {
    if (typeof handler !== 'function' || handler.length !== 2) {
      measured[method] = handler;
      continue;
    }
    const unary = handler as Handler;
    // The labelled series looked up once per method, not on every call.
    const seconds = metrics.requestSeconds.labels({ method });
    const ok = metrics.requests.labels({ method, outcome: 'ok' });
    const failed = metrics.requests.labels({ method, outcome: 'error' });
    measured[method] = ((call, callback) => {
      const end = seconds.startTimer();
      unary(call, (error, ...rest) => {
        end();
        (error ? failed : ok).inc();
        callback(error, ...rest);
      });
    }) satisfies Handler;
  }
  return measured as Handlers;
}
