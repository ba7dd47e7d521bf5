// Proves that failures reach a writer as typed errors with stable codes: every CM error crosses
// gRPC as its status plus tessera-code (NOT_OWNER with owner and epoch) and is rebuilt by the SDK;
// a malformed request is refused with INVALID_ARGUMENT naming the field, by the SDK before anything
// is sent and by the Volumes adapter before the CM; a missing volume is NOT_FOUND.
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  AlreadyExistsError,
  connect,
  DataLostError,
  GrpcTransport,
  InvalidArgumentError,
  NotFoundError,
  NotOwnerError,
  OutcomeUnknownError,
  TesseraError,
  UnavailableError,
  type Cluster,
} from '../../client/index.js';
import {
  CmError,
  CmInvalidRequestError,
  DataLostError as CmDataLostError,
  NotOwnerError as CmNotOwnerError,
  OutcomeUnknownError as CmOutcomeUnknownError,
  StripeUnavailableError,
  VolumeNotFoundError,
} from '../../node/cm/errors.js';
import type { StripeService } from '../../node/cm/requests.js';
import { bindServer } from '../../node/grpc/server.js';
import { toServiceFailure } from '../../node/grpc/status-mapping.js';
import { volumesService } from '../../node/grpc/volume-service.js';
import { addServices } from '../../proto/pipe.js';
import { CHANNEL_OPTIONS, volumesProto } from '../../proto/load.js';
import { startFakeCluster, volumeRecord, type FakeCluster } from './fake-cluster.js';

const writer = { writerId: 'w', writerSeq: 1, eventTimeMs: 1, parts: 1, firstPart: 0 };

describe('client: typed errors', () => {
  describe('each CM error, across gRPC and back', () => {
    let server: grpc.Server;
    let address: string;
    let transport: GrpcTransport;
    let thrown: Error = new Error('unset');
    let reached = 0;

    before(async () => {
      const service: StripeService = {
        write: () => {
          reached++;
          return Promise.reject(thrown);
        },
        read: () => Promise.reject(thrown),
      };
      server = new grpc.Server(CHANNEL_OPTIONS);
      addServices(server, [volumesService(service)]);
      address = await bindServer(server, '127.0.0.1:0');
      transport = new GrpcTransport();
    });
    after(() => {
      transport.close();
      server.forceShutdown();
    });

    const cases: [string, CmError, grpc.status, new (...args: never[]) => TesseraError][] = [
      [
        'NOT_OWNER',
        new CmNotOwnerError('n2', 7, 'v/3'),
        grpc.status.FAILED_PRECONDITION,
        NotOwnerError,
      ],
      [
        'OUTCOME_UNKNOWN',
        new CmOutcomeUnknownError('q not reached'),
        grpc.status.UNKNOWN,
        OutcomeUnknownError,
      ],
      [
        'UNAVAILABLE',
        new StripeUnavailableError('2 of 6 reachable'),
        grpc.status.UNAVAILABLE,
        UnavailableError,
      ],
      [
        'DATA_LOST',
        new CmDataLostError('stripe v/3 lost 3 fragments'),
        grpc.status.DATA_LOSS,
        DataLostError,
      ],
      [
        'INVALID_ARGUMENT',
        new CmInvalidRequestError('offset', 'crosses the stripe'),
        grpc.status.INVALID_ARGUMENT,
        InvalidArgumentError,
      ],
      ['NOT_FOUND', new VolumeNotFoundError('v'), grpc.status.NOT_FOUND, NotFoundError],
    ];
    for (const [code, error, status, Type] of cases) {
      it(`${code}: status ${grpc.status[status]}, tessera-code ${code}, rebuilt as ${Type.name}`, async () => {
        const failure = toServiceFailure(error);
        expect(failure.code).to.equal(status);
        expect(failure.metadata.get('tessera-code')).to.deep.equal([code]);
        thrown = error;
        const caught = await transport
          .write(address, { volume: 'v', offset: 0, bytes: Buffer.from('x'), writer, retry: false })
          .catch((rejected: unknown) => rejected);
        expect(caught).to.be.instanceOf(Type);
        expect((caught as TesseraError).code).to.equal(code);
        expect((caught as Error).message).to.include(error.message.split(';')[0]);
      });
    }

    it('NOT_OWNER carries the owner and epoch (an empty owner when no CM is up)', async () => {
      const failure = toServiceFailure(new CmNotOwnerError('n2', 7, 'v/3'));
      expect(failure.metadata.get('tessera-owner')).to.deep.equal(['n2']);
      expect(failure.metadata.get('tessera-epoch')).to.deep.equal(['7']);
      thrown = new CmNotOwnerError(null, 9, 'v/3');
      const caught = (await transport
        .read(address, { volume: 'v', offset: 0, length: 1 })
        .catch((rejected: unknown) => rejected)) as NotOwnerError;
      expect(caught).to.be.instanceOf(NotOwnerError);
      expect([caught.owner, caught.epoch]).to.deep.equal([null, 9]);
    });

    const malformed: [string, object, string][] = [
      ['no writer', { volume: 'v', offset: 0, bytes: Buffer.from('x') }, 'writer: is required'],
      [
        'empty writer id',
        { volume: 'v', offset: 0, bytes: Buffer.from('x'), writer: { ...writer, writerId: '' } },
        'writer.writerId',
      ],
      [
        'writer id too long',
        {
          volume: 'v',
          offset: 0,
          bytes: Buffer.from('x'),
          writer: { ...writer, writerId: 'w'.repeat(257) },
        },
        'writer.writerId',
      ],
      [
        'no parts',
        { volume: 'v', offset: 0, bytes: Buffer.from('x'), writer: { ...writer, parts: 0 } },
        'writer.parts',
      ],
      [
        'firstPart past parts',
        {
          volume: 'v',
          offset: 0,
          bytes: Buffer.from('x'),
          writer: { ...writer, parts: 2, firstPart: 2 },
        },
        'writer.firstPart',
      ],
      [
        'no bytes',
        { volume: 'v', offset: 0, bytes: Buffer.alloc(0), writer },
        'bytes: must not be empty',
      ],
      [
        'no volume',
        { volume: '', offset: 0, bytes: Buffer.from('x'), writer },
        'volume: is required',
      ],
    ];
    for (const [what, request, field] of malformed) {
      it(`the adapter refuses a write with ${what}: INVALID_ARGUMENT naming ${field.split(':')[0]}`, async () => {
        const before = reached;
        const client = new (volumesProto().tessera.v1.Volumes)(
          address,
          grpc.credentials.createInsecure(),
        );
        try {
          const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
            client.Write(request, (caught) =>
              caught ? resolve(caught) : reject(new Error('accepted')),
            ),
          );
          expect(error.code).to.equal(grpc.status.INVALID_ARGUMENT);
          expect(error.metadata.get('tessera-code')).to.deep.equal(['INVALID_ARGUMENT']);
          expect(error.details).to.include(field);
          expect(reached, 'the CM was not called').to.equal(before);
        } finally {
          client.close();
        }
      });
    }

    it('the adapter refuses a read of no bytes', async () => {
      const caught = await transport
        .read(address, { volume: 'v', offset: 0, length: 0 })
        .catch((rejected: unknown) => rejected);
      expect(caught).to.be.instanceOf(InvalidArgumentError);
      expect((caught as Error).message).to.match(/^length:/);
    });
  });

  describe('volumes and arguments', () => {
    let cluster: FakeCluster;
    let client: Cluster;

    beforeEach(async () => {
      cluster = await startFakeCluster(2, [volumeRecord('disk', 2, 1, 4096)]);
      client = await connect({
        seeds: cluster.seeds,
        retry: { attemptsMax: 2, backoffMsMin: 1, backoffMsMax: 2 },
      });
    });
    afterEach(async () => {
      await client.close();
      await cluster.stop();
    });

    it('a missing volume is NOT_FOUND, saying to create it', async () => {
      const error = await client.openVolume('nope').catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(NotFoundError);
      expect((error as NotFoundError).code).to.equal('NOT_FOUND');
      expect((error as Error).message).to.match(/create it first/);
    });

    it('a volume deleted after it was opened: the CM answers NOT_FOUND, the SDK does not retry', async () => {
      const volume = await client.openVolume('disk');
      cluster.state.map = { ...cluster.state.map, volumes: [] };
      const error = await volume.write(0, Buffer.from('x')).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(NotFoundError);
      expect(cluster.state.requests).to.equal(1);
    });

    it('bad arguments are INVALID_ARGUMENT naming the field, and nothing is sent', async () => {
      const volume = await client.openVolume('disk');
      const attempts: [Promise<unknown>, RegExp][] = [
        [volume.write(-1, Buffer.from('x')), /^offset:/],
        [volume.write(1.5, Buffer.from('x')), /^offset:/],
        [volume.write(0, Buffer.alloc(0)), /^bytes.length:/],
        [volume.write(0, 'text' as unknown as Uint8Array), /^bytes:/],
        [volume.write(0, Buffer.from('x'), { writerSeq: -2 }), /^writerSeq:/],
        [volume.read(0, 0), /^length:/],
        [volume.read(Number.MAX_SAFE_INTEGER, 2), /^offset \+ length:/],
        [volume.journal().append(-5, Buffer.from('x')), /^offset:/],
      ];
      for (const [attempt, message] of attempts) {
        const error = await attempt.catch((caught: unknown) => caught);
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect((error as Error).message).to.match(message);
      }
      expect(cluster.state.requests).to.equal(0);
      const seeds = await connect({ seeds: [] }).catch((caught: unknown) => caught);
      expect(seeds).to.be.instanceOf(InvalidArgumentError);
    });

    it('no seed answering is UNAVAILABLE, naming the seeds', async () => {
      const dead = cluster.seeds[0]!;
      for (const node of cluster.nodes) cluster.kill(node);
      const error = await connect({ seeds: [dead] }).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(UnavailableError);
      expect((error as Error).message).to.include(dead);
    });

    it('createVolume: created once, then ALREADY_EXISTS; a bad block size names the field', async () => {
      const created = await client.createVolume('photos', { k: 4, m: 2, blockBytes: 65536 });
      expect(created).to.include({ name: 'photos', k: 4, m: 2, blockBytes: 65536, writeQuorum: 5 });
      expect((await client.openVolume('photos')).info.k).to.equal(4);
      expect((await client.listVolumes()).map((volume) => volume.name)).to.deep.equal([
        'disk',
        'photos',
      ]);
      const again = await client
        .createVolume('photos', { k: 4, m: 2, blockBytes: 65536 })
        .catch((caught: unknown) => caught);
      expect(again).to.be.instanceOf(AlreadyExistsError);
      const bad = await client
        .createVolume('odd', { k: 4, m: 2, blockBytes: 1000 })
        .catch((caught: unknown) => caught);
      expect(bad).to.be.instanceOf(InvalidArgumentError);
      expect((bad as Error).message).to.match(/^blockBytes:/);
    });

    it('a closed cluster refuses further calls with CLOSED', async () => {
      const volume = await client.openVolume('disk');
      await client.close();
      const error = await volume.write(0, Buffer.from('x')).catch((caught: unknown) => caught);
      expect(error).to.have.property('code', 'CLOSED');
      const opened = await client.openVolume('disk').catch((caught: unknown) => caught);
      expect(opened).to.have.property('code', 'CLOSED');
    });
  });
});
