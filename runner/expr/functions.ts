/**
 * The fixed table of functions callable from expressions. Nothing outside this table can
 * ever be called. Names are matched case-insensitively, like GitHub Actions.
 */
import { ExprError } from './ast.js';
import { looseEquals, stringify, toJSONText } from './values.js';

/** An expected failure inside a function; the evaluator adds the call's offsets. */
export class FunctionError extends Error {}

export interface FunctionDef {
  /** Canonical spelling. */
  name: string;
  minArgs: number;
  maxArgs: number;
  call(args: unknown[]): unknown;
}

function lower(v: unknown): string {
  return stringify(v).toLowerCase();
}

/** `format('{0}-{1}', a, b)`: `{N}` is replaced by argument N, `{{` and `}}` are literal braces. */
export function format(fmt: string, args: unknown[]): string {
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const m = /^\{(\d+)\}/.exec(fmt.slice(i));
      if (!m) throw new FunctionError(`format: invalid format string at position ${i}: use {N} or {{ for a literal {`);
      const n = Number(m[1]);
      if (n >= args.length) {
        throw new FunctionError(`format: {${n}} refers to an argument that was not given (${args.length} given)`);
      }
      out += stringify(args[n]);
      i += m[0].length;
      continue;
    }
    if (c === '}') {
      if (fmt[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw new FunctionError(`format: unmatched } at position ${i}: use }} for a literal }`);
    }
    out += c;
    i++;
  }
  return out;
}

const DEFS: FunctionDef[] = [
  {
    name: 'contains',
    minArgs: 2,
    maxArgs: 2,
    call: ([h, n]) => (Array.isArray(h) ? h.some((x) => looseEquals(x, n)) : lower(h).includes(lower(n))),
  },
  { name: 'startsWith', minArgs: 2, maxArgs: 2, call: ([s, p]) => lower(s).startsWith(lower(p)) },
  { name: 'endsWith', minArgs: 2, maxArgs: 2, call: ([s, p]) => lower(s).endsWith(lower(p)) },
  { name: 'format', minArgs: 1, maxArgs: 64, call: ([f, ...rest]) => format(stringify(f), rest) },
  {
    name: 'toJSON',
    minArgs: 1,
    maxArgs: 1,
    call: ([v]) => {
      try {
        return toJSONText(v);
      } catch (e) {
        throw new FunctionError((e as ExprError).message);
      }
    },
  },
  {
    name: 'fromJSON',
    minArgs: 1,
    maxArgs: 1,
    call: ([s]) => {
      try {
        return JSON.parse(stringify(s)) as unknown;
      } catch (e) {
        // V8's message quotes the start of the input, which may be a secret: give the position only.
        const at = /position (\d+)/.exec((e as Error).message)?.[1];
        throw new FunctionError(`fromJSON: invalid JSON${at !== undefined ? ` at position ${at}` : ''}`);
      }
    },
  },
  {
    name: 'join',
    minArgs: 1,
    maxArgs: 2,
    call: ([a, sep]) => {
      const s = sep === undefined ? ',' : stringify(sep);
      return Array.isArray(a) ? a.map((x) => stringify(x)).join(s) : stringify(a);
    },
  },
  {
    name: 'default',
    minArgs: 2,
    maxArgs: 2,
    call: ([v, fallback]) => (v === null || v === undefined || v === '' ? fallback : v),
  },
];

const TABLE = new Map(DEFS.map((d) => [d.name.toLowerCase(), d]));

/** The function of that name (case-insensitive), or undefined. */
export function lookupFunction(name: string): FunctionDef | undefined {
  return TABLE.get(name.toLowerCase());
}

/** Canonical names of every function, for error messages. */
export const FUNCTION_NAMES: readonly string[] = DEFS.map((d) => d.name);
