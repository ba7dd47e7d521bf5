/**
 * Runs one task per item with a bounded number in flight, stopping new ones after the first
 * failure, and reports how each ended. An operation over many stripes uses it so that a large
 * write opens a bounded number of requests and a failure is known before more are sent.
 */

/** How one item's task ended; `undefined` marks one never started after a failure. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown } | undefined;

/** Runs `task` over `items`, at most `inFlightMax` at once, in order; resolves when all settled. */
export async function settleAll<Item, T>(
  items: readonly Item[],
  inFlightMax: number,
  task: (item: Item) => Promise<T>,
): Promise<Settled<T>[]> {
  const outcomes: Settled<T>[] = new Array<Settled<T>>(items.length).fill(undefined);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const at = next++;
      try {
        outcomes[at] = { ok: true, value: await task(items[at]!) };
      } catch (error) {
        outcomes[at] = { ok: false, error };
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlightMax, items.length) }, worker));
  return outcomes;
}
