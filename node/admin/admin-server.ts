/**
 * A node's admin HTTP endpoints: /healthz (the process answers), /readyz (it can serve: a leader
 * is known and the map is caught up), /metrics (Prometheus text), /v1/status (JSON) and a status
 * page at /. Bound where configured (127.0.0.1 unless told otherwise).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeMetrics } from './metrics.js';
import type { StatusSource } from './node-status.js';
import { renderStatusPage } from './status-page.js';

export interface RunningAdmin {
  address: string;
  stop(): Promise<void>;
}

export async function serveAdmin(
  address: string,
  source: StatusSource,
  metrics: NodeMetrics,
): Promise<RunningAdmin> {
  const server: Server = createServer((request, response) => {
    route(request, response, source, metrics).catch((error: unknown) => {
      send(
        response,
        500,
        'application/json',
        JSON.stringify({ error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${host}:${bound.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  source: StatusSource,
  metrics: NodeMetrics,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://admin').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(
      response,
      405,
      'application/json',
      JSON.stringify({
        error: `${request.method} is not allowed; the admin endpoints are read-only`,
      }),
    );
    return;
  }
  switch (path) {
    case '/healthz':
      send(response, 200, 'text/plain', 'ok\n');
      return;
    case '/readyz': {
      const status = await source.status();
      if (status.ready) send(response, 200, 'text/plain', 'ready\n');
      else send(response, 503, 'text/plain', `not ready: ${status.notReadyReason}\n`);
      return;
    }
    case '/metrics':
      send(response, 200, metrics.registry.contentType, await metrics.registry.metrics());
      return;
    case '/v1/status':
      send(
        response,
        200,
        'application/json',
        `${JSON.stringify(await source.status(), null, 2)}\n`,
      );
      return;
    case '/':
      send(response, 200, 'text/html; charset=utf-8', renderStatusPage(await source.status()));
      return;
    default:
      send(
        response,
        404,
        'application/json',
        JSON.stringify({ error: `no such endpoint: ${path}` }),
      );
  }
}

function send(response: ServerResponse, code: number, type: string, body: string): void {
  response.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}
