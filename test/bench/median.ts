// The middle value of a benchmark's rounds (the upper middle of an even count): on a shared
// machine one slow round moves it less than it moves a mean.
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
