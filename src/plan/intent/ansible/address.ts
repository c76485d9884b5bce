/**
 * Host names and addresses as Ansible inventories hold them: a dotted-quad IPv4 address or a DNS
 * name (labels of letters, digits and hyphens). Anything else would become an SSH target nobody
 * meant, so builders and the parser check with these before writing an inventory.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/i;

export function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** A DNS name: one or more labels, not all-numeric (that would be a malformed IPv4 address). */
export function isDnsName(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.replace(/\.$/, '').split('.');
  return labels.every((l) => LABEL.test(l)) && !labels.every((l) => /^\d+$/.test(l));
}

export function isHostAddress(s: string): boolean {
  return isIpv4(s) || isDnsName(s);
}

/** "192.168.1.51/24" → "192.168.1.51"; "dhcp" → undefined. Throws on anything that is neither. */
export function staticAddress(cidr: string, where: string): string | undefined {
  if (cidr.trim().toLowerCase() === 'dhcp') return undefined;
  const m = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m || !isIpv4(m[1]) || (m[2] !== undefined && Number(m[2]) > 32)) throw new Error(`${where}: "${cidr}" is neither "dhcp" nor an IPv4 address like 192.168.1.51/24`);
  return m[1];
}

/** A MetalLB address pool: "first-last" IPv4 range or an IPv4 CIDR. */
export function isAddressPool(s: string): boolean {
  const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(s.trim());
  if (range) return isIpv4(range[1]) && isIpv4(range[2]) && ipv4ToNumber(range[1]) <= ipv4ToNumber(range[2]);
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
  return !!cidr && isIpv4(cidr[1]) && Number(cidr[2]) <= 32;
}

function ipv4ToNumber(s: string): number {
  return s.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}
