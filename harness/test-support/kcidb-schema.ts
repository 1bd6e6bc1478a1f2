// KCIDB I/O schema v5.3, as published by kcidb-io (harness/ci/fixtures/kcidb), compiled once with ajv: what tests
// check kcidb.json documents against.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `module.exports = plugin` and a d.ts that says `export default`: under NodeNext
// TypeScript types the default import as the module object, while node hands over the plugin itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const KCIDB_SCHEMA_FILE = new URL('../ci/fixtures/kcidb/kcidb-io-v05_03.schema.json', import.meta.url);
export const KCIDB_SCHEMA = JSON.parse(readFileSync(KCIDB_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

// The exported schema has no "$schema": kcidb-io validates it with jsonschema.Draft7Validator and its format
// checker (kcidb_io/schema/abstract.py), so ajv's default class (draft-07) with ajv-formats for "uri", "email" and
// "date-time". ajv's "email" is stricter than jsonschema's (which only wants an "@"): a document ajv accepts,
// kcidb-io accepts too.
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(KCIDB_SCHEMA);

function describe(e: ErrorObject): string {
  const p = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
  const detail = p.additionalProperty !== undefined ? ` ("${p.additionalProperty}")` : p.allowedValues !== undefined ? ` (${p.allowedValues.join(', ')})` : '';
  return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${detail}`;
}

/** Empty when `doc` is valid KCIDB I/O v5.3 data; otherwise one `path: message` per violation. */
export function validateKcidb(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map(describe);
}
