/**
 * A read of one whole stripe straight from its consistency manager, as the SDK routes it, for the
 * one thing Volume.read does not return: whether the CM had to decode (a degraded read).
 */
import {
  GrpcTransport,
  stripeOwner,
  TesseraError,
  type Cluster,
  type StripeReadReply,
} from '../../../client/index.js';
import { sleep } from './process-cluster.js';

/** The stripe's bytes and the degraded flag, or the error of the last of `attemptsMax` attempts. */
export async function readStripe(
  client: Cluster,
  transport: GrpcTransport,
  volume: { name: string; k: number; blockBytes: number },
  stripe: number,
  attemptsMax = 6,
): Promise<{ reply: StripeReadReply; owner: string } | { error: string }> {
  const stripeBytes = volume.k * volume.blockBytes;
  let last = 'not tried';
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const owner = stripeOwner(await client.refreshMap(), volume.name, stripe);
    if (owner?.address) {
      try {
        const reply = await transport.read(owner.address, {
          volume: volume.name,
          offset: stripe * stripeBytes,
          length: stripeBytes,
        });
        return { reply, owner: owner.id };
      } catch (error) {
        last = error instanceof TesseraError ? `${error.code}: ${error.message}` : String(error);
      }
    } else last = 'no owner in the map';
    await sleep(300);
  }
  return { error: last };
}
