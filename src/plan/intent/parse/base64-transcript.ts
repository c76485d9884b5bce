/**
 * Encodings a request shows as a shell transcript ("$ echo \"11111\" | base64" then "$ MTExMTEK"):
 * the user's own record of how their values encode (note `echo` adds a newline), reused when a
 * Secret value must be base64-encoded so it matches what they will compare against.
 */

export function base64Transcript(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/).map((l) => l.replace(/^\s*\$\s*/, '').trim());
  for (let i = 0; i < lines.length - 1; i++) {
    const m = /^echo\s+(-n\s+)?(?:"([^"]*)"|'([^']*)'|(\S+))\s*\|\s*base64\s*$/.exec(lines[i]);
    if (!m) continue;
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    const encoded = lines[i + 1];
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
    // Only trust the transcript if it really is that value's encoding.
    const expect = Buffer.from(m[1] ? value : `${value}\n`, 'utf8').toString('base64');
    if (expect === encoded) out.set(value, encoded);
  }
  return out;
}
