import { composeModel } from './test/compose.fixture';
import {
  exposedService,
  healthGatedServices,
  replacementOrder,
  startConditions,
  startOrder,
  startStages,
} from './service-graph';

const service = (text: string, name = 'web') => composeModel(text).services[name]!;

describe('start order', () => {
  const app = composeModel(`
services:
  web:
    image: web
    depends_on:
      api: { condition: service_healthy }
      assets:
  worker:
    image: worker
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
  api:
    image: api
    depends_on: [db, cache]
  migrate:
    image: api
    depends_on: { db: { condition: service_healthy } }
  assets:
    image: assets
  cache:
    image: redis
  db:
    image: postgres
    healthcheck: { test: pg_isready }
`);

  it('starts every service after what it depends on, in stages that keep the document order', () => {
    expect(startStages(app)).toEqual([
      ['assets', 'cache', 'db'],
      ['api', 'migrate'],
      ['web', 'worker'],
    ]);
    expect(startOrder(app)).toEqual(['assets', 'cache', 'db', 'api', 'migrate', 'web', 'worker']);
  });

  it('says what each service waits for', () => {
    expect(startConditions(app.services['worker']!)).toEqual([
      { service: 'db', condition: 'service_healthy' },
      { service: 'migrate', condition: 'service_completed_successfully' },
    ]);
    expect(startConditions(app.services['assets']!)).toEqual([]);
  });

  it('lists the services another one waits to be healthy for, in start order', () => {
    expect(healthGatedServices(app)).toEqual(['db', 'api']);
    expect(
      healthGatedServices(
        composeModel('services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: b\n'),
      ),
    ).toEqual([]);
  });

  it('has nothing to order in an empty document', () => {
    expect(startStages(composeModel('services: {}\n'))).toEqual([]);
  });
});

describe('replacement order', () => {
  it.each([
    [
      'a healthcheck and no host port',
      'healthcheck: { test: "true" }\nexpose: ["80"]',
      'start-first',
    ],
    [
      'a healthcheck and a port Docker chooses',
      'healthcheck: { test: "true" }\nports: ["80"]',
      'start-first',
    ],
    [
      'a healthcheck and a fixed host port',
      'healthcheck: { test: "true" }\nports: ["8080:80"]',
      'stop-first',
    ],
    ['no healthcheck', 'expose: ["80"]', 'stop-first'],
    ['a disabled healthcheck', 'healthcheck: { disable: true }', 'stop-first'],
    ['a healthcheck that only sets timings', 'healthcheck: { interval: 5s }', 'stop-first'],
  ])('a service with %s is replaced %s', (_case, lines, expected) => {
    const text = `services:\n  web:\n    image: web\n${lines
      .split('\n')
      .map((l) => `    ${l}\n`)
      .join('')}`;
    expect(replacementOrder(service(text))).toBe(expected);
  });
});

describe('exposed service', () => {
  it('prefers the service labelled io.siteops.expose, with its port', () => {
    const model = composeModel(`
services:
  web:
    image: web
    expose: ["80"]
  shop:
    image: shop
    labels: { io.siteops.expose: "3000" }
`);
    expect(exposedService(model)).toEqual({ service: 'shop', port: 3000 });
  });

  it.each([
    [
      'its first expose port',
      'expose: ["8080", "9090"]\nports: ["80"]',
      { service: 'web', port: 8080 },
    ],
    [
      'its first ports container port',
      'ports: ["127.0.0.1:8000:80", "443"]',
      { service: 'web', port: 80 },
    ],
    ['nothing when web has no port', 'command: sleep 1', null],
  ])('falls back to the service named web: %s', (_case, lines, expected) => {
    const text = `services:\n  web:\n    image: web\n${lines
      .split('\n')
      .map((l) => `    ${l}\n`)
      .join('')}`;
    expect(exposedService(composeModel(text))).toEqual(expected);
  });

  it('exposes nothing without a label or a web service', () => {
    expect(
      exposedService(composeModel('services:\n  api:\n    image: api\n    expose: ["80"]\n')),
    ).toBeNull();
  });
});
