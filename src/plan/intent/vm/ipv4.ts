/**
 * IPv4 arithmetic for VM address planning: parse addresses, CIDRs and "first-last" ranges, count
 * up from an address, test membership. Hand-written: it is a few lines of integer maths, and the
 * project has no IP library among its dependencies.
 */

export interface Ipv4Range {
  /** First and last address as unsigned 32-bit integers, inclusive. */
  first: number;
  last: number;
  /** As written ("192.168.1.240-192.168.1.250" or "192.168.1.240/28"). */
  text: string;
}

export const IPV4_SOURCE = '(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}';
const IPV4 = new RegExp(`^${IPV4_SOURCE}$`);

/** "192.168.1.5" → integer, or undefined when it is not a dotted quad. */
export function ipv4ToInt(text: string): number | undefined {
  const t = text.trim();
  if (!IPV4.test(t)) return undefined;
  return t.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export interface Ipv4Cidr {
  address: number;
  prefix: number;
}

/** "192.168.1.51/24" → address and prefix; undefined when malformed. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const m = /^\s*([\d.]+)\/(\d{1,2})\s*$/.exec(text);
  if (!m) return undefined;
  const address = ipv4ToInt(m[1]);
  const prefix = Number(m[2]);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix };
}

/** Network and broadcast addresses of the subnet an address lives in. */
export function subnetBounds(c: Ipv4Cidr): { network: number; broadcast: number } {
  const size = 2 ** (32 - c.prefix);
  const network = Math.floor(c.address / size) * size;
  return { network, broadcast: network + size - 1 };
}

/** A MetalLB-style pool: "first-last" (spaces allowed) or a CIDR. */
export function parseRange(text: string): Ipv4Range | undefined {
  const dash = /^\s*([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(text);
  if (dash) {
    const first = ipv4ToInt(dash[1]);
    const last = ipv4ToInt(dash[2]);
    if (first === undefined || last === undefined || last < first) return undefined;
    return { first, last, text };
  }
  const cidr = parseCidr(text);
  if (!cidr) return undefined;
  const { network, broadcast } = subnetBounds(cidr);
  return { first: network, last: broadcast, text };
}

export function inRange(n: number, r: Ipv4Range): boolean {
  return n >= r.first && n <= r.last;
}
