// Comparing what a system holds with what `render` printed: every field render prints must be there with the same
// value; fields the server adds (defaults, status, metadata it manages) are ignored.

/** Differences between `expected` (rendered) and `actual` (read back), as `path: expected X, got Y` lines. */
export function missingOrDifferent(
  expected: unknown,
  actual: unknown,
  at = "",
  normalize: (path: string, value: unknown) => unknown = (_p, v) => v,
): string[] {
  const e = normalize(at, expected);
  const a = normalize(at, actual);
  if (e === undefined) return []; // nothing rendered there
  if (Array.isArray(e)) {
    if (!Array.isArray(a)) return [`${at || "."}: expected a list, got ${show(a)}`];
    if (e.length !== a.length)
      return [`${at || "."}: expected ${e.length} item(s), got ${a.length}: ${show(a)}`];
    return e.flatMap((item, i) => missingOrDifferent(item, a[i], `${at}[${i}]`, normalize));
  }
  if (e !== null && typeof e === "object") {
    if (a === null || typeof a !== "object" || Array.isArray(a))
      return [`${at || "."}: expected an object, got ${show(a)}`];
    return Object.entries(e as Record<string, unknown>).flatMap(([k, v]) =>
      missingOrDifferent(v, (a as Record<string, unknown>)[k], at ? `${at}.${k}` : k, normalize),
    );
  }
  if (e === a) return [];
  // The apiserver reads numbers in string-typed fields back as given; compare scalars by their text.
  if (e !== undefined && a !== undefined && String(e) === String(a)) return [];
  return [`${at || "."}: expected ${show(e)}, got ${show(a)}`];
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Go durations as Consul reads them back (`5000ms` → `5s`): both sides to milliseconds. */
export function durationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let index = 0;
  if (text === "" || text === "0") return 0;
  while (index < text.length) {
    re.lastIndex = index;
    const m = re.exec(text);
    if (!m) return undefined;
    const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]] ?? NaN;
    total += Number(m[1]) * unit;
    index = re.lastIndex;
  }
  return total;
}
