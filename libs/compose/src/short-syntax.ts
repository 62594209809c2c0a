/**
 * The compact string forms compose accepts (ports, expose, volumes,
 * durations, shell-style commands), parsed as docker-compose parses them.
 * Each parser answers a value or the message for a field error.
 */
import ipaddr from 'ipaddr.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A container port published on the host. `published` is a host port or a host port range ("8000-8010"); null lets Docker choose. */
export interface PortMapping {
  target: number;
  protocol: Protocol;
  hostIp: string | null;
  published: string | null;
}

export interface ExposedPort {
  port: number;
  protocol: Protocol;
}

interface PortRange {
  start: number;
  end: number;
}

const PORT_HINT =
  'must be a port mapping such as "80", "8080:80", "127.0.0.1:8080:80" or "8080:80/udp"';

function portRange(text: string): PortRange | undefined {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start < 1 || end > 65535 || end < start) return undefined;
  return { start, end };
}

const size = (range: PortRange): number => range.end - range.start + 1;
const rangeText = (range: PortRange): string =>
  range.start === range.end ? String(range.start) : `${range.start}-${range.end}`;

/** A host address as Docker takes it: an IPv4 address, or an IPv6 address in brackets in the short syntax. */
export function hostIp(text: string): Parsed<string> {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (
    !ipaddr.isValid(bare) ||
    (ipaddr.parse(bare).kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(bare))
  ) {
    return fail('must be an IPv4 address or an IPv6 address');
  }
  return ok(ipaddr.parse(bare).toString());
}

/**
 * `[[host_ip:]host_port[-range]:]container_port[-range][/protocol]`. A range
 * maps port for port onto an equal host range; a single container port may
 * be published on a host range (Docker picks a free port in it).
 */
export function portMappings(text: string): Parsed<PortMapping[]> {
  const match =
    /^(?:(?:(\[[0-9A-Fa-f:.]+\]|[0-9.]+):)?(\d[\d-]*)?:)?(\d[\d-]*)(?:\/([a-z0-9]+))?$/.exec(text);
  if (!match) return fail(PORT_HINT);
  const [, ipText, hostText, targetText = '', protocolText = 'tcp'] = match;
  const protocol = PROTOCOLS.find((p) => p === protocolText);
  if (!protocol) return fail('must use the protocol tcp, udp or sctp');
  const target = portRange(targetText);
  if (!target) return fail('must use ports from 1 to 65535 (a range is written low-high)');
  let ip: string | null = null;
  if (ipText !== undefined) {
    const parsedIp = hostIp(ipText);
    if (!parsedIp.ok) return fail(`must start with a valid host address: ${parsedIp.message}`);
    ip = parsedIp.value;
  }
  const host = hostText === undefined ? undefined : portRange(hostText);
  if (hostText !== undefined && !host)
    return fail('must use host ports from 1 to 65535 (a range is written low-high)');
  return mapRanges(target, host, protocol, ip);
}

/** The long syntax `{ target, published, host_ip, protocol }`, already type-checked. */
export function longPortMapping(input: {
  target: number;
  published?: string;
  host_ip?: string;
  protocol?: Protocol;
}): Parsed<PortMapping[]> {
  if (!Number.isInteger(input.target) || input.target < 1 || input.target > 65535)
    return fail('target must be a port from 1 to 65535');
  const host = input.published === undefined ? undefined : portRange(input.published);
  if (input.published !== undefined && !host)
    return fail('published must be a port from 1 to 65535, or a range such as 8000-8010');
  let ip: string | null = null;
  if (input.host_ip !== undefined) {
    const parsedIp = hostIp(input.host_ip);
    if (!parsedIp.ok) return fail(`host_ip ${parsedIp.message}`);
    ip = parsedIp.value;
  }
  return mapRanges({ start: input.target, end: input.target }, host, input.protocol ?? 'tcp', ip);
}

function mapRanges(
  target: PortRange,
  host: PortRange | undefined,
  protocol: Protocol,
  hostIp: string | null,
): Parsed<PortMapping[]> {
  if (host && size(target) > 1 && size(host) !== size(target))
    return fail('must map a container port range onto a host range of the same size');
  const mappings: PortMapping[] = [];
  for (let port = target.start; port <= target.end; port++) {
    const published = !host
      ? null
      : size(target) === 1
        ? rangeText(host)
        : String(host.start + (port - target.start));
    mappings.push({ target: port, protocol, hostIp, published });
  }
  return ok(mappings);
}

/** `port[-range][/protocol]`. */
export function exposedPorts(text: string): Parsed<ExposedPort[]> {
  const match = /^(\d[\d-]*)(?:\/([a-z0-9]+))?$/.exec(text);
  const range = match?.[1] === undefined ? undefined : portRange(match[1]);
  if (!match || !range)
    return fail(
      'must be a port from 1 to 65535, or a range such as 8000-8010, optionally with /tcp, /udp or /sctp',
    );
  const protocol = PROTOCOLS.find((p) => p === (match[2] ?? 'tcp'));
  if (!protocol) return fail('must use the protocol tcp, udp or sctp');
  const ports: ExposedPort[] = [];
  for (let port = range.start; port <= range.end; port++) ports.push({ port, protocol });
  return ok(ports);
}

const UNITS_NS: [string, number][] = [
  ['h', 3_600_000_000_000],
  ['m', 60_000_000_000],
  ['s', 1_000_000_000],
  ['ms', 1_000_000],
  ['us', 1_000],
  ['µs', 1_000],
  ['ns', 1],
];

/** A Go-style duration (`1m30s`, `500ms`, `1.5h`), as compose takes it, in nanoseconds. */
export function durationNs(text: string): Parsed<number> {
  const hint = 'must be a duration such as 30s, 1m30s or 500ms';
  if (!/^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/.test(text)) return fail(hint);
  let total = 0;
  let lastUnit = -1;
  for (const [, amount = '', unit = ''] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    const index = UNITS_NS.findIndex(([name]) => name === unit);
    // Go and compose take each unit once, largest first: "30s1m" is a typo, not 90 seconds.
    if (index <= lastUnit || (unit === 'µs' && UNITS_NS[lastUnit]?.[0] === 'us')) return fail(hint);
    lastUnit = index;
    total += Number(amount) * (UNITS_NS[index]?.[1] ?? 0);
  }
  const ns = Math.round(total);
  if (!Number.isSafeInteger(ns)) return fail('is too long');
  return ok(ns);
}

/**
 * Splits a command written as one string into arguments the way a POSIX shell
 * (and docker-compose, through shlex) does: blanks separate, single quotes
 * keep everything, double quotes keep everything but `\"` and `\\`, a
 * backslash outside quotes escapes the next character. No expansion happens.
 */
export function shellWords(text: string): Parsed<string[]> {
  const words: string[] = [];
  // `inWord` tells an empty quoted argument ("") from no argument at all.
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\'))
        word += text.charAt(++i);
      else word += char;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (char === "'" || char === '"') quote = char;
      else if (char === '\\') word += text.charAt(++i);
      else word += char;
    }
  }
  if (quote) return fail(`has an unclosed ${quote === "'" ? 'single' : 'double'} quote`);
  if (inWord) words.push(word);
  return ok(words);
}
