/** Answer statuses per property, printed with FUZZ_STATS=1 (to see that the generators reach past the first checks). */
const tallies = new Map<string, Map<number, number>>();

export function tally(property: string, status: number): void {
  const t = tallies.get(property) ?? new Map<number, number>();
  t.set(status, (t.get(status) ?? 0) + 1);
  tallies.set(property, t);
}

export function printTallies(): void {
  if (!process.env.FUZZ_STATS) return;
  for (const [property, t] of tallies) {
    const counts = [...t].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    console.log(`${property}: ${counts.join(' ')}`);
  }
}
