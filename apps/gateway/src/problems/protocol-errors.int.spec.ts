import net from 'node:net';
import { startGateway, type GatewayFixture } from '../test/gateway.fixture';
import type { SeededUser } from '../test/read-model.seeder';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Writes bytes no HTTP client library would send and reads the answer until the server closes. */
function sendRaw(url: string, payload: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let data = '';
    socket.setEncoding('latin1');
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const end = data.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = data.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      try {
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]),
          headers,
          body: JSON.parse(data.slice(end + 4)) as Record<string, unknown>,
        });
      } catch {
        reject(new Error(`not a JSON answer: ${JSON.stringify(data.slice(0, 300))}`));
      }
    });
    socket.write(Buffer.from(payload, 'latin1'));
  });
}

describe('requests refused before routing still get problem+json (real Postgres, NATS, Redis)', () => {
  let gw: GatewayFixture;
  let admin: SeededUser;

  beforeAll(async () => {
    gw = await startGateway('gw_protocol');
    admin = await gw.seed.user('admin@example.com', { platformAdmin: true });
    await gw.settle();
  });
  afterAll(async () => {
    await gw.close();
  });

  const expectProblem = (answer: RawAnswer, status: number, code: string) => {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status, code, type: `urn:siteops:problem:${code}` });
    expect(typeof answer.body['correlationId']).toBe('string');
    expect(answer.body['correlationId']).toBe(answer.headers['x-request-id']);
  };

  it.each([
    ['an unknown method', 'BREW /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'a control character in a header',
      'GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n',
    ],
    ['a byte outside the URL alphabet', 'GET /v1/organizations/\xff HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'Content-Length beside chunked encoding',
      'POST /v1/organizations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['a TLS handshake on the plain port', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
    ['CONNECT', 'CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n\r\n'],
  ])('answers %s with 400 and closes the connection', async (_what, payload) => {
    const answer = await sendRaw(gw.url, payload);
    expectProblem(answer, 400, 'validation_failed');
    expect(answer.headers['connection']).toBe('close');
  });

  it('answers oversized headers with 431', async () => {
    const answer = await sendRaw(
      gw.url,
      `GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
    );
    expectProblem(answer, 431, 'headers_too_large');
  });

  it('answers an HTTP/1.1 request without Host with 400 naming the header', async () => {
    const answer = await sendRaw(
      gw.url,
      `GET /v1/whoami HTTP/1.1\r\nAuthorization: Bearer ${admin.key}\r\nConnection: close\r\n\r\n`,
    );
    expectProblem(answer, 400, 'validation_failed');
    expect(answer.body['errors']).toEqual([
      { field: 'Host', message: 'is required in HTTP/1.1 requests' },
    ]);
    // HTTP/1.0 has no Host requirement.
    const old = await sendRaw(gw.url, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(old.status).toBe(200);
    expect(old.body).toEqual({ status: 'ok' });
  });

  it('answers a URL that does not decode with 400, without quoting it', async () => {
    const res = await gw.request('GET', '/v1/organizations/%c0%af-secretish', { key: admin.key });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(res.text).not.toContain('secretish');
    expect((res.body as { correlationId: string }).correlationId).toBe(
      res.headers.get('x-request-id'),
    );
  });

  it('answers a path segment over the router limit with 414', async () => {
    const res = await gw.request('GET', `/v1/organizations/${'x'.repeat(500)}`, {
      key: admin.key,
    });
    expect(res.status).toBe(414);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'uri_too_long', status: 414 });
    expect(res.text).not.toContain('xxxxxxxxxx');
  });
});
