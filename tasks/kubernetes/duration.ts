/**
 * Timeouts (parsed with the shared duration syntax of tasks/lib/duration.ts: "90s", "5m",
 * "1m30s", or a number of milliseconds) and short human durations for progress lines.
 */
import { parseDuration as parseShared } from '../lib/duration.js';

/** Milliseconds of a duration; `fallbackMs` when undefined. Throws on a malformed value. */
export function parseDuration(value: string | number | undefined, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseShared(value);
}

/** "12s", "1m05s", "5m", "1h02m" for elapsed times and timeouts. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
  return m % 60 === 0 ? `${m / 60}h` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
