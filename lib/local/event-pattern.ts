/**
 * EventBridge event patterns, matched locally the way EventBridge matches them on the bus.
 *
 * Supported (the subset the platform's rules and most subscribers use):
 *   - nested objects: `{ "detail": { "data": { "status": [...] } } }`
 *   - exact values in an array: strings, numbers (compared as numbers), booleans, null
 *   - `{ "prefix": "s" }`, `{ "suffix": "s" }`, `{ "equals-ignore-case": "s" }`, `{ "wildcard": "a*b" }`
 *   - `{ "anything-but": v | [v, ...] | { "prefix": "s" } | { "suffix": "s" } }` (the field must exist)
 *   - `{ "exists": true | false }`
 *   - `{ "numeric": [">", 0, "<=", 5] }` (operators =, <, <=, >, >=)
 *   - `$or: [pattern, ...]` at any level
 * An event field holding an array matches when any of its elements matches. A field missing from
 * the event matches only `{ "exists": false }`. Anything else (`cidr`, `anything-but` with
 * `wildcard`, prefix with `equals-ignore-case`) is refused when the pattern is compiled, so a rule
 * that would behave differently in the cloud fails loudly at start instead.
 */

export type EventPattern = Record<string, unknown>;
type Predicate = (value: unknown, present: boolean) => boolean;
export type CompiledPattern = (event: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(path: string, message: string): never {
  throw new Error(`Unsupported event pattern at ${path || '<root>'}: ${message}`);
}

function wildcardRegExp(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's');
}

/** Applies `test` to a scalar value or to every element of an array value: any may match. */
const anyElement =
  (test: (value: unknown) => boolean): Predicate =>
  (value, present) =>
    present && (Array.isArray(value) ? value.some(test) : test(value));

function exactValue(expected: unknown): (value: unknown) => boolean {
  if (typeof expected === 'number') return (value) => typeof value === 'number' && value === expected;
  return (value) => value === expected;
}

function stringTest(operator: string, operand: unknown, path: string): (value: unknown) => boolean {
  if (typeof operand !== 'string') fail(path, `${operator} takes a string`);
  switch (operator) {
    case 'prefix':
      return (value) => typeof value === 'string' && value.startsWith(operand);
    case 'suffix':
      return (value) => typeof value === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      return (value) => typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard': {
      const regExp = wildcardRegExp(operand);
      return (value) => typeof value === 'string' && regExp.test(value);
    }
    default:
      return fail(path, `unknown operator ${operator}`);
  }
}

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numericTest(operand: unknown, path: string): (value: unknown) => boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) fail(path, 'numeric takes [op, n, ...]');
  const checks: ((value: number) => boolean)[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const compare = NUMERIC_OPERATORS[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number') fail(path, `numeric operator ${String(operand[i])} ${String(bound)}`);
    checks.push((value) => compare(value, bound));
  }
  return (value) => typeof value === 'number' && checks.every((check) => check(value));
}

function anythingBut(operand: unknown, path: string): Predicate {
  let excluded: (value: unknown) => boolean;
  if (isObject(operand)) {
    const [operator, ...others] = Object.keys(operand);
    if (!operator || others.length > 0 || (operator !== 'prefix' && operator !== 'suffix')) fail(path, 'anything-but takes values, prefix or suffix');
    excluded = stringTest(operator, operand[operator], path);
  } else {
    const values = Array.isArray(operand) ? operand : [operand];
    if (values.some((v) => isObject(v) || Array.isArray(v))) fail(path, 'anything-but takes values, prefix or suffix');
    const tests = values.map(exactValue);
    excluded = (value) => tests.some((test) => test(value));
  }
  // EventBridge: the field must exist; an array matches if none of its elements is excluded.
  return (value, present) => present && (Array.isArray(value) ? !value.some(excluded) : !excluded(value));
}

function matcher(spec: unknown, path: string): Predicate {
  if (!isObject(spec)) {
    if (Array.isArray(spec)) fail(path, 'nested arrays');
    return anyElement(exactValue(spec));
  }
  const keys = Object.keys(spec);
  if (keys.length !== 1) fail(path, `a matcher has exactly one operator, not ${keys.join(', ') || 'none'}`);
  const operator = keys[0]!;
  const operand = spec[operator];
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') fail(path, 'exists takes true or false');
      return (_value, present) => present === operand;
    case 'anything-but':
      return anythingBut(operand, path);
    case 'numeric':
      return anyElement(numericTest(operand, path));
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard':
      return anyElement(stringTest(operator, operand, path));
    default:
      return fail(path, `operator ${operator} is not supported locally`);
  }
}

function compileObject(pattern: EventPattern, path: string): CompiledPattern {
  const checks: CompiledPattern[] = [];
  for (const [key, spec] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isObject)) fail(at, '$or takes two or more patterns');
      const alternatives = (spec as EventPattern[]).map((alternative, index) => compileObject(alternative, `${at}[${index}]`));
      checks.push((event) => alternatives.some((alternative) => alternative(event)));
    } else if (Array.isArray(spec)) {
      if (spec.length === 0) fail(at, 'an empty array matches nothing');
      const predicates = spec.map((item, index) => matcher(item, `${at}[${index}]`));
      checks.push((event) => {
        const present = isObject(event) && Object.hasOwn(event, key);
        const value = present ? event[key] : undefined;
        return predicates.some((predicate) => predicate(value, present));
      });
    } else if (isObject(spec)) {
      const nested = compileObject(spec, at);
      checks.push((event) => isObject(event) && isObject(event[key]) && nested(event[key]));
    } else {
      fail(at, 'leaf values must be arrays');
    }
  }
  return (event) => checks.every((check) => check(event));
}

/** Compiles a pattern once; throws on anything unsupported. */
export function compilePattern(pattern: EventPattern): CompiledPattern {
  if (!isObject(pattern) || Object.keys(pattern).length === 0) fail('', 'a pattern is a non-empty object');
  return compileObject(pattern, '');
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return compilePattern(pattern)(event);
}
