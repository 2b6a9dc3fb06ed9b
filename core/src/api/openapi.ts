/**
 * The OpenAPI 3.1 document of the REST API, built from the published actions themselves: their
 * `rest` path, `auth` policy, `summary` and fastest-validator `params` (turned into JSON Schema), so
 * it cannot drift from what the gateway serves.
 */
import { createValidator } from '../util/validator.js';

type FvRule = Record<string, any>;
type JsonSchema = Record<string, any>;

const fv = createValidator() as unknown as { parseShortHand(s: string): FvRule };

function normalize(rule: unknown): FvRule {
  if (typeof rule === 'string') return fv.parseShortHand(rule);
  if (Array.isArray(rule)) return { type: 'multi', rules: rule };
  return (rule ?? { type: 'any' }) as FvRule;
}

/** One fastest-validator rule as JSON Schema. */
export function ruleToJsonSchema(raw: unknown): JsonSchema {
  const r = normalize(raw);
  let s: JsonSchema;
  switch (r.type) {
    case 'string':
      s = { type: 'string' };
      if (r.min != null) s.minLength = r.min;
      if (r.max != null) s.maxLength = r.max;
      if (r.length != null) s.minLength = s.maxLength = r.length;
      if (r.pattern) s.pattern = r.pattern instanceof RegExp ? r.pattern.source : String(r.pattern);
      if (r.enum) s.enum = r.enum;
      break;
    case 'number':
      s = { type: r.integer ? 'integer' : 'number' };
      if (r.min != null) s.minimum = r.min;
      if (r.max != null) s.maximum = r.max;
      if (r.positive) s.exclusiveMinimum = 0;
      break;
    case 'boolean':
      s = { type: 'boolean' };
      break;
    case 'date':
      s = { type: 'string', format: 'date-time' };
      break;
    case 'email':
      s = { type: 'string', format: 'email' };
      break;
    case 'url':
      s = { type: 'string', format: 'uri' };
      break;
    case 'enum':
    case 'equal':
      s = { enum: r.values ?? [r.value] };
      break;
    case 'array':
      s = { type: 'array', items: r.items ? ruleToJsonSchema(r.items) : {} };
      if (r.min != null) s.minItems = r.min;
      if (r.max != null) s.maxItems = r.max;
      break;
    case 'object':
      s = r.props ? propsToJsonSchema(r.props, r.strict === true) : { type: 'object' };
      break;
    case 'multi':
      s = { anyOf: (r.rules as unknown[]).map(ruleToJsonSchema) };
      break;
    default:
      s = {};
  }
  if (r.nullable) s = s.type ? { ...s, type: [s.type, 'null'] } : { anyOf: [s, { type: 'null' }] };
  if (r.default !== undefined && typeof r.default !== 'function') s.default = r.default;
  if (r.description) s.description = r.description;
  return s;
}

export function isOptional(raw: unknown): boolean {
  const r = normalize(raw);
  return Boolean(r.optional) || r.default !== undefined;
}

/** A params/props object as a JSON Schema object. */
export function propsToJsonSchema(props: Record<string, unknown>, strict = false): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith('$$')) continue;
    properties[k] = ruleToJsonSchema(v);
    if (!isOptional(v)) required.push(k);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), ...(strict || props.$$strict === true ? { additionalProperties: false } : {}) };
}

export interface PublishedAction {
  name: string;
  service: string;
  rest: string;
  auth?: unknown;
  summary?: string;
  tag?: string;
  upload?: boolean;
  params?: Record<string, unknown>;
}

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'stable error code, e.g. VALIDATION_ERROR, NOT_FOUND, FORBIDDEN' },
        message: { type: 'string' },
        fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
      },
      required: ['code', 'message'],
    },
  },
};

export function buildOpenApi(actions: PublishedAction[], info: { title: string; version: string; basePath: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const a of [...actions].sort((x, y) => x.rest.localeCompare(y.rest))) {
    const [methodRaw, pathRaw] = a.rest.includes(' ') ? a.rest.split(/\s+/) : ['GET', a.rest];
    const method = methodRaw!.toLowerCase();
    const openPath = (info.basePath + pathRaw!).replace(/\/+/g, '/').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const pathParams = [...pathRaw!.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    const props = { ...(a.params ?? {}) };
    const parameters: JsonSchema[] = pathParams.map((p) => ({ name: p, in: 'path', required: true, schema: props[p] ? ruleToJsonSchema(props[p]) : { type: 'string' } }));
    for (const p of pathParams) delete props[p];
    const op: JsonSchema = {
      operationId: a.name,
      summary: a.summary ?? a.name,
      tags: [a.tag ?? a.service],
      parameters,
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: {} } } },
        '4XX': { description: 'Client error; the body names the problem and, for validation, each field', content: { 'application/json': { schema: ERROR_SCHEMA } } },
      },
    };
    const auth = a.auth;
    if (auth !== 'public') {
      op.security = [{ bearer: [] }];
      op['x-okno-roles'] = auth === 'user' ? 'any signed-in user' : auth;
      op.responses['401'] = { description: 'not signed in' };
      if (auth !== 'user') op.responses['403'] = { description: `needs one of the roles: ${(auth as string[] | undefined)?.join(', ')}` };
    }
    const bodyKeys = Object.keys(props).filter((k) => !k.startsWith('$$'));
    if (a.upload) {
      op.requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } } };
    } else if (method === 'get' || method === 'delete') {
      for (const k of bodyKeys) parameters.push({ name: k, in: 'query', required: !isOptional(props[k]), schema: ruleToJsonSchema(props[k]) });
    } else if (bodyKeys.length) {
      op.requestBody = { required: true, content: { 'application/json': { schema: propsToJsonSchema(props) } } };
    }
    (paths[openPath] ??= {})[method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: 'Okno REST API. Sign in with POST /api/auth/login and send the access token as `Authorization: Bearer <token>`.' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
