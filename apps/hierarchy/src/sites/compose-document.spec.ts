import { composeHash, composeValidationError } from './compose-document';

const errorsOf = (text: string) => composeValidationError(text)?.errors ?? [];

describe('compose document check', () => {
  it('accepts a document of supported keys, even an empty services mapping', () => {
    expect(composeValidationError('services:\n  web:\n    image: nginx\n')).toBeNull();
    expect(composeValidationError('services: {}\nvolumes:\n  data: {}\n')).toBeNull();
  });

  it('leaves the bind-mount root to the deployer', () => {
    expect(composeValidationError('services:\n  web:\n    image: nginx\n    volumes: ["/etc/ssl/certs:/certs:ro"]\n')).toBeNull();
  });

  it('reports a syntax error with its line and column, without quoting the document', () => {
    expect(errorsOf('services:\n  web:\n    image: nginx\n   ports: [80\n')).toEqual([
      { field: 'compose', message: expect.stringMatching(/^[^\n]+ at line \d+, column \d+$/) as unknown },
    ]);
    expect(errorsOf('a: b: c')[0]?.message).toBe('Nested mappings are not allowed in compact mappings at line 1, column 4');
  });

  it('refuses duplicate keys and several documents', () => {
    expect(errorsOf('services: {}\nservices: {}\n')[0]?.message).toMatch(/^Map keys must be unique/);
    expect(errorsOf('services: {}\n---\nservices: {}\n')[0]?.message).toMatch(/multiple documents/);
  });

  it('requires a mapping with a services mapping', () => {
    expect(errorsOf('# only a comment\n')).toEqual([{ field: 'compose', message: 'must be a YAML mapping with a services key' }]);
    expect(errorsOf('[web]')).toEqual([{ field: 'compose', message: 'must be a YAML mapping with a services key' }]);
    expect(errorsOf('volumes: {}\n')).toEqual([{ field: 'compose.services', message: 'is required' }]);
    expect(errorsOf('services:\n  - web\n')).toEqual([{ field: 'compose.services', message: 'must be a mapping of service names to services' }]);
  });

  it('refuses unsupported keys and malformed services with their paths under compose, and names the first in the detail', () => {
    const error = composeValidationError(
      'services:\n  web:\n    image: nginx\n    privileged: true\n    env_file: .env\n    depends_on: [db]\n    ports: ["http"]\n',
    );
    expect(error?.code).toBe('validation_failed');
    expect(error?.errors?.map((e) => e.field)).toEqual(['compose.services.web.ports.0', 'compose.services.web.privileged', 'compose.services.web.env_file']);
    expect(error?.errors?.find((e) => e.field === 'compose.services.web.env_file')?.message).toMatch(/secrets/);
    expect(error?.message).toMatch(/^The compose document is not valid: services\.web\.ports\.0 must be a port mapping .* \(and 2 more\)$/);
  });

  it('refuses what only shows across services: unknown dependencies, cycles, undeclared volumes', () => {
    expect(errorsOf('services:\n  web:\n    image: nginx\n    depends_on: [db]\n')).toEqual([
      { field: 'compose.services.web.depends_on', message: 'names db, which is not a service of this document' },
    ]);
    expect(errorsOf('services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n')[0]?.message).toBe('forms a cycle: a → b → a');
    expect(errorsOf('services:\n  web:\n    image: nginx\n    volumes: ["data:/data"]\n')[0]?.field).toBe('compose.services.web.volumes.0');
  });

  it('hashes the exact text as sha256 hex, so any edit is a new hash', () => {
    expect(composeHash('services: {}\n')).toBe('fa6ccea1ca4e3a031d9e99f25cc05db803aa9bac642c000ddab14f6d9da54b52');
    expect(composeHash('services: {}')).not.toBe(composeHash('services: {}\n'));
  });
});
