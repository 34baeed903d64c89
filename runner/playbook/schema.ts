/**
 * The playbook JSON Schema (`schemas/playbook.schema.json`, THE one definition of the format),
 * read and compiled once, lazily.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { compileShipped, type ErrorObject, type ValidateFunction } from './ajv.js';

let schema: Record<string, unknown> | undefined;
let validator: ValidateFunction | undefined;

/** Absolute path of `schemas/playbook.schema.json`. */
export function playbookSchemaPath(): string {
  return join(packageRoot(), 'schemas', 'playbook.schema.json');
}

/** The playbook schema as an object. */
export function playbookSchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(playbookSchemaPath(), 'utf8')) as Record<string, unknown>;
  return schema;
}

/** Validates a document against the playbook schema; returns ajv's errors (empty when valid). */
export function checkPlaybookSchema(data: unknown): ErrorObject[] {
  validator ??= compileShipped('playbook', playbookSchema());
  return validator(data) ? [] : [...(validator.errors ?? [])];
}
