import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FaceLedgerError } from '../../core/errors.js';

/**
 * SSRF guard: FaceLedger fetches only the URLs an operator put in a manifest, and by default only from the
 * public internet. Addresses in these ranges are refused: unspecified, loopback, private (RFC 1918, ULA),
 * shared CGNAT, link-local (which includes cloud metadata at 169.254.169.254), multicast, reserved,
 * benchmarking and documentation ranges, and the IPv6 transition forms that could smuggle one of those
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4 — judged by the IPv4 address they carry — and Teredo).
 */
const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const BLOCKED_V6: Array<[string, number]> = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:2::', 48], // benchmarking
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const V4_RULES = BLOCKED_V4.map(([net, bits]) => [parseIPv4(net) as Uint8Array, bits] as const);
const V6_RULES = BLOCKED_V6.map(([net, bits]) => [parseIPv6(net) as Uint8Array, bits] as const);

/** True when `address` (an IPv4 or IPv6 literal) is not a public unicast address. Non-addresses are private too. */
export function isPrivateAddress(address: string): boolean {
  const v4 = parseIPv4(address);
  if (v4) return matches(v4, V4_RULES);
  const v6 = parseIPv6(address);
  if (!v6) return true;
  const embedded = embeddedIPv4(v6);
  if (embedded) return matches(embedded, V4_RULES);
  return matches(v6, V6_RULES);
}

/**
 * Resolves `hostname` and refuses it (BAD_INPUT) when any of its addresses is private; a name that does not
 * resolve is NOT_FOUND. Limitation: fetch resolves the name again when it connects, so a DNS server that
 * answers differently within the same second (DNS rebinding) is not stopped here.
 */
export async function assertPublicHost(
  hostname: string,
  resolveHost: (host: string) => Promise<string[]> = resolveAll,
): Promise<void> {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await resolveHost(host);
    } catch (err) {
      throw new FaceLedgerError('NOT_FOUND', `The host ${host} cannot be resolved.`, { cause: err });
    }
    if (addresses.length === 0) throw new FaceLedgerError('NOT_FOUND', `The host ${host} has no address.`);
  }
  const blocked = addresses.find(isPrivateAddress);
  if (blocked !== undefined) {
    const via = blocked === host ? '' : ` (it resolves to ${blocked})`;
    throw new FaceLedgerError(
      'BAD_INPUT',
      `Refusing to fetch from ${host}${via}: private, loopback and link-local addresses are not fetched unless private networks are allowed.`,
    );
  }
}

async function resolveAll(host: string): Promise<string[]> {
  const results = await lookup(host, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

function matches(address: Uint8Array, rules: ReadonlyArray<readonly [Uint8Array, number]>): boolean {
  return rules.some(([net, bits]) => net.length === address.length && prefixEqual(address, net, bits));
}

function prefixEqual(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole] ?? 0) & mask) === ((b[whole] ?? 0) & mask);
}

/** The IPv4 address an IPv6 transition address stands for: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::). */
function embeddedIPv4(v6: Uint8Array): Uint8Array | null {
  const zeros = (from: number, to: number) => v6.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 10) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12);
  if (v6[0] === 0x00 && v6[1] === 0x64 && v6[2] === 0xff && v6[3] === 0x9b && zeros(4, 12))
    return v6.slice(12);
  if (v6[0] === 0x20 && v6[1] === 0x02) return v6.slice(2, 6);
  return null;
}

export function parseIPv4(text: string): Uint8Array | null {
  if (isIP(text) !== 4) return null;
  return Uint8Array.from(text.split('.').map(Number));
}

export function parseIPv6(text: string): Uint8Array | null {
  const bare = text.split('%')[0] ?? '';
  if (isIP(bare) !== 6) return null;
  let body = bare;
  const groups: number[] = [];
  // A trailing dotted quad (::ffff:1.2.3.4) becomes the last two groups.
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  let tailGroups: number[] = [];
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (!v4) return null;
    tailGroups = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    body = body.slice(0, lastColon + 1);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const [head = '', rest] = body.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = [...parse(rest ?? ''), ...tailGroups];
  const missing = 8 - left.length - right.length;
  if (rest === undefined && missing !== 0) return null;
  groups.push(...left, ...new Array<number>(Math.max(0, missing)).fill(0), ...right);
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}
