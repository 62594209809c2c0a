import { ALL_IN_ONE_APPS, loadApp } from './app-loader';

describe('loadApp', () => {
  it.each(ALL_IN_ONE_APPS)('loads the %s app by its name', async (name) => {
    const app = await loadApp(name);
    expect(app.name).toBe(name);
    expect(typeof app.start).toBe('function');
  });

  it('rejects a name that is not an app', async () => {
    await expect(loadApp('no-such-app')).rejects.toThrow();
  });

  it('starts readers before writers and the gateway last', () => {
    expect(ALL_IN_ONE_APPS[0]).toBe('projector');
    expect(ALL_IN_ONE_APPS.at(-1)).toBe('gateway');
  });
});
