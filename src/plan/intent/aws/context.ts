/**
 * What a resource template sees while the AWS builder writes it: its own label and stated
 * attributes, and references to the other resources of the bundle. Asking for a reference to a
 * type that is not planned yet adds one (an instance profile needs a role; an ASG a launch
 * template), so the bundle is always complete.
 */
import type { HclExpr, HclNode } from '../terraform/hcl.js';

export interface PlannedResource {
  type: string;
  label: string;
  /** Human name for `name`-like arguments (the request's name, or the label with hyphens). */
  display: string;
  stated: Record<string, unknown>;
  /** Added by the builder to satisfy a reference, not asked for. */
  implied: boolean;
}

export interface BuildContext {
  readonly self: PlannedResource;
  /** Position among planned resources of the same type (0-based). */
  readonly index: number;
  readonly region: string;
  /** Stated attribute of this resource, when it is of the expected primitive kind. */
  str(key: string): string | undefined;
  num(key: string): number | undefined;
  bool(key: string): boolean | undefined;
  /** `type.label.attr` of the first planned resource of `type`, adding one if none is planned. */
  ref(type: string, attr: string): HclExpr;
  /** Same, but only when one is already planned (optional wiring). */
  refIfPlanned(type: string, attr: string): HclExpr | undefined;
  /** References to every planned resource of `type`. */
  refsAll(type: string, attr: string): HclExpr[];
  /** The n-th planned resource of `type` (wrapping around), adding one if none is planned. */
  refAt(type: string, n: number, attr: string): HclExpr;
  has(type: string): boolean;
  /** Declare a data source (once per type+label) and return `data.type.label`. */
  data(type: string, label: string, body: readonly HclNode[]): string;
  /** Declare a variable (once) and return `var.name`. */
  variable(name: string, description: string, opts?: { sensitive?: boolean; type?: string }): HclExpr;
}
