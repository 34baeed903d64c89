/**
 * A tiny, tolerant semantic-version parser and comparator for tool version checks.
 *
 * Tolerant means: a leading `v` is ignored (`v3.17.0`), a missing minor or patch counts as 0
 * (`1.6` = `1.6.0`), build metadata is ignored (`3.17.0+g301108e`), and pre-release suffixes
 * follow semver precedence (`1.2.0-rc.1 < 1.2.0`). Not a full semver range implementation:
 * prerequisites only need "at least this version".
 */

/** A parsed version. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers (`rc.1` -> `['rc', '1']`); empty for a release. */
  prerelease: string[];
}

const EXACT = /^\s*[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\s*$/;
/** Finds the first version-looking token inside free text (`GNU bash, version 5.2.15(1)-release`). */
const EMBEDDED = /(?:^|[^0-9A-Za-z.])[vV]?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?)(?:\+[0-9A-Za-z.-]+)?/;

/** Parses a version string such as `v1.2.3`, `1.2`, `1.2.3-rc.1+build`. Returns null when it is not one. */
export function parseVersion(text: string): Version | null {
  const m = EXACT.exec(text);
  if (!m) return null;
  const prerelease = m[4] ? m[4].split('.').filter((p) => p !== '') : [];
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), prerelease };
}

/**
 * Finds and parses the first `x.y[.z][-pre]` token in free text (a tool's `--version` output).
 * Requires at least major.minor so that numbers like `go1` or `(1)` are not mistaken for versions.
 */
export function extractVersion(text: string): Version | null {
  const m = EMBEDDED.exec(text);
  return m ? parseVersion(m[1]!) : null;
}

/** `x.y.z` or `x.y.z-pre`. */
export function formatVersion(v: Version): string {
  const core = `${v.major}.${v.minor}.${v.patch}`;
  return v.prerelease.length ? `${core}-${v.prerelease.join('.')}` : core;
}

/** Semver precedence: negative when a < b, 0 when equal (build metadata ignored), positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (!pa.length || !pb.length) return pa.length === pb.length ? 0 : pa.length ? -1 : 1;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (i >= pa.length) return -1;
    if (i >= pb.length) return 1;
    const c = compareIdentifier(pa[i]!, pb[i]!);
    if (c) return c;
  }
  return 0;
}

function compareIdentifier(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Math.sign(Number(a) - Number(b));
  if (na !== nb) return na ? -1 : 1; // numeric identifiers sort before alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when `found` is at least `min` (both strings, parsed tolerantly). Throws on an unparsable `min`. */
export function atLeast(found: string | Version, min: string | Version): boolean {
  const f = typeof found === 'string' ? parseVersion(found) : found;
  const m = typeof min === 'string' ? parseVersion(min) : min;
  if (!m) throw new Error(`not a version: ${String(min)}`);
  if (!f) return false;
  return compareVersions(f, m) >= 0;
}
