/**
 * SourceDoc.pos is where SourceDoc.span starts, for every path in real files (fast and slow
 * parses, small mappings scanned and large ones indexed) and for paths that do not exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseYamlSource, type Path, type SourceDoc } from '../../runner/playbook/source.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at, [...at, 'zz-missing'], [...at, 99]);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function check(source: SourceDoc): number {
  let n = 0;
  for (const p of paths(source.data))
    for (const part of ['key', 'value'] as const) {
      const s = source.span(p, part);
      expect(source.pos(p, part), `${JSON.stringify(p)} ${part}`).toEqual({ file: source.file, line: s.line, col: s.col });
      n++;
    }
  return n;
}

describe('SourceDoc.pos', () => {
  it('is the start of span() for every path of the shipped playbooks, on the fast and the slow path', () => {
    for (const f of ['playbooks/aks-kalypso.yaml', 'playbooks/kind-registry.yaml']) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      const fast = parseYamlSource(f, text).source;
      expect(fast.fast).toBe(true);
      const slow = parseYamlSource(f, `${text}\nzz-anchor: &a 1\nzz-alias: *a\n`).source;
      expect(slow.fast).toBe(false);
      expect(check(fast)).toBeGreaterThan(500);
      check(slow);
    }
  });

  it('the last of duplicate keys wins, as in the data, in small and large mappings', () => {
    const big = Array.from({ length: 12 }, (_, i) => `  k${i}: ${i}`).join('\n');
    const text = `small:\n  a: 1\n  b: 2\n  a: 3\nbig:\n${big}\n  k3: again\n`;
    const { source } = parseYamlSource('d.yaml', text);
    expect(source.pos(['small', 'a'])).toEqual({ file: 'd.yaml', line: 4, col: 6 });
    expect(source.pos(['big', 'k3'])).toEqual({ file: 'd.yaml', line: 18, col: 7 });
    expect(source.pos(['big', 'k3'], 'key')).toEqual({ file: 'd.yaml', line: 18, col: 3 });
    check(source);
  });
});
