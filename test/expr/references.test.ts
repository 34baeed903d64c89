import { describe, expect, it } from 'vitest';
import { parseExpression, references } from '../../runner/expr/index.js';

const refs = (src: string) => references(parseExpression(src)).map((r) => r.path);

describe('references', () => {
  it.each([
    ['vars.cluster.name', [['vars', 'cluster', 'name']]],
    ['tasks.build.outputs.id', [['tasks', 'build', 'outputs', 'id']]],
    ['tasks.build.status', [['tasks', 'build', 'status']]],
    ['tasks.make-cluster.outputs.id', [['tasks', 'make-cluster', 'outputs', 'id']]],
    ["vars.m['a-b'][0]", [['vars', 'm', 'a-b', '0']]],
    ['vars.m[vars.k].x', [['vars', 'm'], ['vars', 'k']]],
    ['vars.m[true]', [['vars', 'm']]],
    ['vars', [['vars']]],
    ["vars.a == 'x' && !contains(env.PATH, tasks.t.outputs.p)", [['vars', 'a'], ['env', 'PATH'], ['tasks', 't', 'outputs', 'p']]],
    ["fromJSON(vars.j).x", [['vars', 'j']]],
    ["1 == 2", []],
    ['-vars.n', [['vars', 'n']]],
  ])('%s', (src, want) => {
    expect(refs(src)).toEqual(want);
  });

  it('gives offsets of each chain', () => {
    const r = references(parseExpression('format(vars.a.b) || tasks.t.status'));
    expect(r.map((x) => [x.start, x.end])).toEqual([
      [7, 15],
      [20, 34],
    ]);
  });
});
