/**
 * One Raft read serves every caller waiting at that moment (DESIGN.md, step 4): a caller needs a
 * read issued after its call, so it joins the next read if one is already in flight, and the
 * next read starts when the current one ends.
 */
export class ConfirmBatcher<T> {
  private running: Promise<T> | null = null;
  private next: Promise<T> | null = null;

  constructor(private readonly read: () => Promise<T>) {}

  /** Resolves with the result of a read issued after this call. */
  confirm(): Promise<T> {
    if (!this.running) return this.start();
    if (!this.next) {
      const after = (): Promise<T> => {
        this.next = null;
        return this.start();
      };
      this.next = this.running.then(after, after);
    }
    return this.next;
  }

  private start(): Promise<T> {
    const read = this.read();
    this.running = read;
    const clear = (): void => {
      if (this.running === read) this.running = null;
    };
    read.then(clear, clear);
    return read;
  }
}
