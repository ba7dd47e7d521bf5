// Proves that unary calls sent on a pipe (proto/pipe.ts, many calls on one stream) behave as the
// same calls made one by one: the same replies, the same failures with the same status, details
// and Tessera metadata, each matched to its caller however the replies are ordered; a deadline
// fails only its own call; a node that stops answers what it had taken and ends the pipe; a
// node that comes back is reached again through a new stream. All of it twice: on the plain
// socket a node serves beside gRPC, and on the Open stream (a node that serves no socket).
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { ClusterHandlers } from '../../proto/generated/tessera/v1/Cluster.js';
import { CHANNEL_OPTIONS, clusterProto } from '../../proto/load.js';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  addServices,
  killPipes,
  PipeClient,
  serveSocketPipe,
  type PipeMethod,
} from '../../proto/pipe.js';
import { bindServer, bindWithPipeSocket, stopServer } from '../../node/grpc/server.js';
import { toServiceFailure, unary } from '../../node/grpc/status-mapping.js';
import { InvalidRequestError } from '../../node/store/errors.js';
import { pipeCall, RemoteCallError, unaryCall } from '../../node/grpc/unary-call.js';

const service = clusterProto().tessera.v1.Cluster.service;
const method = <Request, Reply>(name: keyof typeof service): PipeMethod<Request, Reply> =>
  service[name] as unknown as PipeMethod<Request, Reply>;

/** A Cluster service whose ReadIndex waits until the test releases it. */
class Held {
  private waiting: (() => void)[] = [];
  taken = 0;

  handlers(): Partial<ClusterHandlers> {
    return {
      View: unary(() => Promise.resolve({ nodeId: 'n1', mapJson: '{}', leader: 3 })),
      ReadIndex: unary(async (request: { hops: number }) => {
        this.taken++;
        await new Promise<void>((release) => this.waiting.push(release));
        return { index: 40 + request.hops };
      }),
      // "echo:TEXT" comes back as the result; anything else is refused.
      Propose: unary((request: { commandJson: string }) =>
        request.commandJson.startsWith('echo:')
          ? Promise.resolve({ resultJson: request.commandJson.slice(5), index: 1 })
          : Promise.reject(new InvalidRequestError('commandJson', 'is not a command')),
      ),
    };
  }

  release(): void {
    for (const release of this.waiting.splice(0)) release();
  }
}

async function serve(
  held: Held,
  socket: boolean,
  address = '127.0.0.1:0',
): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  addServices(server, [[service, held.handlers()]]);
  const bound = socket
    ? await bindWithPipeSocket(server, address)
    : await bindServer(server, address);
  return { server, address: bound };
}

async function failureOf(promise: Promise<unknown>): Promise<RemoteCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).to.be.instanceOf(RemoteCallError);
  return error as RemoteCallError;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((done) => setTimeout(done, 5));
}

for (const socket of [true, false])
  describe(`grpc: many unary calls on one pipe (${socket ? 'a plain socket' : 'an Open stream'})`, () => {
    let held: Held;
    let server: grpc.Server;
    let address: string;
    let pipe: PipeClient;
    let unaryClient: grpc.Client;

    beforeEach(async () => {
      held = new Held();
      ({ server, address } = await serve(held, socket));
      pipe = new PipeClient(address, CHANNEL_OPTIONS);
      unaryClient = new (clusterProto().tessera.v1.Cluster)(
        address,
        grpc.credentials.createInsecure(),
        CHANNEL_OPTIONS,
      );
    });

    afterEach(async () => {
      held.release();
      pipe.close();
      unaryClient.close();
      await stopServer(server, 200);
    });

    it('matches each reply to its call, whatever order they finish in', async () => {
      const slow = [1, 2, 3].map((hops) =>
        pipe.call(method<{ hops: number }, { index: number }>('ReadIndex'), { hops }, 5000),
      );
      await until(() => held.taken === 3);
      const view = await pipe.call(
        method<object, { nodeId: string; leader: number }>('View'),
        {},
        5000,
      );
      expect(view).to.include({ nodeId: 'n1', leader: 3 });
      expect(pipe.transport).to.equal(socket ? 'socket' : 'stream');
      held.release();
      expect((await Promise.all(slow)).map((reply) => reply.index)).to.deep.equal([41, 42, 43]);
    });

    it('fails a call with the status, details and tessera-code of the same unary call', async () => {
      const onPipe = await failureOf(
        pipeCall(pipe, service.Propose, { commandJson: '?', hops: 0 }, 5000),
      );
      const alone = await failureOf(
        unaryCall(unaryClient, 'Propose', { commandJson: '?', hops: 0 }, 5000),
      );
      const expected = toServiceFailure(new InvalidRequestError('commandJson', 'is not a command'));
      expect(onPipe.status).to.equal(expected.code);
      expect({ status: onPipe.status, code: onPipe.code, message: onPipe.message }).to.deep.equal({
        status: alone.status,
        code: alone.code,
        message: alone.message,
      });
      expect(onPipe.code).to.equal('INVALID_ARGUMENT');
      expect(onPipe.message).to.contain('commandJson');
    });

    it('requests and replies of megabytes, many in flight, arrive whole and to their caller', async () => {
      // Each spans many socket reads and shares them with the others' frames.
      const texts = Array.from({ length: 8 }, (_, which) =>
        randomBytes(1_000_000 + which * 4097).toString('base64'),
      );
      const replies = await Promise.all(
        texts.map((text) =>
          pipeCall(pipe, service.Propose, { commandJson: `echo:${text}`, hops: 0 }, 20_000),
        ),
      );
      expect(pipe.transport).to.equal(socket ? 'socket' : 'stream');
      expect(replies.map((reply) => (reply as { resultJson: string }).resultJson)).to.deep.equal(
        texts,
      );
    });

    it('a deadline fails its own call only; the pipe goes on serving', async () => {
      const late = failureOf(pipeCall(pipe, service.ReadIndex, { hops: 1 }, 100));
      expect((await late).status).to.equal(grpc.status.DEADLINE_EXCEEDED);
      const view = await pipeCall<object, { nodeId: string }>(pipe, service.View, {}, 5000);
      expect(view.nodeId).to.equal('n1');
      held.release(); // the late reply arrives now and is dropped
      const next = pipeCall<object, { index: number }>(pipe, service.ReadIndex, { hops: 2 }, 5000);
      await until(() => held.taken === 2);
      held.release();
      expect((await next).index).to.equal(42);
    });

    it('a method the node does not have: UNIMPLEMENTED, naming it', async () => {
      const unknown: PipeMethod<object, object> = {
        ...method<object, object>('View'),
        path: '/tessera.v1.Cluster/Nothing',
      };
      const error = await pipe.call(unknown, {}, 5000).then(
        () => undefined,
        (caught: grpc.ServiceError) => caught,
      );
      expect(error?.code).to.equal(grpc.status.UNIMPLEMENTED);
      expect(error?.details).to.contain('/tessera.v1.Cluster/Nothing');
    });

    it('a request that does not decode: INVALID_ARGUMENT, and the pipe goes on', async () => {
      const garbage: PipeMethod<object, object> = {
        ...method<object, object>('ReadIndex'),
        requestSerialize: () => Buffer.from([0xff, 0xff, 0xff]),
      };
      const error = await pipe.call(garbage, {}, 5000).then(
        () => undefined,
        (caught: grpc.ServiceError) => caught,
      );
      expect(error?.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(error?.details).to.contain('does not decode');
      expect(
        (await pipeCall<object, { nodeId: string }>(pipe, service.View, {}, 5000)).nodeId,
      ).to.equal('n1');
    });

    it('a node that stops answers the calls it took, refuses new ones, and is reached again once back', async () => {
      const taken = pipeCall<object, { index: number }>(pipe, service.ReadIndex, { hops: 5 }, 5000);
      await until(() => held.taken === 1);
      const stopping = stopServer(server, 5000);
      held.release();
      expect((await taken).index).to.equal(45);
      await stopping;
      const refused = await failureOf(pipeCall(pipe, service.View, {}, 5000));
      expect(refused.status).to.equal(grpc.status.UNAVAILABLE);
      ({ server } = await serve(held, socket, address));
      let view: { nodeId: string } | undefined;
      while (!view)
        view = await pipeCall<object, { nodeId: string }>(pipe, service.View, {}, 5000).catch(
          () => undefined,
        );
      expect(view.nodeId).to.equal('n1');
    });

    it('a node killed with calls in flight: they fail UNAVAILABLE, not hang', async () => {
      const taken = pipeCall(pipe, service.ReadIndex, { hops: 1 }, 60_000);
      await until(() => held.taken === 1);
      killPipes(server);
      server.forceShutdown();
      const error = await failureOf(taken);
      expect(error.status).to.equal(grpc.status.UNAVAILABLE);
    });

    it('calls after close() fail CANCELLED at once', async () => {
      pipe.close();
      const error = await pipe.call(method('View'), {}, 5000).then(
        () => undefined,
        (caught: grpc.ServiceError) => caught,
      );
      expect(error?.code).to.equal(grpc.status.CANCELLED);
    });
  });

describe('grpc: the pipe on a plain socket', () => {
  it('a frame longer than any message is refused by closing that connection; other clients go on', async () => {
    const held = new Held();
    const { server, address } = await serve(held, true);
    const pipe = new PipeClient(address, CHANNEL_OPTIONS);
    try {
      expect(
        (await pipeCall<object, { nodeId: string }>(pipe, service.View, {}, 5000)).nodeId,
      ).to.equal('n1');
      expect(pipe.transport).to.equal('socket');
      // Asked again, the server names the socket it serves rather than open another.
      const port = await socketPortOf(server);
      const closed = await new Promise<boolean>((resolve) => {
        const rogue = connect({ host: '127.0.0.1', port }, () => {
          const head = Buffer.alloc(4);
          head.writeUInt32LE(0xffffffff, 0);
          rogue.write(head);
        });
        rogue.on('close', () => resolve(true));
        rogue.on('error', () => undefined);
      });
      expect(closed).to.equal(true);
      expect(
        (await pipeCall<object, { nodeId: string }>(pipe, service.View, {}, 5000)).nodeId,
      ).to.equal('n1');
    } finally {
      pipe.close();
      await stopServer(server, 200);
    }
  });

  it('TESSERA_PIPE_SOCKET=off keeps the calls on the Open stream', async () => {
    const held = new Held();
    const server = new grpc.Server(CHANNEL_OPTIONS);
    addServices(server, [[service, held.handlers()]]);
    const address = await bindServer(server, '127.0.0.1:0');
    process.env.TESSERA_PIPE_SOCKET = 'off';
    try {
      expect(await serveSocketPipe(server, '127.0.0.1')).to.equal(0);
      const pipe = new PipeClient(address, CHANNEL_OPTIONS);
      expect(
        (await pipeCall<object, { nodeId: string }>(pipe, service.View, {}, 5000)).nodeId,
      ).to.equal('n1');
      expect(pipe.transport).to.equal('stream');
      pipe.close();
    } finally {
      delete process.env.TESSERA_PIPE_SOCKET;
      await stopServer(server, 200);
    }
  });
});

/** The port a server's pipe socket listens on, as its Socket call names it. */
function socketPortOf(server: grpc.Server): Promise<number> {
  return serveSocketPipe(server, '127.0.0.1');
}
