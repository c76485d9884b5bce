/**
 * The HTTP path (and port) a health-check command probes: `curl -f http://localhost:8080/healthz`,
 * `wget -qO- http://127.0.0.1/health`, ["CMD", "curl", "localhost:3000/ready"]. Only read, never run.
 */
export interface HealthUrl {
  path: string;
  port?: number;
}

const LOCAL = '(?:localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1\\])';
const WITH_SCHEME = new RegExp(`https?://${LOCAL}(?::(\\d{1,5}))?(/[^\\s'"|;&)]*)?`, 'i');
const BARE = new RegExp(`(?:^|\\s)${LOCAL}(?::(\\d{1,5}))?(/[^\\s'"|;&)]*)`, 'i');

export function healthUrlFromCommand(command: string): HealthUrl | undefined {
  const m = WITH_SCHEME.exec(command) ?? BARE.exec(command);
  if (!m) return undefined;
  const port = m[1] ? Number(m[1]) : undefined;
  const path = m[2] && m[2].length > 0 ? m[2] : '/';
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { path, port };
}
