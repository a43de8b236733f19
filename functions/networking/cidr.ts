/**
 * CIDR math for networking, in one place: parsing, normalising (host bits cleared), containment,
 * overlap, sizes and address candidates. Everything comes from ipaddr.js (parsing, strict formats)
 * and cidr-tools (containment, overlap, expansion); no module elsewhere does bit arithmetic.
 */
import type * as CidrTools from 'cidr-tools';
import type IpAddr from 'ipaddr.js';

let loaded: { ipaddr: typeof IpAddr; tools: typeof CidrTools } | undefined;

/**
 * The two libraries, loaded on first use: half the handler bundles hold this module only for the
 * schemas and serialisers beside it (a GET of a VPC checks no CIDR), and would otherwise run and
 * compile their 12 KiB at every cold start. `require` makes esbuild wrap them in a function it
 * calls on the first CIDR check, as kit/logger.ts does for Powertools.
 */
function libraries(): { ipaddr: typeof IpAddr; tools: typeof CidrTools } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= { ipaddr: require('ipaddr.js') as typeof IpAddr, tools: require('cidr-tools') as typeof CidrTools };
  return loaded;
}

export type IpVersion = 4 | 6;

export interface Cidr {
  /** Normalised: the network address (host bits cleared) and the prefix, e.g. `10.0.0.0/16`. */
  cidr: string;
  /** The network address as given before normalising was applied (`10.0.5.7` for `10.0.5.7/16`). */
  given: string;
  network: string;
  prefix: number;
  version: IpVersion;
}

/** RFC 1918 ranges: the only ones a VPC may take. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/** A strict IPv4 or IPv6 address (dotted quad for IPv4: no `10.1`, no octal, no hex). */
export function parseAddress(text: string, version?: IpVersion): { address: string; version: IpVersion } | undefined {
  if (typeof text !== 'string' || text.length > 64 || text.trim() !== text) return undefined;
  if (libraries().ipaddr.IPv4.isValidFourPartDecimal(text)) {
    if (version === 6) return undefined;
    return { address: libraries().ipaddr.IPv4.parse(text).toString(), version: 4 };
  }
  if (version !== 4 && !text.includes('.') && libraries().ipaddr.IPv6.isValid(text)) {
    return { address: libraries().ipaddr.IPv6.parse(text).toString(), version: 6 };
  }
  return undefined;
}

/**
 * Parses `address/prefix` (the prefix is required), IPv4 or IPv6, and clears the host bits.
 * Undefined when it is not a CIDR block of the asked version.
 */
export function parseCidrBlock(text: string, version?: IpVersion): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const [, addressText = '', prefixText = ''] = match;
  const address = parseAddress(addressText, version);
  if (!address) return undefined;
  if (prefixText.length > 1 && prefixText.startsWith('0')) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (address.version === 4 ? 32 : 128)) return undefined;
  const network = libraries().ipaddr.parse(address.address);
  const cleared = address.version === 4
    ? libraries().ipaddr.IPv4.networkAddressFromCIDR(`${address.address}/${prefix}`).toString()
    : libraries().ipaddr.IPv6.networkAddressFromCIDR(`${address.address}/${prefix}`).toString();
  return { cidr: `${cleared}/${prefix}`, given: network.toString(), network: cleared, prefix, version: address.version };
}

/** Whether `outer` contains all of `inner` (both CIDR blocks or addresses of the same version). */
export function cidrContains(outer: string, inner: string): boolean {
  return libraries().tools.containsCidr(outer, inner);
}

/** Whether two blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  if (!a.includes(':') !== !b.includes(':')) return false;
  return libraries().tools.overlapCidr(a, b);
}

/** Whether `cidr` is inside one of the RFC 1918 ranges. */
export function isPrivateIpv4(cidr: string): boolean {
  return PRIVATE_RANGES.some((range) => libraries().tools.containsCidr(range, cidr));
}

/** Number of addresses in an IPv4 block of this prefix. */
export function ipv4BlockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** AWS reserves five addresses per subnet: the network, the first three hosts and the broadcast. */
export const RESERVED_PER_SUBNET = 5;

/** Usable addresses of an IPv4 subnet of this prefix (AWS: 2^(32-prefix) − 5). */
export function usableAddressCount(prefix: number): number {
  return ipv4BlockSize(prefix) - RESERVED_PER_SUBNET;
}

/** A sort key that orders IPv4 blocks by network address, then prefix: `010000000000/16`. */
export function sortableCidr(cidr: string): string {
  const parsed = libraries().tools.parseCidr(cidr);
  return `${parsed.start.toString().padStart(10, '0')}/${String(parsed.prefix).padStart(3, '0')}`;
}

/**
 * The addresses of an IPv4 subnet that may be handed out, in order, skipping those in `taken`:
 * never the network address, the first three hosts (router, DNS, reserved) or the broadcast.
 */
export function* candidateAddresses(cidr: string, taken: ReadonlySet<string> = new Set()): Generator<string> {
  const block = parseCidrBlock(cidr, 4);
  if (!block) throw new Error(`${cidr} is not an IPv4 CIDR block`);
  const size = ipv4BlockSize(block.prefix);
  let index = 0;
  for (const address of libraries().tools.expandCidr(block.cidr)) {
    const reserved = index < 4 || index === size - 1;
    index += 1;
    if (!reserved && !taken.has(address)) yield address;
  }
}

/** Whether `address` (an IP) lies in `cidr`. */
export function cidrHasAddress(cidr: string, address: string): boolean {
  const parsed = parseAddress(address);
  if (!parsed) return false;
  if ((parsed.version === 6) !== cidr.includes(':')) return false;
  return libraries().tools.containsCidr(cidr, parsed.address);
}
