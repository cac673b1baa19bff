import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { InvalidAllowListError } from './errors';

type IP = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [IP, number];

/** Name of the environment variable that opens blocked ranges to http jobs. */
export const HTTP_ALLOW_ENV = 'CRONIUM_HTTP_ALLOW';

/** Whether the SSRF guard lets a request connect to an address, and why. */
export interface AddressVerdict {
  /** The address as checked (canonical form). */
  address: string;
  allowed: boolean;
  /** The blocked range the address is in (`loopback`, `ipv4Mapped of private`, …), or `unicast`. */
  range: string;
  /** The allow-list entry that opened a blocked address. */
  allowedBy?: string;
}

/** Decides which addresses http jobs may connect to. */
export interface AddressPolicy {
  /** Checks one address (IPv4 or IPv6, as DNS or a URL gives it). */
  check(address: string): AddressVerdict;
  /** The allow list in canonical CIDR form. */
  readonly allow: readonly string[];
}

/**
 * Cloud instance-metadata and credential endpoints (AWS IMDS over IPv4 and IPv6, ECS task
 * credentials, EKS Pod Identity, Alibaba). They are in blocked ranges already; they are listed so
 * that an allow entry opening a whole range (say all of link-local) still leaves them shut: only an
 * entry naming the exact address (`/32`, `/128`) opens one.
 */
const METADATA_ADDRESSES: readonly IP[] = [
  [169, 254, 169, 254],
  [169, 254, 170, 2],
  [169, 254, 170, 23],
  [100, 100, 100, 200],
]
  .map((octets) => new ipaddr.IPv4(octets) as IP)
  .concat(['fd00:ec2::254', 'fd00:ec2::23'].map((a) => ipaddr.IPv6.parse(a)));

const sameAddress = (a: IP, b: IP) => a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
const isMetadata = (ip: IP) => METADATA_ADDRESSES.some((m) => sameAddress(m, ip));

const GLOBAL_UNICAST: Cidr = [ipaddr.IPv6.parse('2000::'), 3];
const within = (ip: IP, [net, bits]: Cidr) => ip.kind() === net.kind() && ip.match(net, bits);

const v4FromParts = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

/**
 * The IPv4 address an IPv6 address carries, for the forms that deliver to it: IPv4-mapped
 * (`::ffff:a.b.c.d`, what a dual-stack socket connects to as IPv4), IPv4-translated (RFC 6145),
 * IPv4-compatible (`::a.b.c.d`, deprecated), NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`).
 */
const embeddedIPv4 = (ip: ipaddr.IPv6): { via: string; v4: ipaddr.IPv4 } | undefined => {
  const p = ip.parts as [number, number, number, number, number, number, number, number];
  const zeros = (n: number) => p.slice(0, n).every((x) => x === 0);
  if (zeros(5) && p[5] === 0xffff) return { via: 'ipv4Mapped', v4: v4FromParts(p[6], p[7]) };
  if (zeros(4) && p[4] === 0xffff && p[5] === 0) return { via: 'rfc6145', v4: v4FromParts(p[6], p[7]) };
  if (zeros(6)) return { via: 'ipv4Compatible', v4: v4FromParts(p[6], p[7]) };
  if (p[0] === 0x64 && p[1] === 0xff9b && p.slice(2, 6).every((x) => x === 0)) {
    return { via: 'nat64', v4: v4FromParts(p[6], p[7]) };
  }
  if (p[0] === 0x2002) return { via: '6to4', v4: v4FromParts(p[1], p[2]) };
  return undefined;
};

/**
 * The blocked range an address is in, or undefined for an address the guard lets through. Only
 * public unicast passes: every special-purpose range ipaddr.js knows is blocked (loopback, private,
 * linkLocal, uniqueLocal, unspecified, multicast, broadcast, carrierGradeNat, reserved, teredo, …),
 * IPv6 outside 2000::/3 too, and IPv6 forms that carry an IPv4 address are judged by that address.
 */
export const blockedRangeOf = (ip: IP): string | undefined => {
  const metadata = isMetadata(ip) ? 'cloud metadata' : undefined;
  let range: string;
  if (ip.kind() === 'ipv4') {
    range = (ip as ipaddr.IPv4).range();
  } else {
    const v6 = ip as ipaddr.IPv6;
    range = v6.range();
    if (range !== 'loopback' && range !== 'unspecified') {
      const embedded = embeddedIPv4(v6);
      if (embedded) {
        const inner = blockedRangeOf(embedded.v4);
        return inner === undefined ? undefined : `${embedded.via} of ${inner}`;
      }
    }
    if (range === 'unicast' && !within(v6, GLOBAL_UNICAST)) range = 'reserved';
  }
  if (range === 'unicast') return metadata;
  return metadata ? `${range}, ${metadata}` : range;
};

/** Parses one address strictly: node's `isIP` first, so odd IPv4 notations (`0x7f.1`, `010.0.0.1`) never pass. */
const parseAddress = (text: string): IP | undefined => {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(bare) === 0) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
};

/** An IPv4-mapped IPv6 CIDR (`::ffff:a.b.c.d/120`) becomes the IPv4 CIDR it means. */
const unmapCidr = ([net, bits]: Cidr): Cidr => {
  if (net.kind() === 'ipv6' && bits >= 96 && (net as ipaddr.IPv6).isIPv4MappedAddress()) {
    return [(net as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [net, bits];
};

const formatCidr = ([net, bits]: Cidr) => `${net.toString()}/${bits}`;

/** Parses a CIDR or a bare address (taken as a single host); undefined when it is neither. */
const parseCidr = (entry: string): Cidr | undefined => {
  const slash = entry.indexOf('/');
  const address = parseAddress(slash === -1 ? entry : entry.slice(0, slash));
  if (!address) return undefined;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (slash === -1) return unmapCidr([address, max]);
  const bitsText = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > max) return undefined;
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return unmapCidr([network, bits]);
};

const parseEntries = (entries: readonly string[]): Cidr[] => {
  const bad: string[] = [];
  const parsed: Cidr[] = [];
  for (const entry of entries) {
    const cidr = parseCidr(entry.trim());
    if (cidr) parsed.push(cidr);
    else bad.push(entry);
  }
  if (bad.length) throw new InvalidAllowListError(bad);
  return parsed;
};

/**
 * Parses `CRONIUM_HTTP_ALLOW`: comma-separated CIDRs (`203.0.113.0/24`, `fd12:3456::/48`) or bare
 * addresses (one host). Blank or absent means nothing is opened.
 * @throws InvalidAllowListError listing every entry that is neither.
 * @example
 * createHttpLauncher({ events, allow: parseHttpAllowList(process.env.CRONIUM_HTTP_ALLOW) });
 */
export const parseHttpAllowList = (value: string | undefined): string[] => {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  return parseEntries(entries).map(formatCidr);
};

/**
 * The SSRF guard's address check: an address in a blocked range (see `blockedRangeOf`) is refused
 * unless an allow-list CIDR contains it (or, for IPv6 forms carrying IPv4, the IPv4 address).
 * Cloud metadata addresses open only to an allow entry naming exactly them.
 * @throws InvalidAllowListError when an allow entry is not a CIDR or an address.
 * @example
 * const policy = createAddressPolicy({ allow: ['203.0.113.0/24'] });
 * policy.check('169.254.169.254'); // { allowed: false, range: 'linkLocal, cloud metadata', … }
 */
export const createAddressPolicy = (o: { allow?: readonly string[] } = {}): AddressPolicy => {
  const allow = parseEntries(o.allow ?? []);

  const openedBy = (ip: IP): Cidr | undefined => {
    const embedded = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6)?.v4 : undefined;
    const candidates = embedded ? [ip, embedded] : [ip];
    const exact = (c: IP, [net, bits]: Cidr) => bits === (net.kind() === 'ipv4' ? 32 : 128) && sameAddress(c, net);
    const metadata = candidates.some(isMetadata);
    return allow.find((cidr) => candidates.some((c) => (metadata ? exact(c, cidr) : within(c, cidr))));
  };

  return {
    allow: allow.map(formatCidr),
    check(text) {
      const ip = parseAddress(text);
      if (!ip) return { address: text, allowed: false, range: 'not an IP address' };
      const address = ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
      const range = blockedRangeOf(ip);
      if (range === undefined) return { address, allowed: true, range: 'unicast' };
      const cidr = openedBy(ip);
      return cidr ? { address, allowed: true, range, allowedBy: formatCidr(cidr) } : { address, allowed: false, range };
    },
  };
};
