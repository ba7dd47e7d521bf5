/**
 * Progress of a long operation on a terminal: one line on stderr, redrawn at most every 100 ms,
 * with bytes done, rate and time left. Silent when stderr is not a terminal (pipes, CI, tests).
 */
export interface Progress {
  advance(bytes: number): void;
  done(): void;
}

const REDRAW_MS = 100;

export function terminalProgress(
  label: string,
  totalBytes: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY) return { advance: () => {}, done: () => {} };
  const started = performance.now();
  let doneBytes = 0;
  let drawn = 0;
  const draw = (): void => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? doneBytes / seconds : 0;
    const percent = totalBytes > 0 ? Math.min(100, (100 * doneBytes) / totalBytes) : 100;
    const left = rate > 0 ? (totalBytes - doneBytes) / rate : 0;
    stream.write(
      `\r${label} ${percent.toFixed(0).padStart(3)}%  ${formatBytes(doneBytes)} of ${formatBytes(totalBytes)}  ` +
        `${formatBytes(rate)}/s  ${left.toFixed(0)} s left   `,
    );
  };
  return {
    advance(bytes: number) {
      doneBytes += bytes;
      const now = performance.now();
      if (now - drawn >= REDRAW_MS) {
        drawn = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write('\n');
    },
  };
}

/** Bytes in binary units with three significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
