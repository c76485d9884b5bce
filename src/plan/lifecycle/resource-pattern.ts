/**
 * Resource patterns of the policy (`service/batch-*`, `node/*`, `?` for one character). Written here because the
 * only globbing libraries in the tree are transitive dependencies, and paths-style semantics (`/` special) would be
 * wrong for resource names anyway.
 */
export function resourcePattern(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** True when `resource` matches any of `patterns`. */
export function matchesAny(resource: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => resourcePattern(p).test(resource));
}
