import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';

/** The parts of an OpenAPI 3.1 document the fuzzer reads (as GET /openapi.json serves it). */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
  security?: Record<string, string[]>[];
}

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
};

const MAX_INT32 = 2 ** 31 - 1;

/**
 * A fast-check arbitrary of values that satisfy `schema` as far as JSON Schema can say (patterns, bounds, enums,
 * required and unknown properties). When `example` is given (a valid request), each node takes the example's value
 * some of the time, so generated requests also get past the rules JSON Schema cannot express (Luhn, currencies,
 * future expiry) and reach the code behind validation.
 */
export function arbitraryFromSchema(schema: JsonSchema, document: OpenApiDocument, example?: unknown): fc.Arbitrary<unknown> {
  const generated = fromSchema(resolveRef(schema, document), document, example);
  return example === undefined || isObjectSchema(resolveRef(schema, document)) ? generated : fc.oneof(generated, fc.constant(example));
}

function resolveRef(schema: JsonSchema, document: OpenApiDocument): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components?.schemas?.[name];
  if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
  return resolveRef(target, document);
}

const isObjectSchema = (schema: JsonSchema) => schema.type === 'object' || (schema.type === undefined && schema.properties !== undefined);

function fromSchema(schema: JsonSchema, document: OpenApiDocument, example: unknown): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => arbitraryFromSchema(alternative, document, example)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return objectFromSchema(schema, document, example);
    case 'array':
      return fc.array(schema.items ? arbitraryFromSchema(schema.items, document) : fc.jsonValue(), { maxLength: 5 });
    case 'string':
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 300), unit: 'grapheme' });
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -MAX_INT32);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : MAX_INT32);
      const small = fc.integer({ min: Math.max(min, -MAX_INT32), max: Math.min(max, MAX_INT32) });
      return max > MAX_INT32 ? fc.oneof(small, fc.constant(max)) : small;
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e12, max: schema.maximum ?? 1e12, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return properties(schema) ? objectFromSchema(schema, document, example) : fc.jsonValue({ maxDepth: 2 });
  }
}

const properties = (schema: JsonSchema) => schema.properties;

function objectFromSchema(schema: JsonSchema, document: OpenApiDocument, example: unknown): fc.Arbitrary<unknown> {
  const exampleObject = example && typeof example === 'object' && !Array.isArray(example) ? (example as Record<string, unknown>) : undefined;
  const entries = Object.entries(schema.properties ?? {}).map(([name, propertySchema]) => {
    const inner = exampleObject?.[name];
    return [name, arbitraryFromSchema(propertySchema, document, inner)] as const;
  });
  const record = fc.record(Object.fromEntries(entries), { requiredKeys: schema.required ?? [] });
  // With an example, present-in-example properties are kept more often, so whole valid requests come out too.
  if (!exampleObject) return record;
  const keepExampleKeys = fc.record(Object.fromEntries(entries), { requiredKeys: Object.keys(exampleObject).filter((key) => schema.properties?.[key]) });
  return fc.oneof(record, keepExampleKeys, keepExampleKeys);
}

/** Values of any JSON type, plus the awkward ones: huge, empty, negative, deep, prototype keys, unicode. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    '',
    ' ',
    -1,
    0,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    [],
    {},
    'x'.repeat(5_000),
    '\u0000',
    '💳'.repeat(50),
    '../../etc/passwd',
    '"; DROP TABLE payments; --',
    '") OR WorkflowType = "x',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    { $ne: null },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    Array.from({ length: 200 }, (_, index) => index),
  ),
);

type Mutation =
  | { kind: 'none' }
  | { kind: 'drop'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'whole'; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant<Mutation>({ kind: 'none' }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString')), value: hostileValue }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('whole' as const), value: hostileValue }), weight: 1 },
);

/** Schema-shaped values, then zero to two structural mutations (drop, replace, add a key, replace everything). */
export function mutated(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(base, fc.array(mutation, { maxLength: 2 })).map(([value, mutations]) => mutations.reduce(applyMutation, structuredClone(value)));
}

/** Hostile values are shared instances (fast-check constants), so each insertion gets its own copy: inserting the
 *  instance itself could put an object inside itself, and the next mutation would change the constant for every run. */
function applyMutation(value: unknown, change: Mutation): unknown {
  if (change.kind === 'none') return value;
  const inserted = change.kind === 'drop' ? undefined : structuredClone(change.value);
  if (change.kind === 'whole') return inserted;
  const containers = objectsIn(value);
  if (containers.length === 0) return change.kind === 'replace' ? inserted : value;
  const target = containers[change.at % containers.length] as Record<string, unknown>;
  const keys = Object.keys(target);
  if (change.kind === 'add') {
    // An array's `length` cannot be redefined (seed 19736 drew it); a key on an array never reaches the JSON anyway.
    if (Object.getOwnPropertyDescriptor(target, change.key)?.configurable === false) return value;
    Object.defineProperty(target, change.key, { value: inserted, enumerable: true, configurable: true, writable: true });
  } else if (keys.length > 0) {
    const key = keys[change.at % keys.length] as string;
    if (change.kind === 'drop') delete target[key];
    else target[key] = inserted;
  }
  return value;
}

function objectsIn(value: unknown, found: object[] = []): object[] {
  if (value && typeof value === 'object') {
    found.push(value);
    for (const inner of Object.values(value)) objectsIn(inner, found);
  }
  return found;
}

/** A fuzzed value as an urlencoded form body: one field per own key, non-strings as JSON (String() throws on an
 *  object whose `toString` key a mutation replaced). */
export function formEncoded(value: unknown): string {
  const fields = value && typeof value === 'object' ? Object.entries(value).map(([name, field]) => [name, typeof field === 'string' ? field : (JSON.stringify(field) ?? '')]) : [];
  return new URLSearchParams(fields).toString();
}

/** Raw bodies that are not JSON, or barely: what a broken or hostile client sends. */
export const rawGarbage: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"provider":', '[]', 'null', '"just a string"', '\uFEFF{}', '{"a":1}{"b":2}', '{"amountMinor": 1e999}', '['.repeat(5_000), `{"description":"${'x'.repeat(40_000)}"}`),
);

/**
 * Checks an answer against the document: its status is one the operation lists, its content type one listed for
 * that status, and a JSON body validates against the listed schema. Returns what is wrong, or undefined.
 */
export function responseSchemaValidator(document: OpenApiDocument): (path: string, method: string, status: number, contentType: string, body: string) => string | undefined {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: document.components ?? {} });
  const compiled = new Map<JsonSchema, ValidateFunction>();
  const validatorOf = (schema: JsonSchema) => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"openapi.json#/components/schemas/')) as object);
      compiled.set(schema, validate);
    }
    return validate;
  };
  return (path, method, status, contentType, body) => {
    const documented = document.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)];
    if (!documented) return `status ${status} is not documented`;
    const content = documented.content ?? {};
    if (Object.keys(content).length === 0) return undefined;
    const mediaType = Object.keys(content).find((type) => contentType.startsWith(type));
    if (!mediaType) return `content type ${contentType} is not one of ${Object.keys(content).join(', ')}`;
    const schema = content[mediaType]?.schema;
    if (!mediaType.endsWith('json') || !schema) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return 'the body is not JSON';
    }
    const validate = validatorOf(schema);
    return validate(parsed) ? undefined : ajv.errorsText(validate.errors);
  };
}
