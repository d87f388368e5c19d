import pg from 'pg';

/**
 * A fuzzer driven by the served OpenAPI document: every operation, a request
 * that is valid but for one hostile value (in the body, at any depth, in the
 * query or in the path), or one hostile body as a whole. Hostile means what the
 * document (or JSON itself) does not allow: null where a value cannot be null,
 * the wrong type, numbers past any integer column and past their bounds, strings
 * outside their enum or format, huge strings and arrays, NUL and lone
 * surrogates, prototype keys, fields no schema has, bytes that are not UTF-8,
 * nesting deeper than the API reads. Nothing of that may answer 5xx, and none of
 * it may change what is stored.
 */

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  example?: unknown;
  default?: unknown;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

interface DocumentOperation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema; examples?: Record<string, { value?: unknown }> }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, DocumentOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface FuzzOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  operationId: string;
  pathParameters: Parameter[];
  queryParameters: Parameter[];
  body: Schema | null;
  /** A body the document gives as an example, else one built from the schema. */
  validBody: unknown;
}

export interface FuzzRequest {
  operation: FuzzOperation;
  url: string;
  body: string | Buffer | undefined;
  contentType: string;
  /** What is hostile about it, for a failure message. */
  label: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, its parameters and body schema resolved. */
export function readOperations(document: OpenApiDocument): FuzzOperation[] {
  const resolve = (schema: Schema | undefined): Schema | undefined => resolveSchema(document, schema);
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    METHODS.filter((method) => methods[method]).map((method) => {
      const operation = methods[method]!;
      const json = operation.requestBody?.content?.['application/json'];
      const body = resolve(json?.schema) ?? null;
      const example = Object.values(json?.examples ?? {})[0]?.value;
      return {
        method,
        path,
        operationId: operation.operationId ?? `${method} ${path}`,
        pathParameters: (operation.parameters ?? []).filter((parameter) => parameter.in === 'path'),
        queryParameters: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query'),
        body,
        validBody: example ?? (body ? validValue(document, body, 'body') : undefined),
      };
    }),
  );
}

function resolveSchema(document: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current.$ref) current = document.components?.schemas?.[current.$ref.split('/').pop()!];
    else if (current.allOf?.length) current = { ...current.allOf[0], ...current, allOf: undefined };
    else return current;
  }
  return current;
}

/** A value the schema takes, as a well-behaved client would send it. */
export function validValue(document: OpenApiDocument, raw: Schema, name: string): unknown {
  const schema = resolveSchema(document, raw) ?? {};
  if (schema.enum?.length) return schema.enum[0];
  if (schema.example !== undefined && typeof schema.example !== 'object') return schema.example;
  switch (schema.type) {
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
    case 'array':
      return schema.items ? [validValue(document, schema.items, name)] : [];
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const key of schema.required ?? []) object[key] = validValue(document, schema.properties?.[key] ?? {}, key);
      return object;
    }
    default:
      if (schema.format === 'uuid') return '00000000-0000-7000-8000-000000000000';
      if (schema.format === 'date-time' || /At$|^(from|to|since)$/.test(name)) return new Date().toISOString();
      if (/url$/i.test(name)) return 'https://example.org/fuzz';
      if (/email/i.test(name)) return 'fuzz@example.org';
      if (/prediction/i.test(name)) return 'deepseek-blacklisted-12m';
      return 'fuzz';
  }
}

/** A deterministic random source, so a failure repeats with the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Stands for a number JSON can write and JavaScript reads as Infinity (`1e309`): written into the body's text as is. */
export const INFINITE = '\u0000infinite\u0000';
export const NEGATIVE_INFINITE = '\u0000-infinite\u0000';

/**
 * Values the schema does not allow, by what it says (and what JSON and PostgreSQL cannot keep). `null` is
 * hostile where a value is required, and in a PATCH for a field that cannot be cleared; an optional field
 * of any other request sent as null is read as left out (docs/api.md).
 */
export function hostileValues(document: OpenApiDocument, raw: Schema, place: { optional: boolean; patch: boolean } = { optional: false, patch: false }): unknown[] {
  const schema = resolveSchema(document, raw) ?? {};
  const deep = JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown;
  const prototype = JSON.parse('{"__proto__": {"admin": true}}') as unknown;
  const values: unknown[] = [deep, prototype];
  if (!schema.nullable && (!place.optional || place.patch)) values.push(null);
  switch (schema.type) {
    case 'integer':
    case 'number':
      values.push('1', true, [], {}, INFINITE, NEGATIVE_INFINITE);
      if (schema.type === 'integer') values.push(1.5, 2 ** 31, -(2 ** 31) - 1, 1e308, Number.MAX_SAFE_INTEGER + 2);
      if (schema.minimum !== undefined) values.push(schema.minimum - 1);
      if (schema.maximum !== undefined) values.push(schema.maximum + 1);
      break;
    case 'boolean':
      values.push('true', 1, {});
      break;
    case 'array':
      values.push('x', {}, 7, [null], Array.from({ length: 10_001 }, () => (schema.items ? validValue(document, schema.items, 'item') : 1)));
      if (schema.items) values.push(...hostileValues(document, schema.items).slice(0, 8).map((value) => [value]));
      break;
    case 'object':
      values.push('x', [], 42, { unknownField: 1 });
      break;
    default:
      values.push(42, true, [], {}, 'x'.repeat(100_000), 'x\u0000y', 'x \uD800', '\uDC00');
      if (schema.enum) values.push('not-one-of-them');
      if (schema.format === 'uuid') values.push('not-a-uuid', '00000000-0000-0000-0000-00000000000g');
      if (schema.format === 'date-time') values.push('2026-13-45T25:61:00Z', '2026-11-20T09:30:00', '1e308');
  }
  return values;
}

interface Leaf {
  path: (string | number)[];
  schema: Schema;
  /** Left out of its object's `required`. */
  optional: boolean;
}

/** Every place a value can go in a body of this schema (property names and array items, up to `depth`). */
function leafPaths(document: OpenApiDocument, raw: Schema, depth = 3, optional = false): Leaf[] {
  const schema = resolveSchema(document, raw) ?? {};
  const here: Leaf[] = [{ path: [], schema, optional }];
  if (depth === 0) return here;
  if (schema.type === 'object' || schema.properties) {
    return [
      ...here,
      ...Object.entries(schema.properties ?? {}).flatMap(([key, child]) =>
        leafPaths(document, child, depth - 1, !(schema.required ?? []).includes(key)).map((leaf) => ({ ...leaf, path: [key, ...leaf.path] })),
      ),
    ];
  }
  if (schema.type === 'array' && schema.items) {
    return [...here, ...leafPaths(document, schema.items, depth - 1, false).map((leaf) => ({ ...leaf, path: [0, ...leaf.path] }))];
  }
  return here;
}

/** `value` with the place `path` set to `hostile`, building what is missing on the way (required siblings from the schema stay valid). */
function placed(value: unknown, path: readonly (string | number)[], hostile: unknown): unknown {
  if (path.length === 0) return hostile;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const array = Array.isArray(value) ? [...(value as unknown[])] : [];
    array[head] = placed(array[head], rest, hostile);
    return array;
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  // Own property even for "__proto__" (a literal would set the prototype instead).
  Object.defineProperty(object, head!, { value: placed(object[head!], rest, hostile), enumerable: true, configurable: true, writable: true });
  return object;
}

/** A value as a query string carries it; a lone surrogate has no UTF-8, so it goes as the bytes a broken client would send. */
function queryText(value: unknown): string {
  try {
    return encodeURIComponent(String(value));
  } catch {
    return '%ED%A0%80';
  }
}

/** A string's bytes with ones that are not UTF-8 in the middle: what a broken or hostile client sends. */
function withInvalidUtf8(json: string): Buffer {
  const at = json.indexOf('"', 1);
  const split = at > 0 ? at + 1 : 1;
  return Buffer.concat([Buffer.from(json.slice(0, split)), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(json.slice(split))]);
}

/**
 * `count` hostile requests for one operation: each valid but for one hostile
 * value (a body field at any depth, a query parameter, a path segment), or
 * one hostile body as a whole. `pathValue` gives each path parameter a value
 * naming a real record, so the request reaches what lies behind validation.
 */
export function hostileRequests(
  document: OpenApiDocument,
  operation: FuzzOperation,
  pathValue: (operation: FuzzOperation, name: string) => string,
  random: () => number,
  count: number,
): FuzzRequest[] {
  const requests: FuzzRequest[] = [];
  const pathOf = (hostile?: { name: string; segment: string }) =>
    operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => (hostile?.name === name ? hostile.segment : encodeURIComponent(pathValue(operation, name))));
  const takesBody = operation.method !== 'get' && operation.method !== 'delete';
  const baseBody = takesBody && operation.body ? JSON.stringify(operation.validBody ?? {}) : undefined;
  const leaves = operation.body ? leafPaths(document, operation.body) : [];
  const kinds = [
    ...(leaves.length > 0 ? ['body', 'body', 'body', 'body'] : []),
    ...(operation.queryParameters.length > 0 ? ['query', 'query'] : []),
    ...(operation.pathParameters.length > 0 ? ['path'] : []),
    'whole',
  ];
  for (let index = 0; index < count; index++) {
    const kind = pick(random, kinds);
    if (kind === 'body') {
      const leaf = pick(random, leaves);
      const hostile = pick(random, hostileValues(document, leaf.schema, { optional: leaf.optional, patch: operation.method === 'patch' }));
      const body = JSON.stringify(placed(operation.validBody ?? {}, leaf.path, hostile)).replaceAll(JSON.stringify(INFINITE), '1e309').replaceAll(JSON.stringify(NEGATIVE_INFINITE), '-1e309');
      requests.push({ operation, url: pathOf(), body, contentType: 'application/json', label: `body.${leaf.path.join('.') || '(root)'} = ${JSON.stringify(hostile)?.slice(0, 60)}` });
    } else if (kind === 'query') {
      const parameter = pick(random, operation.queryParameters);
      const hostile = pick(random, [
        ...hostileValues(document, parameter.schema ?? {}).filter((value) => (typeof value === 'string' && value !== INFINITE && value !== NEGATIVE_INFINITE) || typeof value === 'number').map(queryText),
        '1e309',
        '%00',
        '%ED%A0%80',
        '%FF',
        'x'.repeat(5000),
        '__proto__',
      ]);
      const extra = pick(random, ['', '&unknownParameter=1', `&${parameter.name}=twice`]);
      requests.push({ operation, url: `${pathOf()}?${parameter.name}=${hostile}${extra}`, body: baseBody, contentType: 'application/json', label: `query ${parameter.name}=${hostile.slice(0, 60)}${extra}` });
    } else if (kind === 'path') {
      const parameter = pick(random, operation.pathParameters);
      const segment = pick(random, ['%00', 'a%00b', '%ED%A0%80', '%FF', '%', 'x'.repeat(300), '00000000-0000-0000-0000-000000000000', '..%2F..%2Fetc', '1e308', '-1']);
      requests.push({ operation, url: pathOf({ name: parameter.name, segment }), body: baseBody, contentType: 'application/json', label: `path ${parameter.name}=${segment.slice(0, 60)}` });
    } else {
      const json = baseBody ?? '{"fuzz": 1}';
      const whole = pick(random, [
        { body: withInvalidUtf8(json.length > 2 ? json : '{"fuzz": "x"}'), contentType: 'application/json', label: 'bytes that are not UTF-8' },
        { body: '['.repeat(5000) + ']'.repeat(5000), contentType: 'application/json', label: 'nesting 5,000 deep' },
        { body: `${json.slice(0, -1)}${json.length > 2 ? ',' : ''}"unknownField":1}`, contentType: 'application/json', label: 'an unknown field' },
        { body: '{"summary": ', contentType: 'application/json', label: 'malformed JSON' },
        { body: 'name=x&role=admin', contentType: 'application/x-www-form-urlencoded', label: 'a form' },
        { body: '"just a string"', contentType: 'application/json', label: 'a JSON string' },
        { body: '[]', contentType: 'application/json', label: 'a JSON array' },
      ]);
      requests.push({ operation, url: pathOf(), ...whole });
    }
  }
  return requests;
}

/** Columns that change by being used (a key's last use), not by what a request asks: left out of the comparison. */
const VOLATILE_COLUMNS: Readonly<Record<string, string[]>> = { ApiKey: ['lastUsedAt'] };

/** A digest of every row of every table of the application's schema, per table: equal digests, equal data. */
export async function tableDigests(databaseUrl: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('_prisma_migrations') ORDER BY table_name`,
    );
    const digests = new Map<string, string>();
    for (const { table_name: table } of tables.rows) {
      const columns = await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      const kept = columns.rows.map((row) => row.column_name).filter((column) => !(VOLATILE_COLUMNS[table] ?? []).includes(column));
      const row = `ROW(${kept.map((column) => `t."${column}"`).join(', ')})::text`;
      const result = await client.query<{ digest: string; rows: number }>(
        `SELECT md5(coalesce(string_agg(md5(${row}), '' ORDER BY md5(${row})), '')) AS digest, count(*)::int AS rows FROM "${table}" t`,
      );
      digests.set(table, `${result.rows[0]!.rows}:${result.rows[0]!.digest}`);
    }
    return digests;
  } finally {
    await client.end();
  }
}
