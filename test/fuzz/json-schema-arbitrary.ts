/**
 * fast-check arbitraries derived from JSON Schema, as zod's `z.toJSONSchema` renders the project's schemas (draft 7
 * for the callback schemas, OpenAPI 3.0 in the operator API's document): values a schema accepts, and values one
 * mutation away from one (a required field dropped, a value of the wrong type, outside its enum, length or range, an
 * unknown field in a strict object), each with a note of what was changed. Only the keywords those renderings use are
 * understood; a schema without a type stands for any JSON value. Whether a mutated value is really invalid is for the
 * caller's oracle to decide (a mutation inside a union may land on another branch).
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  default?: unknown;
}

/** Where in a value: property names and array indexes. */
export type Path = (string | number)[];

export interface SchemaArbitraryOptions {
  /** Domain arbitraries replacing the schema's at particular places, by path: `message.from`, `message.to[]`. */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
  /** Strings for string fields without a pattern or format (default {@link fuzzStrings}). */
  strings?: fc.Arbitrary<string>;
  /** Whether objects that allow unknown keys sometimes get some (default true). */
  extraKeys?: boolean;
}

/** A value one change away from a valid one, and what the change was. */
export interface Mutation {
  value: unknown;
  note: string;
}

/** `message.to[]` for ['message', 'to', 0]. */
export function pathKey(path: Path): string {
  return path.reduce<string>((key, p) => (typeof p === 'number' ? `${key}[]` : key ? `${key}.${p}` : p), '');
}

const printable = (path: Path) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('') || '(root)';

/**
 * `length` printable ASCII characters that do not repeat (a xorshift sequence): a long value a database cannot
 * compress below its index limits, as a run of one character can be.
 */
export function noise(length: number, seed = 1): string {
  let x = seed | 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += String.fromCharCode(33 + ((x >>> 0) % 94));
  }
  return out;
}

/** Any UTF-16 code unit, lone surrogates and NUL included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Short strings, mostly ASCII, sometimes any code units (NUL, lone surrogates, RTL marks, emoji halves). */
export const fuzzStrings: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\ud800',
      '\udfff',
      '😀',
      '\u202e',
      '%00',
      "'; --",
      'null',
      '__proto__',
    ),
  },
);

/** Keys a loose object may carry besides its own, including ones that trip naive object handling. */
const extraKeyNames = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'eventTime', '') },
);

const MAX_INT32 = 2 ** 31 - 1;

/** Length in code points (JSON Schema) and in UTF-16 units (zod): a valid string satisfies both. */
function lengthsWithin(s: string, min: number, max: number | undefined): boolean {
  const points = [...s].length;
  return Math.min(points, s.length) >= min && (max === undefined || Math.max(points, s.length) <= max);
}

function typesOf(schema: JsonSchema): string[] {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return schema.nullable ? [...types, 'null'] : types;
}

function bounds(schema: JsonSchema): { min: number; max: number } {
  let min = schema.minimum ?? -Number.MAX_SAFE_INTEGER;
  let max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
  if (typeof schema.exclusiveMinimum === 'number') min = schema.exclusiveMinimum + 1;
  else if (schema.exclusiveMinimum === true) min += 1;
  if (typeof schema.exclusiveMaximum === 'number') max = schema.exclusiveMaximum - 1;
  else if (schema.exclusiveMaximum === true) max -= 1;
  return { min, max };
}

function integers(schema: JsonSchema): fc.Arbitrary<number> {
  const { min, max } = bounds(schema);
  const small = fc.integer({ min: Math.max(min, -MAX_INT32 - 1), max: Math.min(max, MAX_INT32) });
  return min >= -MAX_INT32 - 1 && max <= MAX_INT32
    ? small
    : fc.oneof({ weight: 8, arbitrary: small }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
}

function strings(schema: JsonSchema, options: SchemaArbitraryOptions): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength;
  let values: fc.Arbitrary<string>;
  if (schema.pattern !== undefined) values = fc.stringMatching(new RegExp(schema.pattern));
  else if (schema.format === 'uri') values = fc.webUrl();
  else if (schema.format === 'date-time') {
    values = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  } else {
    values = fc.oneof(
      { weight: 4, arbitrary: options.strings ?? fuzzStrings },
      { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: max ?? min + 16 }) },
    );
  }
  return values.filter((s) => lengthsWithin(s, min, max));
}

function objects(schema: JsonSchema, options: SchemaArbitraryOptions, path: Path): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(properties)) model[key] = valuesOf(property, options, [...path, key]);
  const required = (schema.required ?? []).filter((k) => Object.hasOwn(properties, k));
  const record = fc.record(model, { requiredKeys: required });
  if (schema.additionalProperties === false || options.extraKeys === false) return record;
  const extras = fc.dictionary(
    extraKeyNames.filter((k) => !Object.hasOwn(properties, k)),
    fc.jsonValue({ maxDepth: 2 }),
    { minKeys: 1, maxKeys: 2 },
  );
  return fc
    .tuple(record, fc.option(extras, { freq: 6 }))
    .map(([value, extra]) => (extra ? { ...extra, ...(value as object) } : value));
}

/** Values `schema` accepts (with `options.overrides` where they apply). */
export function valuesOf(
  schema: JsonSchema,
  options: SchemaArbitraryOptions = {},
  path: Path = [],
): fc.Arbitrary<unknown> {
  const override = options.overrides?.[pathKey(path)];
  if (override) return override;
  const values = nonNullValuesOf(schema, options, path);
  return schema.nullable ? fc.option(values, { nil: null, freq: 4 }) : values;
}

function nonNullValuesOf(schema: JsonSchema, options: SchemaArbitraryOptions, path: Path): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) return fc.oneof(...alternatives.map((s) => valuesOf(s, options, path)));
  if (schema.allOf && schema.allOf.length > 0) {
    return valuesOf(Object.assign({}, ...schema.allOf) as JsonSchema, options, path);
  }
  const type = typesOf(schema).find((t) => t !== 'null');
  switch (type) {
    case 'string':
      return strings(schema, options);
    case 'integer':
      return integers(schema);
    case 'number': {
      const { min, max } = bounds(schema);
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? Number.POSITIVE_INFINITY, minLength + 4);
      return fc.array(valuesOf(schema.items ?? {}, options, [...path, 0]), { minLength, maxLength });
    }
    case 'object':
      return objects(schema, options, path);
    default:
      return typesOf(schema).includes('null') ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

/** A marker for "remove the key" in {@link setAt}. */
const REMOVE = Symbol('remove');

/** A copy of `root` with the value at `path` replaced (or removed), sharing everything off the path. */
export function setAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(root)) {
    const copy = [...(root as unknown[])];
    if (replacement === REMOVE && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = setAt(copy[Number(head)], rest, replacement);
    return copy;
  }
  const source = root as Record<string, unknown>;
  if (replacement === REMOVE && rest.length === 0) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) if (k !== head) Object.defineProperty(copy, k, enumerable(v));
    return copy;
  }
  // Spread and defineProperty (not assignment) keep a key named __proto__ an ordinary key.
  const copy: Record<string, unknown> = { ...source };
  Object.defineProperty(copy, String(head), enumerable(setAt(source[String(head)], rest, replacement)));
  return copy;
}

const enumerable = (value: unknown): PropertyDescriptor => ({
  value,
  enumerable: true,
  writable: true,
  configurable: true,
});

const wrongTypeCache = new Map<string, fc.Arbitrary<unknown> | null>();

/** Values of every JSON type `allowed` does not include (built once per set of types). */
function wrongTypeValues(allowed: string[]): fc.Arbitrary<unknown> | null {
  const key = [...allowed].sort().join(',');
  if (!wrongTypeCache.has(key)) wrongTypeCache.set(key, buildWrongTypeValues(allowed));
  return wrongTypeCache.get(key)!;
}

function buildWrongTypeValues(allowed: string[]): fc.Arbitrary<unknown> | null {
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('1', 'true', 'null', '[]'))],
    ['integer', fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 53))],
    ['number', fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 })],
    ['object', fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 })],
  ];
  const excluded = new Set(allowed);
  if (excluded.has('number')) excluded.add('integer');
  const wrong = all.filter(([type]) => !excluded.has(type)).map(([, values]) => values);
  return wrong.length > 0 ? fc.oneof(...wrong) : null;
}

interface Site {
  path: Path;
  note: string;
  /** Built only for the site picked: building arbitraries for every site of every value is slow. */
  replacement: () => fc.Arbitrary<unknown>;
}

function sitesOf(schema: JsonSchema, value: unknown, path: Path, sites: Site[]): void {
  const at = printable(path);
  const allowed = typesOf(schema);
  const wrong = allowed.length > 0 ? wrongTypeValues(allowed) : null;
  if (wrong) sites.push({ path, note: `wrong type at ${at}`, replacement: () => wrong });
  if (value === null || schema.anyOf || schema.oneOf) return; // a union: another branch may accept a change inside
  const choices = 'const' in schema ? [schema.const] : schema.enum;
  if (choices) {
    const near = choices.flatMap((c) => (typeof c === 'string' ? [c.toUpperCase(), ` ${c}`, `${c}s`] : []));
    sites.push({
      path,
      note: `not one of the values at ${at}`,
      replacement: () =>
        fc
          .oneof(fc.constantFrom('', 'unknown', ...near), fc.string({ maxLength: 8 }))
          .filter((v) => !choices.includes(v)),
    });
  }
  if (typeof value === 'string') {
    if ((schema.minLength ?? 0) > 0)
      sites.push({ path, note: `too short at ${at}`, replacement: () => fc.constant('') });
    if (schema.maxLength !== undefined) {
      const long = 'x'.repeat(schema.maxLength + 1);
      sites.push({
        path,
        note: `too long at ${at}`,
        replacement: () => fc.constantFrom(long, `${long}${'é'.repeat(8)}`),
      });
    }
    if (schema.pattern !== undefined) {
      const pattern = new RegExp(schema.pattern);
      sites.push({
        path,
        note: `not matching ${schema.pattern} at ${at}`,
        replacement: () =>
          fc
            .oneof(fc.string({ maxLength: 10 }), fc.constantFrom(`${value} `, `x${value}`))
            .filter((s) => !pattern.test(s)),
      });
    }
  }
  if (typeof value === 'number') {
    const { min, max } = bounds(schema);
    if (min > -Number.MAX_SAFE_INTEGER)
      sites.push({ path, note: `below the minimum at ${at}`, replacement: () => fc.constant(min - 1) });
    if (max < Number.MAX_SAFE_INTEGER)
      sites.push({ path, note: `above the maximum at ${at}`, replacement: () => fc.constant(max + 1) });
    if (allowed.includes('integer')) {
      sites.push({
        path,
        note: `not an integer at ${at}`,
        replacement: () => fc.constantFrom(value + 0.5, 2 ** 53 + 2, 1e300),
      });
    }
  }
  if (Array.isArray(value)) {
    const items = value as unknown[];
    const minItems = schema.minItems ?? 0;
    if (minItems > 0) {
      sites.push({
        path,
        note: `too few items at ${at}`,
        replacement: () => fc.constant(items.slice(0, minItems - 1)),
      });
    }
    if (schema.maxItems !== undefined && items.length > 0) {
      const more = Array.from({ length: schema.maxItems + 1 }, (_, i) => items[i % items.length]);
      sites.push({ path, note: `too many items at ${at}`, replacement: () => fc.constant(more) });
    }
    items.forEach((item, i) => sitesOf(schema.items ?? {}, item, [...path, i], sites));
  } else if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const properties = schema.properties ?? {};
    for (const key of schema.required ?? []) {
      if (Object.hasOwn(object, key))
        sites.push({ path: [...path, key], note: `${at}.${key} missing`, replacement: () => fc.constant(REMOVE) });
    }
    if (schema.additionalProperties === false) {
      sites.push({
        path,
        note: `an unknown field in ${at}`,
        replacement: () =>
          fc
            .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }))
            .filter(([k]) => !Object.hasOwn(properties, k))
            .map(([k, v]) => setAt(object, [k], v)),
      });
    }
    for (const [key, property] of Object.entries(properties)) {
      if (Object.hasOwn(object, key)) sitesOf(property, object[key], [...path, key], sites);
    }
  }
}

/** Values one mutation away from a value of `valid` (which should be values of `schema`). */
export function mutationsOf(schema: JsonSchema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> {
  return valid.chain((value) => {
    const sites: Site[] = [];
    sitesOf(schema, value, [], sites);
    if (sites.length === 0) return fc.constant({ value, note: 'nothing to change' });
    return fc
      .constantFrom(...sites)
      .chain((site) => site.replacement().map((r) => ({ value: setAt(value, site.path, r), note: site.note })));
  });
}
