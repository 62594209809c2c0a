import { composeErrors, composeHash } from './compose-document';

describe('compose document check', () => {
  it('accepts a mapping with a services mapping, even an empty one', () => {
    expect(composeErrors('services:\n  web:\n    image: nginx\n')).toEqual([]);
    expect(composeErrors('services: {}\nvolumes:\n  data: {}\n')).toEqual([]);
  });

  it('reports a syntax error with its line and column, without quoting the document', () => {
    expect(composeErrors('services:\n  web:\n    image: nginx\n   ports: [80\n')).toEqual([
      { field: 'compose', message: expect.stringMatching(/^[^\n]+ at line \d+, column \d+$/) as unknown },
    ]);
    expect(composeErrors('a: b: c')[0]?.message).toBe('Nested mappings are not allowed in compact mappings at line 1, column 4');
  });

  it('refuses duplicate keys and several documents', () => {
    expect(composeErrors('services: {}\nservices: {}\n')[0]?.message).toMatch(/^Map keys must be unique/);
    expect(composeErrors('services: {}\n---\nservices: {}\n')[0]?.message).toMatch(/multiple documents/);
  });

  it('requires the services key to hold a mapping', () => {
    expect(composeErrors('# only a comment\n')).toEqual([{ field: 'compose', message: 'must be a YAML mapping with a services key' }]);
    expect(composeErrors('[web]')).toEqual([{ field: 'compose', message: 'must be a YAML mapping with a services key' }]);
    expect(composeErrors('volumes: {}\n')).toEqual([{ field: 'compose', message: 'must have a services key' }]);
    expect(composeErrors('services:\n  - web\n')).toEqual([{ field: 'compose', message: 'services must be a mapping of service names to services' }]);
  });

  it('hashes the exact text as sha256 hex, so any edit is a new hash', () => {
    expect(composeHash('services: {}\n')).toBe('fa6ccea1ca4e3a031d9e99f25cc05db803aa9bac642c000ddab14f6d9da54b52');
    expect(composeHash('services: {}')).not.toBe(composeHash('services: {}\n'));
  });
});
