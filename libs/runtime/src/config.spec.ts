import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working single-machine defaults', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/siteops');
    expect(config.natsPrefix).toBe('siteops');
    expect(config.port).toBe(8080);
    expect(config.edgeListen).toBe('127.0.0.1:8088');
  });

  it('names every bad variable and never echoes its value', () => {
    const secret = 'c2VjcmV0LXZhbHVlLXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', SITEOPS_MASTER_KEY: secret, NATS_URL: 'http://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('SITEOPS_MASTER_KEY');
    expect(message).toContain('NATS_URL');
    expect(message).not.toContain(secret);
    expect(message).not.toContain('eighty');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });
});

describe('SITEOPS_ADMIN_EMAIL', () => {
  it('takes an intranet address such as the default, set explicitly', () => {
    expect(loadConfig({ SITEOPS_ADMIN_EMAIL: 'admin@localhost' }).adminEmail).toBe('admin@localhost');
    expect(loadConfig({ SITEOPS_ADMIN_EMAIL: 'ops@intranet' }).adminEmail).toBe('ops@intranet');
  });

  it('refuses what is not an address, naming the variable', () => {
    expect(() => loadConfig({ SITEOPS_ADMIN_EMAIL: 'admin@' })).toThrow(/SITEOPS_ADMIN_EMAIL/);
  });
});
