/**
 * Durations as playbooks write them: a number of milliseconds (`1500`), or a string with
 * units (`500ms`, `5s`, `2m`, `1h`, `1m30s`, `1.5s`). A bare numeric string is milliseconds.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/** JSON Schema fragment for a duration field (used in kinds' `with` schemas). */
export const durationSchema = {
  oneOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h)?)+\\s*$' },
  ],
} as const;

/** Parses a duration into milliseconds. Throws an Error naming the bad value. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`invalid duration: ${value}`);
    return value;
  }
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) throw new Error(`invalid duration: "${value}" (use e.g. 500ms, 5s, 2m, 1m30s)`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = PART.lastIndex;
  }
  if (!s.length) throw new Error('invalid duration: empty');
  return total;
}
