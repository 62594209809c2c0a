import { durationNs, exposedPorts, portMappings, shellWords } from './short-syntax';

describe('port mappings', () => {
  it.each([
    ['80', [{ target: 80, protocol: 'tcp', hostIp: null, published: null }]],
    ['8080:80', [{ target: 80, protocol: 'tcp', hostIp: null, published: '8080' }]],
    ['53:53/udp', [{ target: 53, protocol: 'udp', hostIp: null, published: '53' }]],
    [
      '127.0.0.1:8080:80',
      [{ target: 80, protocol: 'tcp', hostIp: '127.0.0.1', published: '8080' }],
    ],
    ['127.0.0.1::80', [{ target: 80, protocol: 'tcp', hostIp: '127.0.0.1', published: null }]],
    ['[::1]:8080:80', [{ target: 80, protocol: 'tcp', hostIp: '::1', published: '8080' }]],
    [
      '[0:0:0:0:0:0:0:1]:8080:80',
      [{ target: 80, protocol: 'tcp', hostIp: '::1', published: '8080' }],
    ],
    ['8000-8010:80', [{ target: 80, protocol: 'tcp', hostIp: null, published: '8000-8010' }]],
    [
      '9000-9001:90-91',
      [
        { target: 90, protocol: 'tcp', hostIp: null, published: '9000' },
        { target: 91, protocol: 'tcp', hostIp: null, published: '9001' },
      ],
    ],
    [
      '90-91',
      [
        { target: 90, protocol: 'tcp', hostIp: null, published: null },
        { target: 91, protocol: 'tcp', hostIp: null, published: null },
      ],
    ],
  ])('reads %s', (text, expected) => {
    expect(portMappings(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', /^must be a port mapping/],
    ['http', /^must be a port mapping/],
    ['80:', /^must be a port mapping/],
    ['1:2:3:4', /^must be a port mapping/],
    ['65536', /^must use ports from 1 to 65535/],
    ['91-90', /^must use ports from 1 to 65535 \(a range is written low-high\)/],
    ['0:80', /^must use host ports from 1 to 65535/],
    ['80/tcp6', /^must use the protocol tcp, udp or sctp/],
    ['8000-8002:90-91', /^must map a container port range onto a host range of the same size/],
    ['8000:90-91', /^must map a container port range onto a host range of the same size/],
    ['10.1:80:80', /^must start with a valid host address/],
    ['999.0.0.1:80:80', /^must start with a valid host address/],
  ])('refuses %j', (text, message) => {
    const result = portMappings(text);
    expect(result).toEqual({ ok: false, message: expect.stringMatching(message) as unknown });
  });
});

describe('exposed ports', () => {
  it('reads a port, a range and a protocol', () => {
    expect(exposedPorts('80')).toEqual({ ok: true, value: [{ port: 80, protocol: 'tcp' }] });
    expect(exposedPorts('5000-5001/udp')).toEqual({
      ok: true,
      value: [
        { port: 5000, protocol: 'udp' },
        { port: 5001, protocol: 'udp' },
      ],
    });
    expect(exposedPorts('80:80').ok).toBe(false);
    expect(exposedPorts('80/icmp')).toEqual({
      ok: false,
      message: 'must use the protocol tcp, udp or sctp',
    });
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30e9],
    ['1m30s', 90e9],
    ['1h', 3600e9],
    ['1.5s', 1.5e9],
    ['500ms', 500e6],
    ['2h45m10s5ms', (2 * 3600 + 45 * 60 + 10) * 1e9 + 5e6],
    ['10us', 10_000],
    ['10µs', 10_000],
    ['7ns', 7],
    ['0s', 0],
  ])('reads %s in nanoseconds', (text, ns) => {
    expect(durationNs(text)).toEqual({ ok: true, value: ns });
  });

  it.each(['', '10', 's', '1d', '30s1m', '1s1s', '1.s', '-1s', '1 m', '10us5µs'])(
    'refuses %j',
    (text) => {
      expect(durationNs(text).ok).toBe(false);
    },
  );

  it('refuses what the Engine could not hold exactly', () => {
    expect(durationNs('99999999h')).toEqual({ ok: false, message: 'is too long' });
  });
});

describe('shell words', () => {
  it.each([
    ['httpd -f -p 80', ['httpd', '-f', '-p', '80']],
    ['  spaced   out\targs\n', ['spaced', 'out', 'args']],
    [`sh -c 'echo "hi there"; exit 0'`, ['sh', '-c', 'echo "hi there"; exit 0']],
    ['echo "a \\"quoted\\" \\\\ word" \'it\'\'s\'', ['echo', 'a "quoted" \\ word', 'its']],
    ['echo "keep \\n as is"', ['echo', 'keep \\n as is']],
    ['a\\ b c\\"d', ['a b', 'c"d']],
    ['empty "" \'\' args', ['empty', '', '', 'args']],
    ['glued"quoted"parts', ['gluedquotedparts']],
    ['', []],
  ])('splits %j', (text, words) => {
    expect(shellWords(text)).toEqual({ ok: true, value: words });
  });

  it('refuses an unclosed quote', () => {
    expect(shellWords('echo "hi')).toEqual({ ok: false, message: 'has an unclosed double quote' });
    expect(shellWords("echo 'hi")).toEqual({ ok: false, message: 'has an unclosed single quote' });
  });
});
