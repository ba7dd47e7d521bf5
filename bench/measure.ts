/**
 * Measuring throughput for the benchmarks: warm up, then time rounds of repeated calls and
 * report the median round (robust against a busy neighbour) and the best.
 */
import { readFileSync } from 'node:fs';

export interface Throughput {
  medianMBps: number;
  bestMBps: number;
}

const WARMUP_MS = 150;
const ROUND_MS = 120;
const ROUNDS = 7;

/** MB/s (10^6 bytes) of `bytesPerCall` for a synchronous `call`. */
export function throughput(bytesPerCall: number, call: () => void): Throughput {
  const warmEnd = performance.now() + WARMUP_MS;
  let callsPerRound = 0;
  while (performance.now() < warmEnd) {
    call();
    callsPerRound++;
  }
  callsPerRound = Math.max(1, Math.round((callsPerRound * ROUND_MS) / WARMUP_MS));
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < callsPerRound; i++) call();
    const seconds = (performance.now() - start) / 1000;
    rates.push((bytesPerCall * callsPerRound) / seconds / 1e6);
  }
  rates.sort((a, b) => a - b);
  return { medianMBps: rates[Math.floor(ROUNDS / 2)]!, bestMBps: rates[ROUNDS - 1]! };
}

/** The same for a call that completes through a promise (a native addon in the thread pool). */
export async function throughputAsync(
  bytesPerCall: number,
  call: () => Promise<void>,
): Promise<Throughput> {
  const warmEnd = performance.now() + WARMUP_MS;
  let callsPerRound = 0;
  while (performance.now() < warmEnd) {
    await call();
    callsPerRound++;
  }
  callsPerRound = Math.max(1, Math.round((callsPerRound * ROUND_MS) / WARMUP_MS));
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < callsPerRound; i++) await call();
    rates.push((bytesPerCall * callsPerRound) / ((performance.now() - start) / 1000) / 1e6);
  }
  rates.sort((a, b) => a - b);
  return { medianMBps: rates[Math.floor(ROUNDS / 2)]!, bestMBps: rates[ROUNDS - 1]! };
}

/** Prints a table with aligned columns. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** One figure as one JSON line, for machines. */
export function emit(figure: Record<string, string | number | boolean | null>): void {
  console.log(JSON.stringify(figure));
}

/** CPU seconds (user and system) this process has used so far. */
export function ownCpuSeconds(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6;
}

/** CPU seconds (user and system) another process has used so far, from Linux's /proc; null elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** USER_HZ of Linux's /proc/<pid>/stat (100 on every common build). */
const CLOCK_TICKS_PER_SECOND = 100;
