/**
 * An inventory written down as JSON (`autonomic ask --inventory FILE`): for grounding questions in
 * real options when the platform cannot be queried from here, e.g. a snapshot of a Proxmox
 * cluster's nodes and templates. Validated field by field; errors name the file and the field.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import { StaticInventory, type Inventory } from './inventory.js';

const NodeSchema = z.strictObject({
  name: z.string().min(1),
  ready: z.boolean().default(true),
  cpuAllocatableMillis: z.number().nonnegative(),
  memoryAllocatableMiB: z.number().nonnegative(),
  cpuFreeMillis: z.number().nonnegative(),
  memoryFreeMiB: z.number().nonnegative(),
});

export const InventoryFileSchema = z.strictObject({
  source: z.string().default('file'),
  nodes: z.array(NodeSchema).default([]),
  namespaces: z.array(z.string()).optional(),
  storageClasses: z.array(z.strictObject({ name: z.string(), isDefault: z.boolean().default(false) })).default([]),
  images: z.array(z.string()).default([]),
  templates: z.array(z.strictObject({ id: z.string(), name: z.string() })).default([]),
  existingNames: z.array(z.string()).default([]),
  vmIds: z.array(z.number().int().positive()).default([]),
});

export function loadInventoryFile(path: string): Inventory {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code ? `cannot read the inventory (${code})` : `the inventory is not valid JSON: ${(e as Error).message}`, path);
  }
  const r = InventoryFileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UserError(`invalid inventory at ${i.path.join('.') || '(top)'}: ${i.message}`, path);
  }
  return new StaticInventory(r.data);
}
