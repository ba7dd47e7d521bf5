/**
 * Many unary calls on one stream (pipe.proto). A unary gRPC call opens an HTTP/2 stream and
 * sends headers, trailers and a status: about six times the CPU of the same call as a message on
 * a stream already open, at 4 KiB (bench:cluster measures both). So a node and the SDK send their
 * unary calls to a node on one Open stream:
 *
 * - the server side (addServices) dispatches each request frame to the very handler its unary
 *   call would have reached, and sends back its reply or its failure;
 * - the client side (PipeClient) keeps one Open stream per channel, opened on first use and again
 *   after it breaks, and matches the replies by id. A failed call rejects with the
 *   grpc.ServiceError its unary call would have given (status, details, metadata), so that
 *   callers convert errors exactly as before; a broken stream fails the calls in flight with
 *   UNAVAILABLE, as a broken connection fails unary calls.
 *
 * Only unary methods travel on a pipe; streaming methods stay streams of their own.
 */
import * as grpc from '@grpc/grpc-js';
import type { PipeFrame, PipeFrame__Output } from './generated/tessera/v1/PipeFrame.js';
import { pipeProto } from './load.js';

type UnaryHandler = (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback: grpc.sendUnaryData<unknown>,
) => void;

interface Route {
  deserialize: (bytes: Buffer) => unknown;
  serialize: (reply: unknown) => Buffer;
  handler: UnaryHandler;
}

/** A service to serve: its definition and its handlers, as server.addService takes them. */
export type ServiceEntry = readonly [grpc.ServiceDefinition, object];

/** The pipes open on each server, to end them when it stops (stopPipes). */
const openPipes = new WeakMap<grpc.Server, Set<ServedPipe>>();

/**
 * Adds every service to `server`, and the Pipe service that reaches their unary methods (a
 * method's path, as in /tessera.v1.Fragments/Read, names it in a frame).
 */
export function addServices(server: grpc.Server, services: readonly ServiceEntry[]): void {
  const routes = new Map<string, Route>();
  for (const [definition, handlers] of services) {
    server.addService(definition, handlers as grpc.UntypedServiceImplementation);
    for (const [name, method] of Object.entries(definition)) {
      const handler = (handlers as Record<string, unknown>)[name];
      if (method.requestStream || method.responseStream || typeof handler !== 'function') continue;
      routes.set(method.path, {
        deserialize: method.requestDeserialize,
        serialize: method.responseSerialize,
        handler: handler as UnaryHandler,
      });
    }
  }
  const pipes = new Set<ServedPipe>();
  openPipes.set(server, pipes);
  server.addService(pipeProto().tessera.v1.Pipe.service, {
    Open: (stream: grpc.ServerDuplexStream<PipeFrame__Output, PipeFrame>) => {
      const pipe = new ServedPipe(stream, routes, () => pipes.delete(pipe));
      pipes.add(pipe);
    },
  });
}

/**
 * Ends every pipe of `server` once its calls in flight have answered (new frames get
 * UNAVAILABLE meanwhile): a server's graceful shutdown waits for its streams, and a pipe would
 * otherwise stay open until the grace runs out.
 */
export function stopPipes(server: grpc.Server): void {
  for (const pipe of openPipes.get(server) ?? []) pipe.stop();
}

/** The server side of one Open stream. */
class ServedPipe {
  private inFlight = 0;
  private stopping = false;
  private ended = false;

  constructor(
    private readonly stream: grpc.ServerDuplexStream<PipeFrame__Output, PipeFrame>,
    private readonly routes: ReadonlyMap<string, Route>,
    private readonly onEnd: () => void,
  ) {
    stream.on('data', (frame: PipeFrame__Output) => this.serve(frame));
    stream.on('end', () => this.stop());
    stream.on('error', () => this.finish());
    stream.on('close', () => this.finish());
  }

  stop(): void {
    this.stopping = true;
    if (this.inFlight === 0) this.finish(true);
  }

  private serve(frame: PipeFrame__Output): void {
    const fail = (status: grpc.status, details: string, metadata?: grpc.Metadata): void =>
      this.reply({ id: frame.id, status, details, metadata: metadataRecord(metadata) });
    if (this.stopping) return fail(grpc.status.UNAVAILABLE, 'the node is stopping');
    const route = this.routes.get(frame.method);
    if (!route)
      return fail(grpc.status.UNIMPLEMENTED, `no unary method ${frame.method} on this pipe`);
    let request: unknown;
    try {
      request = route.deserialize(frame.body);
    } catch (error) {
      return fail(
        grpc.status.INVALID_ARGUMENT,
        `the request of ${frame.method} does not decode: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.inFlight++;
    const call = {
      request,
      metadata: new grpc.Metadata(),
      cancelled: false,
      getPeer: () => this.stream.getPeer(),
      getDeadline: () =>
        frame.deadlineMs > 0 ? new Date(Date.now() + frame.deadlineMs) : Infinity,
    } as unknown as grpc.ServerUnaryCall<unknown, unknown>;
    let answered = false;
    route.handler(call, (error, value) => {
      if (answered) return;
      answered = true;
      this.inFlight--;
      if (error) {
        const failure = error as Partial<grpc.ServiceError>;
        fail(
          failure.code ?? grpc.status.UNKNOWN,
          failure.details ?? failure.message ?? 'failed',
          failure.metadata,
        );
      } else {
        try {
          this.reply({ id: frame.id, body: route.serialize(value) });
        } catch (serializing) {
          fail(
            grpc.status.INTERNAL,
            `the reply of ${frame.method} does not encode: ${serializing instanceof Error ? serializing.message : String(serializing)}`,
          );
        }
      }
      if (this.stopping && this.inFlight === 0) this.finish(true);
    });
  }

  private reply(frame: PipeFrame): void {
    if (this.ended || this.stream.cancelled) return;
    this.stream.write(frame);
  }

  private finish(end = false): void {
    if (this.ended) return;
    this.ended = true;
    if (end && !this.stream.cancelled) this.stream.end();
    this.onEnd();
  }
}

function metadataRecord(metadata: grpc.Metadata | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!metadata) return record;
  for (const [key, value] of Object.entries(metadata.getMap()))
    if (typeof value === 'string') record[key] = value;
  return record;
}

interface Pending {
  resolve: (body: Buffer) => void;
  reject: (error: grpc.ServiceError) => void;
  timer: NodeJS.Timeout | undefined;
}

/** A unary method as a pipe sends it: its path and how its messages are (de)serialized. */
export interface PipeMethod<Request, Reply> {
  path: string;
  requestSerialize: (request: Request) => Buffer;
  responseDeserialize: (bytes: Buffer) => Reply;
}

/** The client side: unary calls to one node on one Open stream. */
export class PipeClient {
  private readonly client: grpc.Client;
  private stream: grpc.ClientDuplexStream<PipeFrame, PipeFrame__Output> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /**
   * A pipe to `address`. `channelOf`, when given, is a client whose channel (connection) the pipe
   * shares.
   */
  constructor(address: string, options: grpc.ChannelOptions, channelOf?: grpc.Client) {
    const Pipe = pipeProto().tessera.v1.Pipe;
    this.client = new Pipe(address, grpc.credentials.createInsecure(), {
      ...options,
      ...(channelOf ? { channelOverride: channelOf.getChannel() } : {}),
    });
  }

  /**
   * Calls `method` with `request`; resolves with its reply, or rejects with the ServiceError of
   * its failure, DEADLINE_EXCEEDED after `deadlineMs`, or UNAVAILABLE when the stream breaks.
   */
  call<Request, Reply>(
    method: PipeMethod<Request, Reply>,
    request: Request,
    deadlineMs: number,
  ): Promise<Reply> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.closed) return reject(serviceError(grpc.status.CANCELLED, 'the pipe is closed'));
      const id = this.nextId++;
      let body: Buffer;
      try {
        body = method.requestSerialize(request);
      } catch (error) {
        return reject(
          serviceError(
            grpc.status.INTERNAL,
            `the request of ${method.path} does not encode: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
      const timer =
        deadlineMs > 0
          ? setTimeout(() => {
              if (!this.pending.delete(id)) return;
              reject(
                serviceError(grpc.status.DEADLINE_EXCEEDED, `no reply within ${deadlineMs} ms`),
              );
            }, deadlineMs)
          : undefined;
      this.pending.set(id, { resolve, reject, timer });
      this.open().write({ id, method: method.path, body, deadlineMs: Math.max(0, deadlineMs) });
    }).then((body) => method.responseDeserialize(body));
  }

  /** Ends the stream; calls in flight fail with CANCELLED. */
  close(): void {
    this.closed = true;
    this.failAll(serviceError(grpc.status.CANCELLED, 'the pipe was closed'));
    this.stream?.cancel();
    this.stream = undefined;
    this.client.close();
  }

  private open(): grpc.ClientDuplexStream<PipeFrame, PipeFrame__Output> {
    if (this.stream) return this.stream;
    const stream = (
      this.client as unknown as {
        Open(): grpc.ClientDuplexStream<PipeFrame, PipeFrame__Output>;
      }
    ).Open();
    this.stream = stream;
    const broken = (error: grpc.ServiceError): void => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.failAll(error);
    };
    stream.on('data', (frame: PipeFrame__Output) => this.settle(frame));
    stream.on('error', (error: grpc.ServiceError) =>
      broken(
        serviceError(
          error.code === grpc.status.CANCELLED ? grpc.status.UNAVAILABLE : error.code,
          `the pipe broke: ${error.details || error.message}`,
          error.metadata,
        ),
      ),
    );
    stream.on('end', () =>
      broken(serviceError(grpc.status.UNAVAILABLE, 'the pipe was ended by the node')),
    );
    return stream;
  }

  private settle(frame: PipeFrame__Output): void {
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    this.pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.status === 0) return pending.resolve(frame.body);
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(frame.metadata)) metadata.set(key, value);
    pending.reject(serviceError(frame.status, frame.details, metadata));
  }

  private failAll(error: grpc.ServiceError): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const call of pending) {
      clearTimeout(call.timer);
      call.reject(error);
    }
  }
}

/** A ServiceError as grpc-js gives one for a failed unary call. */
function serviceError(
  code: grpc.status,
  details: string,
  metadata = new grpc.Metadata(),
): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code] ?? ''}: ${details}`), {
    code,
    details,
    metadata,
  });
}
