/**
 * Ports: "expose port 8080", "container port 10027", "on port 80 (with hostPort 5000)", "listens
 * on 3306", "port 80 to target port 8080", "nodePort 30080", "port 53/UDP".
 */
import type { PortSpec } from '../spec.js';
import { sentences } from './text.js';

function valid(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

export function findPorts(text: string): PortSpec[] {
  const out: PortSpec[] = [];
  for (const s of sentences(text)) {
    // "over TCP", "using UDP": the protocol for this sentence's ports.
    const proto = /\b(?:over|using|via|protocol)\s+(TCP|UDP|SCTP)\b/i.exec(s)?.[1]?.toUpperCase() as PortSpec['protocol'] | undefined;
    const before = out.length;
    const re = /\b(?:(container|host|node|target|service|http|https|tcp|udp)[ -]?)?ports?\s*(?:number\s*)?(?:of|is|=|:|on|at|to|set to)?\s*(\d{1,5})(?:\s*\/\s*(tcp|udp|sctp))?/gi;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      const n = Number(m[2]);
      if (!valid(n)) continue;
      const which = (m[1] ?? '').toLowerCase();
      const protocol = (m[3] ?? (which === 'udp' ? 'udp' : undefined))?.toUpperCase() as PortSpec['protocol'] | undefined;
      if (which === 'host') {
        const last = out[out.length - 1];
        if (last && last.hostPort === undefined) last.hostPort = n;
        else out.push({ port: n, hostPort: n });
        continue;
      }
      if (which === 'target') {
        const last = out[out.length - 1];
        if (last) last.targetPort = n;
        else out.push({ port: n, targetPort: n });
        continue;
      }
      if (which === 'node') {
        const last = out[out.length - 1];
        if (n >= 30000 && n <= 32767) {
          // A node port alone ("nodePort 30007") still belongs to the Service's (only) port.
          if (last) last.nodePort = n;
          else out.push({ port: n, nodePort: n });
        }
        continue;
      }
      if (out.some((p) => p.port === n)) continue;
      const p: PortSpec = { port: n };
      if (protocol) p.protocol = protocol;
      out.push(p);
    }
    if (proto) for (const p of out.slice(before)) p.protocol ??= proto;
    // "listens on 3306" without the word port.
    const listen = /\blisten(?:s|ing)?\s+on\s+(\d{2,5})\b/i.exec(s);
    if (listen && valid(Number(listen[1])) && !out.some((p) => p.port === Number(listen[1]))) out.push({ port: Number(listen[1]) });
    // "to container port 8080" after a service port: the target.
    const target = /\bport\s+(\d{1,5})\s+(?:to|->|→|forwarding to|mapped to|targeting)\s+(?:the\s+)?(?:container(?:'s)?\s+)?(?:port\s+)?(\d{1,5})/i.exec(s);
    if (target) {
      const p = out.find((x) => x.port === Number(target[1]));
      const t = Number(target[2]);
      if (p && valid(t)) {
        p.targetPort = t;
        const dup = out.findIndex((x) => x !== p && x.port === t);
        if (dup >= 0) out.splice(dup, 1);
      }
    }
  }
  return out;
}
