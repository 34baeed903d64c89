/**
 * Secret masking. Every string that leaves the engine (console, run.log, journal, events,
 * errors, reports) passes through one {@link Masker}. A secret is masked as `***` in the
 * forms it is likely to be echoed in: verbatim, per line, JSON-escaped, URL-encoded, base64.
 */

export const MASK = '***';

/** Environment variables that task kinds read as credentials; masked whenever they are set. */
export const CREDENTIAL_ENV_VARS = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_PASSWORD',
  'ARM_CLIENT_SECRET',
] as const;

/** Secrets shorter than this are not masked inside other text (they would mask everything). */
const MIN_LENGTH = 3;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Masker {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /** Register a secret value. Returns the value, for chaining at the point of reading. */
  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    if (s.length < MIN_LENGTH || this.secrets.has(s)) return;
    const forms = new Set<string>([s]);
    for (const line of s.split(/\r?\n/)) if (line.trim().length >= MIN_LENGTH) forms.add(line);
    forms.add(JSON.stringify(s).slice(1, -1));
    forms.add(encodeURIComponent(s));
    forms.add(Buffer.from(s).toString('base64'));
    forms.add(Buffer.from(s).toString('base64').replace(/=+$/, ''));
    let added = false;
    for (const f of forms) {
      if (f.length >= MIN_LENGTH && !this.secrets.has(f)) {
        this.secrets.add(f);
        added = true;
      }
    }
    if (added) this.pattern = null;
  }

  /** Register the credential environment variables that are set in `env`. */
  addFromEnv(env: NodeJS.ProcessEnv, names: readonly string[] = CREDENTIAL_ENV_VARS): void {
    for (const n of names) if (env[n]) this.add(env[n]);
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Mask every known secret in a string. */
  mask(text: string): string {
    if (this.secrets.size === 0 || text.length < MIN_LENGTH) return text;
    if (!this.pattern) {
      const alts = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alts.join('|'), 'g');
    }
    return text.replace(this.pattern, MASK);
  }

  /** Mask every string inside a JSON-like value (objects, arrays, errors' messages). */
  maskDeep<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    if (value instanceof Error) return new Error(this.mask(value.message));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.walk(v, depth + 1);
    return out;
  }
}
