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

/** Parses an input or throws `validation_failed` with field errors (→ 400); `name` names a scalar input. */
export function parseInput<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  location: InputLocation,
  name?: string,
): z.output<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error, location, name);
  const first = errors[0];
  const detail = first
    ? `${SUMMARY[location]}: ${first.field} ${first.message}`
    : SUMMARY[location];
  throw new DomainError('validation_failed', detail, errors);
}
