import { Upcasters } from './upcasting';

const stored = (type: string, data: unknown) => ({ type, data, metadata: { eventId: 'e1' } });

describe('Upcasters', () => {
  it('leaves events without upcasters untouched', () => {
    const data = { a: 1 };
    expect(new Upcasters().apply(stored('Thing', data))).toEqual({ type: 'Thing', data });
  });

  it('runs a type\'s upcasters in order', () => {
    const upcasters = new Upcasters()
      .register('SiteCreated', (e) => ({ type: e.type, data: { ...(e.data as object), environment: 'production' } }))
      .register('SiteCreated', (e) => ({ type: e.type, data: { ...(e.data as object), autoDeploy: false } }));
    expect(upcasters.apply(stored('SiteCreated', { name: 'www' }))).toEqual({
      type: 'SiteCreated',
      data: { name: 'www', environment: 'production', autoDeploy: false },
    });
  });

  it('follows a rename to the new type\'s upcasters', () => {
    const upcasters = new Upcasters()
      .register('SecretSet', (e) => ({ type: 'SecretValueSet', data: e.data }))
      .register('SecretValueSet', (e) => ({ type: e.type, data: { ...(e.data as object), restoredFrom: null } }));
    expect(upcasters.apply(stored('SecretSet', { name: 'A' }))).toEqual({
      type: 'SecretValueSet',
      data: { name: 'A', restoredFrom: null },
    });
  });

  it('refuses a cycle instead of hanging', () => {
    const upcasters = new Upcasters()
      .register('A', (e) => ({ type: 'B', data: e.data }))
      .register('B', (e) => ({ type: 'A', data: e.data }));
    expect(() => upcasters.apply(stored('A', {}))).toThrow(/cycle/);
  });
});
