import { describe, expect, it } from 'vitest';
import { evaluateTemplate, ExprError, parseTemplate } from '../../runner/expr/index.js';
import { strip } from './helpers.js';

const pos = { file: 'pb.yaml', line: 3, col: 7 };
const ctx = { vars: { name: 'kind', port: 5000, on: true, list: [1, 2], obj: { a: 1 } } };

function shape(src: string) {
  const { template, errors } = parseTemplate(src, pos);
  expect(errors).toEqual([]);
  return template.parts.map((p) => ('text' in p ? p.text : { source: p.source, offset: p.offset }));
}

describe('parseTemplate', () => {
  it('splits text and expressions with offsets of the expression text', () => {
    expect(shape('a ${{ vars.name }}-${{vars.port}} b')).toEqual([
      'a ',
      { source: ' vars.name ', offset: 5 },
      '-',
      { source: 'vars.port', offset: 22 },
      ' b',
    ]);
  });

  it('keeps source and pos, and expression offsets relative to the expression text', () => {
    const { template } = parseTemplate('x${{  vars.a }}', pos);
    expect(template.source).toBe('x${{  vars.a }}');
    expect(template.pos).toEqual(pos);
    const part = template.parts[1]!;
    expect('expr' in part && part.expr).toMatchObject({ type: 'member', start: 2, end: 8 });
  });

  it('plain text has a single text part; empty string has none', () => {
    expect(shape('just text')).toEqual(['just text']);
    expect(shape('')).toEqual([]);
  });

  it('marks a whole-string expression as single (trimmed)', () => {
    const one = parseTemplate('  ${{ vars.port }}\n', pos).template;
    expect(one.single && strip(one.single)).toEqual({
      type: 'member',
      object: { type: 'ident', name: 'vars' },
      property: 'port',
    });
    expect(parseTemplate('${{ vars.a }}${{ vars.b }}', pos).template.single).toBeUndefined();
    expect(parseTemplate('x${{ vars.a }}', pos).template.single).toBeUndefined();
    expect(parseTemplate('no expr', pos).template.single).toBeUndefined();
  });

  it('$${{ is an escape for a literal ${{', () => {
    expect(shape('cost: $${{ not.an.expr }}')).toEqual(['cost: ${{ not.an.expr }}']);
    expect(shape('$$${{ vars.a }}')).toEqual(['$${{ vars.a }}']);
    expect(shape('$${{ x }} ${{ vars.a }}')).toEqual(['${{ x }} ', { source: ' vars.a ', offset: 13 }]);
    expect(parseTemplate('$${{ vars.a }}', pos).template.single).toBeUndefined();
  });

  it('finds the closing }} outside string literals', () => {
    expect(shape("${{ format('{{0}}', 1) }}!")).toEqual([{ source: " format('{{0}}', 1) ", offset: 3 }, '!']);
    expect(shape('${{ "}}" }}')).toEqual([{ source: ' "}}" ', offset: 3 }]);
    expect(shape("${{ 'it''s }}' }}")).toEqual([{ source: " 'it''s }}' ", offset: 3 }]);
  });

  it('reports an unterminated ${{ at its offset', () => {
    const { errors } = parseTemplate('ok ${{ vars.a ', pos);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ExprError);
    expect(errors[0]!.message).toMatch(/unterminated \$\{\{/);
    expect(errors[0]!.offset).toBe(3);
  });

  it('reports an unterminated string inside an expression at the quote', () => {
    const { errors } = parseTemplate("a ${{ vars.it's }} b", pos);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/unterminated string/);
    expect(errors[0]!.offset).toBe(13);
  });

  it('reports every expression error with offsets into the whole string, keeping parts aligned', () => {
    const { template, errors } = parseTemplate('${{ nope }} and ${{ vars.a == }} and ${{ vars.ok }}', pos);
    expect(errors.map((e) => [e.offset, e.message.split(':')[0]])).toEqual([
      [4, 'unknown name "nope"'],
      [30, 'unexpected end of expression'],
    ]);
    expect(template.parts.filter((p) => 'expr' in p)).toHaveLength(3);
  });
});

describe('evaluateTemplate', () => {
  const t = (src: string) => evaluateTemplate(parseTemplate(src, pos).template, ctx);

  it('returns the typed value of a single expression', () => {
    expect(t('${{ vars.port }}')).toBe(5000);
    expect(t(' ${{ vars.on }} ')).toBe(true);
    expect(t('${{ vars.list }}')).toEqual([1, 2]);
    expect(t('${{ vars.missing }}')).toBeUndefined();
  });

  it('concatenates text and stringified values otherwise', () => {
    expect(t('${{ vars.name }}:${{ vars.port }}')).toBe('kind:5000');
    expect(t('[${{ vars.missing }}] ${{ vars.obj }} ${{ vars.list }}')).toBe('[] {"a":1} [1,2]');
    expect(t('plain')).toBe('plain');
    expect(t('')).toBe('');
  });

  it('reports runtime errors at offsets into the template source', () => {
    try {
      t("ab ${{ fromJSON('{') }}");
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ExprError);
      expect((e as ExprError).offset).toBe(7);
    }
  });
});
