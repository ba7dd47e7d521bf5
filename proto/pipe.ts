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
 *
 * A node also serves the same frames on a plain TCP socket (serveSocketPipe), each frame its
 * serialized PipeFrame after its length: gRPC's HTTP/2 framing of a 64 KiB call costs about five
 * times the CPU of the bare frame (bench:cluster's floor measures both). A PipeClient asks the
 * node where (the Pipe service's Socket call, on gRPC) and uses the socket when there is one,
 * the Open stream otherwise (a node that serves none, or TESSERA_PIPE_SOCKET=off on either side).
 * The calls, their replies and their failures are the same on both.
 */
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { PipeFrame, PipeFrame__Output } from './generated/tessera/v1/PipeFrame.js';
import type { SocketReply__Output } from './generated/tessera/v1/SocketReply.js';
import { MESSAGE_BYTES_MAX, pipeProto } from './load.js';

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
/** What each server's pipes dispatch to (addServices). */
const serverRoutes = new WeakMap<grpc.Server, ReadonlyMap<string, Route>>();
/** Each server's socket for pipes (serveSocketPipe), and the connections it took. */
const servedSockets = new WeakMap<
  grpc.Server,
  { listener: NetServer; port: number; connections: Set<Socket> }
>();

/** Whether pipes may go on plain sockets here (TESSERA_PIPE_SOCKET=off keeps them on gRPC). */
function socketsEnabled(): boolean {
  return process.env.TESSERA_PIPE_SOCKET !== 'off';
}

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
  serverRoutes.set(server, routes);
  server.addService(pipeProto().tessera.v1.Pipe.service, {
    Open: (stream: grpc.ServerDuplexStream<PipeFrame__Output, PipeFrame>) => {
      const pipe = new ServedPipe(streamLink(stream), routes, () => pipes.delete(pipe));
      pipes.add(pipe);
      stream.on('data', (frame: PipeFrame__Output) => pipe.serve(frame));
      stream.on('end', () => pipe.stop());
      stream.on('error', () => pipe.closed());
      stream.on('close', () => pipe.closed());
    },
    Socket: (
      _call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<{ port: number }>,
    ) => callback(null, { port: servedSockets.get(server)?.port ?? 0 }),
  });
}

/**
 * Serves the pipes of `server` (addServices first) on a TCP socket too, on `host` at a port the
 * OS picks, which the Pipe service's Socket call names; resolves with the port (0 when
 * TESSERA_PIPE_SOCKET=off: none is served). stopPipes closes it, killPipes cuts its connections.
 */
export async function serveSocketPipe(server: grpc.Server, host: string): Promise<number> {
  const routes = serverRoutes.get(server);
  const pipes = openPipes.get(server);
  if (!routes || !pipes) throw new Error('serveSocketPipe: call addServices on the server first');
  if (!socketsEnabled()) return 0;
  const served = servedSockets.get(server);
  if (served && served.port > 0) return served.port;
  const connections = new Set<Socket>();
  const open = pipeProto().tessera.v1.Pipe.service.Open;
  const listener = createServer((socket) => {
    socket.setNoDelay(true);
    connections.add(socket);
    const pipe = new ServedPipe(socketLink(socket, open.responseSerialize), routes, () =>
      pipes.delete(pipe),
    );
    pipes.add(pipe);
    const splitter = new FrameSplitter(
      (bytes) => {
        let frame: PipeFrame__Output;
        try {
          frame = open.requestDeserialize(bytes);
        } catch {
          return void socket.destroy();
        }
        pipe.serve(frame);
      },
      () => socket.destroy(),
    );
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('end', () => pipe.stop());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      connections.delete(socket);
      pipe.closed();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, unbracketed(host), () => {
      listener.off('error', reject);
      const address = listener.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  servedSockets.set(server, { listener, port, connections });
  return port;
}

/**
 * Ends every pipe of `server` once its calls in flight have answered (new frames get
 * UNAVAILABLE meanwhile): a server's graceful shutdown waits for its streams, and a pipe would
 * otherwise stay open until the grace runs out.
 */
export function stopPipes(server: grpc.Server): void {
  const sockets = servedSockets.get(server);
  if (sockets) {
    sockets.listener.close();
    sockets.port = 0;
  }
  for (const pipe of openPipes.get(server) ?? []) pipe.stop();
}

/** Cuts every socket connection of `server`'s pipes at once, as a forced shutdown cuts streams. */
export function killPipes(server: grpc.Server): void {
  const sockets = servedSockets.get(server);
  if (!sockets) return;
  sockets.listener.close();
  sockets.port = 0;
  for (const socket of sockets.connections) socket.destroy();
}

/** What a served pipe answers through: an Open stream or a socket. */
interface ServedLink {
  send(frame: PipeFrame): void;
  /** Ends it once every call taken has answered. */
  end(): void;
  /** False once the other side is gone. */
  open(): boolean;
  peer(): string;
}

function streamLink(stream: grpc.ServerDuplexStream<PipeFrame__Output, PipeFrame>): ServedLink {
  return {
    send: (frame) => void stream.write(frame),
    end: () => stream.end(),
    open: () => !stream.cancelled,
    peer: () => stream.getPeer(),
  };
}

function socketLink(socket: Socket, encode: (frame: PipeFrame) => Buffer): ServedLink {
  return {
    send: (frame) => writeFrame(socket, encode, frame),
    end: () => socket.end(),
    open: () => !socket.destroyed && socket.writable,
    peer: () => `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
  };
}

/** The server side of one pipe. */
class ServedPipe {
  private inFlight = 0;
  private stopping = false;
  private ended = false;

  constructor(
    private readonly link: ServedLink,
    private readonly routes: ReadonlyMap<string, Route>,
    private readonly onEnd: () => void,
  ) {}

  stop(): void {
    this.stopping = true;
    if (this.inFlight === 0) this.finish(true);
  }

  /** The other side is gone. */
  closed(): void {
    this.finish();
  }

  serve(frame: PipeFrame__Output): void {
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
      getPeer: () => this.link.peer(),
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
    if (this.ended || !this.link.open()) return;
    this.link.send(frame);
  }

  private finish(end = false): void {
    if (this.ended) return;
    this.ended = true;
    if (end && this.link.open()) this.link.end();
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

/** How a client sends its frames: an Open stream or a socket. */
interface ClientLink {
  readonly kind: 'socket' | 'stream';
  send(frame: PipeFrame): void;
  close(): void;
}

/** The client side: unary calls to one node on one pipe (a socket, or an Open stream). */
export class PipeClient {
  private readonly client: grpc.Client;
  private readonly host: string;
  private link: ClientLink | undefined;
  private connecting = false;
  /** Frames sent while the link was being opened. */
  private queued: PipeFrame[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /**
   * A pipe to `address`. `channelOf`, when given, is a client whose channel (connection) the pipe
   * shares.
   */
  constructor(address: string, options: grpc.ChannelOptions, channelOf?: grpc.Client) {
    const Pipe = pipeProto().tessera.v1.Pipe;
    this.host = unbracketed(address.slice(0, address.lastIndexOf(':')));
    this.client = new Pipe(address, grpc.credentials.createInsecure(), {
      ...options,
      ...(channelOf ? { channelOverride: channelOf.getChannel() } : {}),
    });
  }

  /**
   * Calls `method` with `request`; resolves with its reply, or rejects with the ServiceError of
   * its failure, DEADLINE_EXCEEDED after `deadlineMs`, or UNAVAILABLE when the pipe breaks.
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
      this.send({ id, method: method.path, body, deadlineMs: Math.max(0, deadlineMs) });
    }).then((body) => method.responseDeserialize(body));
  }

  /** What the calls go on now: the node's socket, its Open stream, or nothing yet. */
  get transport(): 'socket' | 'stream' | 'none' {
    return this.link?.kind ?? 'none';
  }

  /** Ends the pipe; calls in flight fail with CANCELLED. */
  close(): void {
    this.closed = true;
    this.failAll(serviceError(grpc.status.CANCELLED, 'the pipe was closed'));
    this.link?.close();
    this.link = undefined;
    this.client.close();
  }

  private send(frame: PipeFrame): void {
    if (this.link) return this.link.send(frame);
    this.queued.push(frame);
    if (!this.connecting) void this.connect();
  }

  /** Opens the link: the node's socket if it names one and it answers, its Open stream if not. */
  private async connect(): Promise<void> {
    this.connecting = true;
    let link: ClientLink;
    try {
      const port = socketsEnabled() ? await this.socketPort() : 0;
      link =
        port > 0 ? await this.openSocket(port).catch(() => this.openStream()) : this.openStream();
    } catch (error) {
      this.connecting = false;
      const failure = error as grpc.ServiceError;
      return this.failAll(
        serviceError(
          grpc.status.UNAVAILABLE,
          `the pipe could not be opened: ${failure.details || failure.message}`,
          failure.metadata,
        ),
      );
    }
    this.connecting = false;
    if (this.closed) return link.close();
    this.link = link;
    for (const frame of this.queued.splice(0)) link.send(frame);
  }

  /** The node's socket port for pipes, 0 for none (a node from before sockets answers UNIMPLEMENTED). */
  private socketPort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = (
        this.client as unknown as {
          Socket(
            request: object,
            options: grpc.CallOptions,
            callback: (error: grpc.ServiceError | null, reply?: SocketReply__Output) => void,
          ): void;
        }
      ).Socket({}, { deadline: Date.now() + SOCKET_ASK_MS }, (error, reply) => {
        if (error?.code === grpc.status.UNIMPLEMENTED) return resolve(0);
        if (error) return reject(error);
        resolve(reply?.port ?? 0);
      });
      void socket;
    });
  }

  private openSocket(port: number): Promise<ClientLink> {
    const open = pipeProto().tessera.v1.Pipe.service.Open;
    return new Promise((resolve, reject) => {
      // A socket that a firewall drops would hang its connect for minutes: give up soon and use
      // the Open stream, which reaches the node wherever its gRPC port does.
      const gaveUp = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${this.host}:${port} within ${SOCKET_CONNECT_MS} ms`));
      }, SOCKET_CONNECT_MS);
      const socket = connect({ host: this.host, port }, () => {
        clearTimeout(gaveUp);
        socket.off('error', failed);
        socket.setNoDelay(true);
        const link: ClientLink = {
          kind: 'socket',
          send: (frame) => writeFrame(socket, open.requestSerialize, frame),
          close: () => socket.destroy(),
        };
        const broken = (error: grpc.ServiceError): void => {
          socket.destroy();
          if (this.link !== link) return;
          this.link = undefined;
          this.failAll(error);
        };
        const splitter = new FrameSplitter(
          (bytes) => {
            let frame: PipeFrame__Output;
            try {
              frame = open.responseDeserialize(bytes);
            } catch (error) {
              return broken(
                serviceError(
                  grpc.status.INTERNAL,
                  `a reply on the pipe does not decode: ${error instanceof Error ? error.message : String(error)}`,
                ),
              );
            }
            this.settle(frame);
          },
          (why) => broken(serviceError(grpc.status.INTERNAL, `the pipe broke: ${why}`)),
        );
        socket.on('data', (chunk: Buffer) => splitter.push(chunk));
        socket.on('end', () =>
          broken(serviceError(grpc.status.UNAVAILABLE, 'the pipe was ended by the node')),
        );
        socket.on('error', (error) =>
          broken(serviceError(grpc.status.UNAVAILABLE, `the pipe broke: ${error.message}`)),
        );
        socket.on('close', () =>
          broken(serviceError(grpc.status.UNAVAILABLE, 'the pipe broke: the socket closed')),
        );
        resolve(link);
      });
      const failed = (error: Error): void => {
        clearTimeout(gaveUp);
        reject(error);
      };
      socket.once('error', failed);
    });
  }

  private openStream(): ClientLink {
    const stream = (
      this.client as unknown as {
        Open(): grpc.ClientDuplexStream<PipeFrame, PipeFrame__Output>;
      }
    ).Open();
    const link: ClientLink = {
      kind: 'stream',
      send: (frame) => void stream.write(frame),
      close: () => stream.cancel(),
    };
    const broken = (error: grpc.ServiceError): void => {
      if (this.link !== link) return;
      this.link = undefined;
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
    return link;
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
    this.queued = [];
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const call of pending) {
      clearTimeout(call.timer);
      call.reject(error);
    }
  }
}

/** How long a client waits for a node to say where its socket is. */
const SOCKET_ASK_MS = 10_000;
/** How long a client waits for the socket's connection before it uses the Open stream. */
const SOCKET_CONNECT_MS = 2_000;

/** PipeFrame's body field (3, length-delimited) as its key byte on the wire. */
const BODY_KEY = (3 << 3) | 2;

/**
 * Writes one frame to a socket: its length, the PipeFrame serialized without its body, then the
 * body as field 3 after its key and length. A decoder takes fields in any order, so this is the
 * same PipeFrame, and the body (up to megabytes) is handed to the socket as it is, never copied
 * into a frame first.
 */
function writeFrame(socket: Socket, encode: (frame: PipeFrame) => Buffer, frame: PipeFrame): void {
  const { body } = frame;
  if (body === undefined || typeof body === 'string' || body.length === 0)
    return writeParts(socket, [encode(frame)]);
  const key = Buffer.from([BODY_KEY, ...varint(body.length)]);
  writeParts(socket, [encode({ ...frame, body: undefined }), key, body]);
}

/** One frame's parts after their total length (4 bytes, little-endian), in one write. */
function writeParts(socket: Socket, parts: Uint8Array[]): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32LE(
    parts.reduce((sum, part) => sum + part.length, 0),
    0,
  );
  socket.cork();
  socket.write(length);
  for (const part of parts) socket.write(part);
  socket.uncork();
}

/** `value` as a protobuf varint. */
function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return bytes;
}

/** The largest frame a socket takes: a message at gRPC's limit and the frame around it. */
const FRAME_BYTES_MAX = MESSAGE_BYTES_MAX + 64 * 1024;

/**
 * Cuts a byte stream into length-prefixed frames; a length over the limit is an error. A frame
 * inside one chunk is a view of it; one across chunks is copied once, and nothing after it is.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private failed = false;

  constructor(
    private readonly onFrame: (frame: Buffer) => void,
    private readonly onError: (why: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes >= 4) {
      const length = this.peek(4).readUInt32LE(0);
      if (length > FRAME_BYTES_MAX) {
        this.failed = true;
        return this.onError(`a frame of ${length} bytes is over the limit of ${FRAME_BYTES_MAX}`);
      }
      if (this.bytes < 4 + length) return;
      this.take(4);
      this.onFrame(this.take(length));
    }
  }

  /** The first `count` buffered bytes, without taking them. */
  private peek(count: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= count) return first;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  /** Takes the first `count` buffered bytes: a view of one chunk, or a copy across several. */
  private take(count: number): Buffer {
    if (count === 0) return Buffer.alloc(0);
    this.bytes -= count;
    const first = this.chunks[0]!;
    if (first.length >= count) {
      if (first.length === count) this.chunks.shift();
      else this.chunks[0] = first.subarray(count);
      return first.subarray(0, count);
    }
    const taken = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length, count - filled);
      chunk.copy(taken, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return taken;
  }
}

/** A host as a socket takes it: an IPv6 literal without its brackets. */
function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
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
