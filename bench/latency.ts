/** Latency samples in milliseconds, summarised the way every bench reports them. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  mean: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    mean: sorted.reduce((sum, sample) => sum + sample, 0) / sorted.length,
  };
}

export async function timed(action: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function formatSummary(label: string, summary: LatencySummary): string {
  return `${label.padEnd(34)} n=${String(summary.count).padStart(4)}  p50 ${summary.p50.toFixed(2).padStart(7)} ms  p95 ${summary.p95.toFixed(2).padStart(7)} ms  mean ${summary.mean.toFixed(2).padStart(7)} ms\n`;
}
