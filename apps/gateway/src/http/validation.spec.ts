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

  it('refuses text PostgreSQL cannot store: NUL and unpaired surrogates, in values and keys', () => {
    const nul = failure(() =>
      parseInput(apiBodies.createProject, { name: 'Web', description: 'a\u0000b' }, 'body'),
    );
    expect(nul.code).toBe('validation_failed');
    expect(nul.errors).toEqual([
      { field: 'description', message: 'must be Unicode text without NUL characters' },
    ]);
    const lone = failure(() =>
      parseInput(
        apiBodies.createApiKey,
        { name: 'ci', scope: { path: 'acme\ud800', maxRole: 'viewer' } },
        'body',
      ),
    );
    expect(lone.errors?.[0]?.field).toBe('scope.path');
    expect(
      failure(() => parseInput(z.record(z.string(), z.string()), { 'a\udc00': 'x' }, 'body'))
        .errors?.[0]?.field,
    ).toBe('body');
    expect(
      failure(() => parseInput(z.string(), 'x\u0000', 'query', 'path')).errors?.[0]?.field,
    ).toBe('path');
  });

  it('keeps well-formed text, astral characters included', () => {
    expect(
      parseInput(apiBodies.createProject, { name: 'Web', description: '🙂 é \u202e' }, 'body'),
    ).toEqual({
      name: 'Web',
      description: '🙂 é \u202e',
    });
  });
});
