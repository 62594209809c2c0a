import { DomainError, type FieldError } from '@siteops/contracts';
import { z } from 'zod';

/** Where an input comes from; names the field in error messages. */
export type InputLocation = 'body' | 'query' | 'params' | 'header';

/**
 * zod issues as the field errors clients see. Body fields are dotted paths
 * (`scope.maxRole`); query, path and header inputs are named as sent (`limit`,
 * `orgId`). An unknown body key is reported under its own name.
 */
export function fieldErrors(
  error: z.core.$ZodError,
  location: InputLocation,
  name?: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ field: [...path, key].join('.'), message: 'is not a known field' });
      continue;
    }
    errors.push({
      field: path.length > 0 ? path.join('.') : (name ?? location),
      message: issue.message,
    });
  }
  return errors;
}

const SUMMARY: Readonly<Record<InputLocation, string>> = {
  body: 'The request body is invalid',
  query: 'The query string is invalid',
  params: 'The path is invalid',
  header: 'A request header is invalid',
};

/** NUL, or a UTF-16 surrogate without its pair (JSON's `\uD800` escape can still produce one). */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Strings PostgreSQL cannot hold: text and jsonb refuse NUL, and a lone
 * surrogate has no UTF-8 encoding. They pass a zod string schema, so without
 * this check they reached the event store and came back as a 500.
 */
export function unstorableTextErrors(
  value: unknown,
  location: InputLocation,
  name?: string,
  path: readonly string[] = [],
): FieldError[] {
  const field = () => (path.length > 0 ? path.join('.') : (name ?? location));
  if (typeof value === 'string') {
    return UNSTORABLE.test(value)
      ? [{ field: field(), message: 'must be Unicode text without NUL characters' }]
      : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const errors: FieldError[] = [];
  for (const [key, item] of Object.entries(value)) {
    errors.push(...unstorableTextErrors(key, location, name, path));
    errors.push(...unstorableTextErrors(item, location, name, [...path, key]));
  }
  return errors;
}

/** Parses an input or throws `validation_failed` with field errors (→ 400); `name` names a scalar input. */
export function parseInput<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  location: InputLocation,
  name?: string,
): z.output<S> {
  const result = z.safeParse(schema, value);
  // What the schema accepted is walked (never the raw input, which may nest without bound).
  const errors = result.success
    ? unstorableTextErrors(result.data, location, name)
    : fieldErrors(result.error, location, name);
  if (result.success && errors.length === 0) return result.data;
  const first = errors[0];
  const detail = first
    ? `${SUMMARY[location]}: ${first.field} ${first.message}`
    : SUMMARY[location];
  throw new DomainError('validation_failed', detail, errors);
}
