/** `1 URL`, `3 URLs`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Elapsed time for a summary line: `0.41 s`. */
export function seconds(elapsedMs: number): string {
  return `${(elapsedMs / 1000).toFixed(2)} s`;
}
