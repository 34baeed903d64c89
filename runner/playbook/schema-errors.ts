/**
 * Translates ajv's errors into human diagnostics: unknown fields with "did you mean", wrong
 * types with what was expected, one message per problem. Noise from `oneOf`/`anyOf` is reduced
 * to the branch the value was evidently meant for, or to one "expected X or Y" message.
 */
import type { ErrorObject } from './ajv.js';
import { describeContainer, describePath, describeValue, typePhrase } from './describe.js';
import type { Path } from './source.js';
import { didYouMean } from './suggest.js';

/** Where translated problems go, and how places are named. */
export interface TranslateOptions {
  /** The validated value (to tell list indexes from mapping keys, and for "got ..."). */
  data: unknown;
  /** Path of the validated value in the document. */
  base: Path;
  /** Names a place ("`needs` of task `x`"). */
  describe?: (path: Path) => string;
  /** Where unknown fields are ("in task `x`"). */
  container?: (path: Path) => string;
  /** What is expected at a place, when known better than from the schema. */
  expected?: (path: Path) => string | undefined;
  /** Errors to drop (e.g. a value that is a `${{ }}` template, checked at run time). */
  skip?: (path: Path, value: unknown, e: ErrorObject) => boolean;
  /**
   * Drop `oneOf`/`anyOf` whose branches only require fields (e.g. "`run` or `uses`"): the
   * caller reports those itself with a better message.
   */
  dropRequiredAlternatives?: boolean;
  /** Receives each problem. */
  report: (
    path: Path,
    part: 'key' | 'value',
    message: string,
    extra: { expected?: string; hint?: string },
  ) => void;
}

/** Splits a JSON pointer into a path, turning list indexes into numbers. */
export function pointerToPath(pointer: string, data: unknown): Array<string | number> {
  const out: Array<string | number> = [];
  if (!pointer) return out;
  let cur: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function valueAt(data: unknown, path: Path): unknown {
  let cur = data;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

const TYPE_KEYWORDS = new Set(['type', 'const', 'enum']);

/** Removes `oneOf`/`anyOf` noise; see the module comment. */
function reduceAlternatives(errors: ErrorObject[], dropRequired: boolean): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  const extra: ErrorObject[] = [];
  // Innermost first, so nested alternatives are reduced before their parents look at them.
  const alts = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const alt of alts) {
    const prefix = alt.schemaPath + '/';
    const inside = errors.filter(
      (e) => e !== alt && !drop.has(e) && e.schemaPath.startsWith(prefix) && e.instancePath.startsWith(alt.instancePath),
    );
    const branches = new Map<string, ErrorObject[]>();
    for (const e of inside) {
      const idx = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(idx, [...(branches.get(idx) ?? []), e]);
    }
    drop.add(alt);
    if (branches.size === 0) {
      // oneOf where several branches passed: e.g. both `run` and `uses`.
      if (!dropRequired) extra.push({ ...alt, keyword: 'oneOf-many' });
      continue;
    }
    const onlyRequired = inside.every((e) => e.keyword === 'required' && e.instancePath === alt.instancePath);
    if (onlyRequired) {
      for (const e of inside) drop.add(e);
      if (!dropRequired)
        extra.push({
          ...alt,
          keyword: 'oneOf-required',
          params: { fields: inside.map((e) => (e.params as { missingProperty: string }).missingProperty) },
        });
      continue;
    }
    const typeMismatch = (list: ErrorObject[]) =>
      list.some((e) => e.instancePath === alt.instancePath && TYPE_KEYWORDS.has(e.keyword));
    const matching = [...branches.values()].filter((list) => !typeMismatch(list));
    if (matching.length > 0) {
      // The value has the shape of some branch: keep the closest one's errors only.
      const best = matching.sort((a, b) => a.length - b.length)[0]!;
      for (const e of inside) if (!best.includes(e)) drop.add(e);
    } else {
      for (const e of inside) drop.add(e);
      const wanted: string[] = [];
      for (const list of branches.values())
        for (const e of list) {
          if (e.instancePath !== alt.instancePath) continue;
          if (e.keyword === 'type') {
            const t = (e.params as { type: string | string[] }).type;
            for (const x of Array.isArray(t) ? t : [t]) wanted.push(typePhrase(x));
          } else if (e.keyword === 'const') wanted.push(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
          else if (e.keyword === 'enum')
            wanted.push(...(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)));
        }
      extra.push({ ...alt, keyword: 'alternatives', params: { wanted: [...new Set(wanted)] } });
    }
  }
  return [...errors.filter((e) => !drop.has(e)), ...extra];
}

/** Translates ajv errors and hands each problem to `opts.report`. */
export function translateAjvErrors(errors: readonly ErrorObject[], opts: TranslateOptions): void {
  const describe = opts.describe ?? describePath;
  const container = opts.container ?? describeContainer;
  const reduced = reduceAlternatives([...errors], opts.dropRequiredAlternatives ?? false);
  // A propertyNames failure comes as the inner error (with propertyName) plus a wrapper.
  const named = new Set(reduced.filter((e) => e.propertyName !== undefined).map((e) => e.instancePath));
  const seen = new Set<string>();
  for (const e of reduced) {
    if (e.keyword === 'propertyNames' && named.has(e.instancePath)) continue;
    const rel = pointerToPath(e.instancePath, opts.data);
    const path = [...opts.base, ...rel];
    const value = valueAt(opts.data, rel);
    if (opts.skip?.(path, value, e)) continue;
    const subject = describe(path);
    const exp = opts.expected?.(path);
    const params = e.params as Record<string, any>;
    let part: 'key' | 'value' = 'value';
    let at: Path = path;
    let message: string;
    let expected = exp;
    let hint: string | undefined;
    if (e.propertyName !== undefined || e.keyword === 'propertyNames') {
      const name = e.propertyName ?? String(params.propertyName);
      at = [...path, name];
      part = 'key';
      const what = path[path.length - 1] === 'tasks' && path.length === 1 ? 'task id' : path[path.length - 1] === 'vars' && path.length === 1 ? 'var name' : 'name';
      const pattern = e.keyword === 'pattern' ? ` (must match ${params.pattern})` : '';
      message = `invalid ${what} \`${name}\` ${container(path)}${pattern}`;
      expected = namePhrase(what);
    } else {
      switch (e.keyword) {
        case 'additionalProperties':
        case 'unevaluatedProperties': {
          const name = String(params.additionalProperty ?? params.unevaluatedProperty);
          const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
          at = [...path, name];
          part = 'key';
          message =
            path.length === 0 && opts.base.length === 0
              ? `unknown top-level field \`${name}\`${didYouMean(name, known)}`
              : `unknown field \`${name}\` ${container(path)}${didYouMean(name, known)}`;
          expected = known.length ? `one of ${known.map((k) => `\`${k}\``).join(', ')}` : 'no fields';
          break;
        }
        case 'required': {
          const name = String(params.missingProperty);
          part = 'key';
          message = `missing required field \`${name}\` ${container(path)}`;
          expected = opts.expected?.([...path, name]);
          break;
        }
        case 'type': {
          const t = params.type as string | string[];
          const want = exp ?? (Array.isArray(t) ? t : [t]).map(typePhrase).join(' or ');
          message = `${subject}: expected ${want}, got ${describeValue(value)}`;
          expected = want;
          break;
        }
        case 'alternatives': {
          const want = exp ?? (params.wanted as string[]).join(' or ');
          message = `${subject}: expected ${want}, got ${describeValue(value)}`;
          expected = want;
          break;
        }
        case 'oneOf-required':
          part = 'key';
          message = `${subject} needs one of ${(params.fields as string[]).map((f) => `\`${f}\``).join(' or ')}`;
          break;
        case 'oneOf-many':
          part = 'key';
          message = `${subject} matches more than one of the allowed forms`;
          break;
        case 'pattern':
          message = exp
            ? `${subject}: expected ${exp}, got ${describeValue(value)}`
            : `${subject}: ${describeValue(value)} does not match ${params.pattern}`;
          expected = exp ?? `a string matching ${params.pattern}`;
          break;
        case 'enum': {
          const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
          message = `${subject}: expected one of ${allowed}, got ${describeValue(value)}`;
          expected = `one of ${allowed}`;
          const guess = typeof value === 'string' ? didYouMean(value, (params.allowedValues as unknown[]).map(String)) : '';
          if (guess) hint = guess.replace(/^; /, '');
          break;
        }
        case 'const':
          message = `${subject}: expected ${JSON.stringify(params.allowedValue)}, got ${describeValue(value)}`;
          break;
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
          message = `${subject} must be ${params.comparison} ${params.limit}, got ${describeValue(value)}`;
          break;
        case 'minLength':
          message =
            params.limit === 1
              ? `${subject} must not be empty`
              : `${subject} must be at least ${params.limit} characters long`;
          break;
        case 'maxLength':
          message = `${subject} must be at most ${params.limit} characters long`;
          break;
        case 'minItems':
          message = `${subject} must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}`;
          break;
        case 'maxItems':
          message = `${subject} must have at most ${params.limit} item${params.limit === 1 ? '' : 's'}`;
          break;
        case 'uniqueItems':
          // ajv names the pair in either order (its deep-equality and its by-value checks differ).
          message = `${subject} lists the same item twice (items ${Math.min(params.i, params.j) + 1} and ${Math.max(params.i, params.j) + 1})`;
          break;
        case 'format':
          message = `${subject}: ${describeValue(value)} is not a valid ${params.format}`;
          expected = exp ?? `a valid ${params.format}`;
          break;
        case 'multipleOf':
          message = `${subject} must be a multiple of ${params.multipleOf}`;
          break;
        case 'false schema':
          message = `${subject} is not allowed here`;
          break;
        default:
          message = `${subject} ${e.message ?? 'is invalid'}`;
      }
    }
    const key = `${at.join('\0')}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    opts.report(at, part, message, { ...(expected ? { expected } : {}), ...(hint ? { hint } : {}) });
  }
}

function namePhrase(what: string): string {
  if (what === 'task id') return 'letters, digits, `_` and `-`, not starting with a digit or `-`';
  if (what === 'var name') return 'lowercase letters, digits and `_`, in dot-separated parts (e.g. `cluster.name`)';
  return 'a valid name';
}
