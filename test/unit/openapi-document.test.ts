import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import type { ApiDependencies } from '../../api/app';
import { buildOpenApiDocument } from '../../api/openapi';
import { apiAppWithoutTemporal } from '../support/api-without-temporal';
import { testApiProviders } from '../support/api-providers';

const OPENAPI_31_SCHEMA = JSON.parse(readFileSync(require.resolve('@seriousme/openapi-schema-validator/schemas/v3.1/schema.json'), 'utf8')) as object;
const PROVIDERS = testApiProviders({ turnstayWebhookSecret: 'whsec_unused', trustistWebhookPathSecret: 'unused-unused-unused-unused' });
const RULES = { providers: PROVIDERS };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function app(overrides: Partial<ApiDependencies> = {}): Express {
  return apiAppWithoutTemporal({ providers: PROVIDERS, ...overrides });
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the express app answers, found by walking its router and the routers mounted in it. */
function mountedRoutes(express: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          for (const method of Object.keys(layer.route.methods).filter((name) => (METHODS as readonly string[]).includes(name))) {
            found.push(`${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((express as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(found)].sort();
}

function documentedRoutes(document: ReturnType<typeof buildOpenApiDocument>): string[] {
  return Object.entries(document.paths ?? {})
    .flatMap(([path, item]) => METHODS.filter((method) => (item as Record<string, unknown>)[method]).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** Every value under a `schema` key: the JSON Schemas of parameters, bodies and responses. */
function schemasIn(value: unknown, found: unknown[] = []): unknown[] {
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'schema') found.push(inner);
      else schemasIn(inner, found);
    }
  }
  return found;
}

describe('/openapi.json', () => {
  test.each([
    ['without the demo page', undefined],
    ['with the demo page', { merchantKey: 'mk_demo' }],
  ])('documents exactly the routes the app mounts (%s)', (_name, demo) => {
    const express = app({ demo });
    const mounted = mountedRoutes(express);
    expect(mounted.length).toBeGreaterThan(20); // positive control: the walk finds the routers' routes
    expect(mounted).toContain('POST /v1/reservations/{id}/change-stay');
    expect(documentedRoutes(buildOpenApiDocument(RULES, { demo: demo !== undefined }))).toEqual(mounted);
  });

  test('validates against the official OpenAPI 3.1 schema (as @seriousme/openapi-schema-validator ships it)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('media-range', true); // the schema's one format outside JSON Schema's (content-type keys)
    const validate = ajv.compile(OPENAPI_31_SCHEMA);
    const valid = validate(buildOpenApiDocument(RULES, { demo: true }));
    expect(valid ? [] : ajv.errorsText(validate.errors).split(', ')).toEqual([]);
    expect(validate({ openapi: '3.1.0', info: { title: 'no version' }, paths: {} })).toBe(false); // positive control
  });

  test('is OpenAPI 3.1 whose schemas are valid JSON Schema 2020-12, with every path parameter declared', () => {
    const document = buildOpenApiDocument(RULES, { demo: true });
    expect(document.openapi).toBe('3.1.0');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const components = document.components?.schemas ?? {};
    const invalid: string[] = [];
    for (const [name, schema] of Object.entries(components)) {
      if (!ajv.validateSchema(schema as object)) invalid.push(`${name}: ${ajv.errorsText(ajv.errors)}`);
    }
    const inline = schemasIn(document.paths);
    expect(inline.length).toBeGreaterThan(40);
    for (const schema of inline) {
      if (!ajv.validateSchema(schema as object)) invalid.push(`${JSON.stringify(schema).slice(0, 80)}: ${ajv.errorsText(ajv.errors)}`);
    }
    expect(invalid).toEqual([]);
    // Every $ref resolves (compiling each schema inside one document resolves its references).
    ajv.addSchema({ $id: 'openapi.json', components: { schemas: components } });
    const unresolved: string[] = [];
    for (const schema of [...Object.values(components), ...inline]) {
      const resolvable = JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"openapi.json#/components/schemas/'));
      try {
        ajv.compile(resolvable);
      } catch (error) {
        unresolved.push((error as Error).message);
      }
    }
    expect(unresolved).toEqual([]);

    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      for (const method of METHODS) {
        const operation = (item as Record<string, { parameters?: { name: string; in: string; required?: boolean }[]; responses?: object }>)[method];
        if (!operation) continue;
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        if (declared.map((parameter) => parameter.name).sort().join() !== templated.sort().join()) problems.push(`${method} ${path}: path parameters`);
        if (declared.some((parameter) => parameter.required !== true)) problems.push(`${method} ${path}: a path parameter is not required`);
        if (Object.keys(operation.responses ?? {}).length === 0) problems.push(`${method} ${path}: no responses`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('the answers the handlers build are the documented ones (the response schemas are the types they use)', () => {
    const document = buildOpenApiDocument(RULES);
    const payment = document.components?.schemas?.Payment as { required?: string[]; additionalProperties?: unknown; properties?: Record<string, unknown> };
    expect(payment.additionalProperties).toBe(false);
    expect(payment.required).toEqual(expect.arrayContaining(['id', 'status', 'provider', 'refunds', 'transitions']));
    expect(Object.keys(payment.properties ?? {})).toEqual(expect.arrayContaining(['providerPaymentId', 'waitingFor', 'nextAction']));
  });
});
