/**
 * Which environment values must not be copied out of a repository: values of secret-looking keys,
 * and values that look like credentials whatever their key (URLs with a password, private keys,
 * JWTs, cloud access keys).
 */
const SECRET_KEY = /secret|token|passw(or)?d|pwd|key|credential|private|auth|cert/i;
const SECRET_VALUE = [/^-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, /^eyJ[\w-]+\.eyJ[\w-]+\./, /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, /^gh[pousr]_[A-Za-z0-9]{30,}$/, /^xox[abprs]-/];

export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

export function isSecretValue(value: string): boolean {
  return SECRET_VALUE.some((re) => re.test(value.trim()));
}

/** The env entry as it may appear in a profile. */
export function redactEnv(name: string, value: string | undefined): { name: string; value?: string; secret: boolean } {
  if (value === undefined) return { name, secret: isSecretKey(name) };
  if (isSecretKey(name) || isSecretValue(value)) return { name, secret: true };
  return { name, value, secret: false };
}
