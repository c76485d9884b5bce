/**
 * Static addresses for planned VMs: counting up from the first address the request gives, inside
 * its subnet, and never on the API virtual IP, the load-balancer pool, the gateway or an address
 * another VM already holds. A clash makes the plan infeasible with the clash named — silently
 * skipping would hand out addresses the user did not expect.
 */
import { inRange, intToIpv4, ipv4ToInt, parseCidr, parseRange, subnetBounds, type Ipv4Range } from './ipv4.js';

export interface AddressRequest {
  /** "dhcp", a CIDR ("192.168.1.51/24") or a bare address (a /24 is assumed). Absent: DHCP. */
  first?: string;
  count: number;
  /** Names of the VMs the addresses go to, for messages. */
  names: readonly string[];
  /** Addresses already held by VMs of the plan (growing). */
  taken?: readonly string[];
  apiVip?: string;
  lbAddressPool?: string;
  gateway?: string;
}

export interface AddressPlan {
  /** "dhcp" or a CIDR per VM. */
  addresses: string[];
  problems: string[];
  notes: string[];
}

/** The cluster's own addresses are checked even with DHCP VMs: a malformed VIP or pool is an error. */
function clusterAddresses(req: AddressRequest, problems: string[]): { vip?: number; pool?: Ipv4Range; gateway?: number } {
  let vip: number | undefined;
  let pool: Ipv4Range | undefined;
  let gateway: number | undefined;
  if (req.apiVip !== undefined) {
    vip = ipv4ToInt(req.apiVip.replace(/\/\d+$/, ''));
    if (vip === undefined) problems.push(`the API virtual IP "${req.apiVip}" is not an IPv4 address`);
  }
  if (req.lbAddressPool !== undefined) {
    pool = parseRange(req.lbAddressPool);
    if (!pool) problems.push(`the load-balancer pool "${req.lbAddressPool}" is neither a "first-last" range nor a CIDR`);
  }
  if (req.gateway !== undefined) {
    gateway = ipv4ToInt(req.gateway);
    if (gateway === undefined) problems.push(`the gateway "${req.gateway}" is not an IPv4 address`);
  }
  if (vip !== undefined && pool && inRange(vip, pool)) problems.push(`the API virtual IP ${req.apiVip} lies inside the load-balancer pool ${req.lbAddressPool}: MetalLB could hand it to a Service`);
  return { vip, pool, gateway };
}

export function planAddresses(req: AddressRequest): AddressPlan {
  const problems: string[] = [];
  const notes: string[] = [];
  const { vip, pool, gateway } = clusterAddresses(req, problems);
  const first = req.first?.trim();
  if (!first || first.toLowerCase() === 'dhcp') {
    if (vip !== undefined || pool) notes.push('addresses come from DHCP: keep the API virtual IP and the load-balancer pool outside the DHCP range');
    return { addresses: Array.from({ length: req.count }, () => 'dhcp'), problems, notes };
  }
  let cidr = parseCidr(first);
  if (!cidr) {
    const bare = ipv4ToInt(first);
    if (bare === undefined) {
      problems.push(`the first VM address "${first}" is not an IPv4 address or CIDR`);
      return { addresses: [], problems, notes };
    }
    cidr = { address: bare, prefix: 24 };
    notes.push(`"${first}" has no prefix length: /24 assumed`);
  }
  const { network, broadcast } = subnetBounds(cidr);
  const taken = new Map<number, string>();
  for (const t of req.taken ?? []) {
    const n = parseCidr(t)?.address ?? ipv4ToInt(t);
    if (n !== undefined) taken.set(n, t);
  }
  const addresses: string[] = [];
  for (let i = 0; i < req.count; i++) {
    const n = cidr.address + i;
    const ip = intToIpv4(n);
    const who = req.names[i] ?? `VM ${i + 1}`;
    if (n <= network || n >= broadcast) problems.push(`${who} would get ${ip}, outside the usable addresses of ${intToIpv4(network)}/${cidr.prefix}`);
    else if (n === vip) problems.push(`${who} would get ${ip}, the API virtual IP: start the VM addresses elsewhere or choose another VIP`);
    else if (pool && inRange(n, pool)) problems.push(`${who} would get ${ip}, inside the load-balancer pool ${req.lbAddressPool}: start the VM addresses elsewhere or move the pool`);
    else if (n === gateway) problems.push(`${who} would get ${ip}, the gateway address`);
    else if (taken.has(n)) problems.push(`${who} would get ${ip}, already held by another VM`);
    addresses.push(`${ip}/${cidr.prefix}`);
  }
  if (vip !== undefined && (vip < network || vip > broadcast)) notes.push(`the API virtual IP ${req.apiVip} is outside the VMs' subnet ${intToIpv4(network)}/${cidr.prefix}: kube-vip answers ARP only on its own subnet`);
  return { addresses, problems, notes };
}
