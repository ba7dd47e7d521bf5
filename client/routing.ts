/**
 * Routing, as pure functions: how a writer's event over a volume's bytes splits into per-stripe
 * requests with their part numbers, and which consistency manager owns a stripe. The owner comes
 * from the same responsibility function the nodes use (placement/ owner and cmSetOf), so a client
 * and a node with the same map name the same CM.
 */
import { cmSetOf, owner, stripeKey } from '../placement/index.js';
import { currentCmIds, type ClusterMapView } from './cluster-view.js';

/** What the split needs of a volume. */
export interface StripeLayout {
  readonly k: number;
  readonly blockBytes: number;
}

/** One request of an event: a range of the volume inside one stripe. */
export interface StripePiece {
  readonly stripe: number;
  /** Volume offset of the piece's first byte. */
  readonly offset: number;
  readonly length: number;
  /** Where the piece starts in the event's bytes. */
  readonly at: number;
  /** The event's part number of the piece's first block (parts count blocks, from 0). */
  readonly firstPart: number;
}

/** An event split per stripe: its pieces in offset order and how many parts it has in all. */
export interface SplitEvent {
  /** One part per data-fragment block the event touches, over every stripe. */
  readonly parts: number;
  readonly pieces: readonly StripePiece[];
}

/**
 * Splits [offset, offset + length) of a volume into one piece per stripe it touches (stripe s
 * holds bytes [s·k·B, (s+1)·k·B)); a stripe's range longer than `requestBytesMax` is cut further
 * at block boundaries (never below one block), so that no message exceeds the gRPC limit. Part
 * numbers count the blocks the event touches: a piece's firstPart is its first block's number.
 */
export function splitEvent(
  layout: StripeLayout,
  offset: number,
  length: number,
  requestBytesMax: number,
): SplitEvent {
  const blockBytes = layout.blockBytes;
  const stripeBytes = layout.k * blockBytes;
  const end = offset + length;
  const firstBlock = Math.floor(offset / blockBytes);
  const parts = length === 0 ? 0 : Math.floor((end - 1) / blockBytes) - firstBlock + 1;
  const pieces: StripePiece[] = [];
  for (let at = offset; at < end;) {
    const stripe = Math.floor(at / stripeBytes);
    let pieceEnd = Math.min(end, (stripe + 1) * stripeBytes);
    if (pieceEnd - at > requestBytesMax) {
      const cut = Math.floor((at + requestBytesMax) / blockBytes) * blockBytes;
      pieceEnd = Math.min(pieceEnd, Math.max(cut, (Math.floor(at / blockBytes) + 1) * blockBytes));
    }
    pieces.push({
      stripe,
      offset: at,
      length: pieceEnd - at,
      at: at - offset,
      firstPart: Math.floor(at / blockBytes) - firstBlock,
    });
    at = pieceEnd;
  }
  return { parts, pieces };
}

/** The CM that owns a stripe in the map's epoch, with its address; null when no CM is up. */
export interface StripeOwner {
  readonly id: string;
  /** Its gRPC address; null when the map does not list it (a map that is behind). */
  readonly address: string | null;
}

/** The owner of `stripe` of `volume` in `map`'s current epoch. */
export function stripeOwner(
  map: ClusterMapView,
  volume: string,
  stripe: number,
): StripeOwner | null {
  const id = owner(stripeKey(volume, stripe), cmSetOf(map.epoch, currentCmIds(map)));
  return id === null ? null : { id, address: memberAddress(map, id) };
}

/** The gRPC address of member `id`, or null when the map does not list it. */
export function memberAddress(map: ClusterMapView, id: string): string | null {
  return map.members.find((member) => member.id === id)?.grpcAddress ?? null;
}
