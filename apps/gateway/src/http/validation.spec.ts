import { apiBodies, DomainError } from '@siteops/contracts';
import { z } from 'zod';
import { parseInput } from './validation';

function failure(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a validation failure');
}

describe('parseInput', () => {
  it('returns the parsed value', () => {
    expect(parseInput(apiBodies.createOrganization, { name: 'Acme' }, 'body')).toEqual({
      name: 'Acme',
    });
  });

  it('names nested fields with dotted paths and unknown fields by their own name', () => {
    const error = failure(() =>
      parseInput(
        apiBodies.createApiKey,
        { name: 'ci', scope: { path: 'acme', maxRole: 'god' }, colour: 'red' },
        'body',
      ),
    );
    expect(error.code).toBe('validation_failed');
    expect(error.errors?.map((e) => e.field).sort()).toEqual(['colour', 'scope.maxRole']);
    expect(error.message).toContain('The request body is invalid');
  });

  it('names a scalar input after itself and a non-object body as "body"', () => {
    expect(failure(() => parseInput(z.uuid(), 'nope', 'params', 'orgId')).errors?.[0]?.field).toBe(
      'orgId',
    );
    expect(
      failure(() => parseInput(apiBodies.createOrganization, 'text', 'body')).errors?.[0]?.field,
    ).toBe('body');
  });
});
