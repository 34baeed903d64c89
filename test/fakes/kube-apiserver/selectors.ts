/**
 * Label and field selectors as the API server parses them: `a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by commas.
 */

type Requirement =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** Thrown for a selector that does not parse (the server answers 400 BadRequest). */
export class SelectorError extends Error {}

/** Split on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Parse a label selector. */
export function parseLabelSelector(selector: string): Requirement[] {
  return splitTerms(selector).map((term) => {
    let m = /^([A-Za-z0-9./_-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { op: m[2] as 'in' | 'notin', key: m[1]!, values };
    }
    m = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
    if (m) return { op: m[2] === '!=' ? 'ne' : 'eq', key: m[1]!, value: m[3]! };
    m = /^(!?)([A-Za-z0-9./_-]+)$/.exec(term);
    if (m) return { op: m[1] ? 'notexists' : 'exists', key: m[2]! };
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

function matches(reqs: Requirement[], get: (key: string) => string | undefined): boolean {
  return reqs.every((r) => {
    const v = get(r.key);
    switch (r.op) {
      case 'eq':
        return v === r.value;
      case 'ne':
        return v !== r.value;
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      case 'notexists':
        return v === undefined;
    }
  });
}

/** Whether `labels` satisfy the label selector string. */
export function matchLabels(selector: string | null | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return matches(parseLabelSelector(selector), (k) => labels?.[k]);
}

/** Whether an object satisfies a field selector (`metadata.name`, `metadata.namespace`, `status.phase`). */
export function matchFields(selector: string | null | undefined, obj: Record<string, any>): boolean {
  if (!selector) return true;
  return matches(parseLabelSelector(selector), (path) => {
    let cur: any = obj;
    for (const part of path.split('.')) cur = cur?.[part];
    return cur === undefined || cur === null ? undefined : String(cur);
  });
}
