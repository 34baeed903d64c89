/**
 * The schemas we ship are valid against their meta-schemas. (The runtime skips this check for
 * start-up speed: see runner/playbook/ajv.ts.)
 */
import fs from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { kinds } from '../../tasks/index.js';

describe('shipped schemas', () => {
  it('the playbook schema and the events schema are valid draft-07', () => {
    const ajv = new Ajv({ strict: false });
    for (const f of ['schemas/playbook.schema.json', 'schemas/events.schema.json']) {
      const schema = JSON.parse(fs.readFileSync(f, 'utf8'));
      expect(ajv.validateSchema(schema), `${f}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  });

  it("every task kind's with schema is valid against its meta-schema", () => {
    const a07 = new Ajv({ strict: false });
    const a2020 = new Ajv2020({ strict: false });
    expect(kinds.size).toBeGreaterThan(5);
    for (const k of kinds.values()) {
      const ajv = /draft-0[4-7]/.test(String(k.schema.$schema ?? '')) ? a07 : a2020;
      expect(ajv.validateSchema(k.schema), `${k.name}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  });

  it('an invalid schema is caught by this check', () => {
    expect(new Ajv2020({ strict: false }).validateSchema({ type: 'strin' })).toBe(false);
  });
});
