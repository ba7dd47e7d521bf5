/**
 * What placement needs to know of a volume: its name (the prefix of its stripe keys), how many
 * stripes it has, its erasure scheme and its placement rule.
 */
import type { ErasureScheme, PlacementRule } from './rule.js';

/** A volume as the change planner and the survivability report see it. */
export interface VolumeLayout {
  readonly name: string;
  /** The number of stripes, 0…stripes-1. */
  readonly stripes: number;
  readonly scheme: ErasureScheme;
  readonly rule: PlacementRule;
}

/** The key that `place` and `owner` hash for stripe `stripe` of volume `volume`: `volume/stripe`. */
export function stripeKey(volume: string, stripe: number): string {
  return `${volume}/${stripe}`;
}
