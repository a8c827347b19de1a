/** Whether `key` differs from `known` by case only, or by at most two edits (for keys of 6 or more letters). */
export function isNearMiss(key: string, known: string): boolean {
  if (key.toLowerCase() === known.toLowerCase()) return true;
  return key.length >= 6 && editDistance(key.toLowerCase(), known.toLowerCase()) <= 2;
}

/** The keys of `known` that `key` is a near miss of (a misspelling or a case change), nearest first. */
export function nearKeys(key: string, known: Iterable<string>): string[] {
  return [...known]
    .filter((k) => k !== key && isNearMiss(key, k))
    .sort(
      (a, b) =>
        editDistance(key.toLowerCase(), a.toLowerCase()) - editDistance(key.toLowerCase(), b.toLowerCase()),
    );
}

/** Levenshtein distance, with transpositions of neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
