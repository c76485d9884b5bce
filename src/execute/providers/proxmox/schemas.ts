/**
 * zod schemas of the Proxmox VE API answers the client reads. Every answer is `{"data": …}`. PVE is
 * loose about types across versions (6.x sends `vmid` as "101" and `template` as "", 8.x sends 101
 * and 0/1), so ids and flags accept both spellings and come out as number and boolean; everything
 * else must have the documented type, so a malformed body fails naming the field.
 */
import { z } from 'zod';

/** A VMID as a number or a numeric string (PVE 6 lists VMIDs as strings). */
export const VmIdSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'a numeric VMID').transform(Number)]);

/** PVE's booleans: 0/1, "0"/"1", "" (unset) or true/false. */
export const PveBoolSchema = z
  .union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1'), z.literal(''), z.boolean()])
  .transform((v) => v === 1 || v === '1' || v === true);

const bytes = z.number().nonnegative();

/** One entry of GET /cluster/resources: a node, a guest (qemu/lxc), a storage on a node, a pool, an SDN zone… */
export const ClusterResourceSchema = z.object({
  id: z.string(),
  type: z.string(),
  node: z.string().optional(),
  status: z.string().optional(),
  name: z.string().optional(),
  vmid: VmIdSchema.optional(),
  template: PveBoolSchema.optional(),
  /** Cores (node: physical threads; guest: assigned vCPUs). */
  maxcpu: z.number().nonnegative().optional(),
  /** CPU load as a fraction of maxcpu. */
  cpu: z.number().nonnegative().optional(),
  maxmem: bytes.optional(),
  mem: bytes.optional(),
  maxdisk: bytes.optional(),
  disk: bytes.optional(),
  storage: z.string().optional(),
  /** Comma-separated content types of a storage ("images,rootdir"). */
  content: z.string().optional(),
  shared: PveBoolSchema.optional(),
  plugintype: z.string().optional(),
  pool: z.string().optional(),
  tags: z.string().optional(),
});
export type ClusterResource = z.infer<typeof ClusterResourceSchema>;
export const ClusterResourceTypeSchema = z.enum(['vm', 'storage', 'node', 'sdn']);
export type ClusterResourceType = z.infer<typeof ClusterResourceTypeSchema>;

/** GET /nodes: offline nodes carry no load figures, hence the optionals. */
export const NodeSummarySchema = z.object({
  node: z.string(),
  status: z.string(),
  cpu: z.number().nonnegative().optional(),
  maxcpu: z.number().nonnegative().optional(),
  mem: bytes.optional(),
  maxmem: bytes.optional(),
  uptime: z.number().nonnegative().optional(),
});
export type NodeSummary = z.infer<typeof NodeSummarySchema>;

/** GET /nodes/{node}/qemu. */
export const QemuSummarySchema = z.object({
  vmid: VmIdSchema,
  name: z.string().optional(),
  status: z.string(),
  template: PveBoolSchema.optional(),
  cpus: z.number().nonnegative().optional(),
  maxmem: bytes.optional(),
  mem: bytes.optional(),
  maxdisk: bytes.optional(),
  tags: z.string().optional(),
});
export type QemuSummary = z.infer<typeof QemuSummarySchema>;

/**
 * GET /nodes/{node}/qemu/{vmid}/config. Disks and NICs are numbered keys (scsi0, net1…), so unknown
 * keys are kept; the fields we read are typed. `memory` became a property string in PVE 8.1.
 */
export const VmConfigSchema = z
  .object({
    name: z.string().optional(),
    cores: z.number().int().positive().optional(),
    sockets: z.number().int().positive().optional(),
    memory: z.union([z.number().nonnegative(), z.string()]).optional(),
    template: PveBoolSchema.optional(),
    digest: z.string().optional(),
    description: z.string().optional(),
    tags: z.string().optional(),
  })
  .catchall(z.union([z.string(), z.number(), z.boolean()]));
export type VmConfig = z.infer<typeof VmConfigSchema>;

/** GET /nodes/{node}/storage. */
export const StorageStatusSchema = z.object({
  storage: z.string(),
  type: z.string(),
  content: z.string().optional(),
  active: PveBoolSchema.optional(),
  enabled: PveBoolSchema.optional(),
  shared: PveBoolSchema.optional(),
  avail: bytes.optional(),
  used: bytes.optional(),
  total: bytes.optional(),
});
export type StorageStatus = z.infer<typeof StorageStatusSchema>;

/** A task id, e.g. UPID:pve1:002E096A:0E10F08E:6382D261:qmclone:101:root@pam: */
export const UpidSchema = z.string().regex(/^UPID:[A-Za-z0-9][A-Za-z0-9.-]*:[0-9A-Fa-f]+:/, 'a task id (UPID:node:pid:…)');

/** GET /nodes/{node}/tasks/{upid}/status. `exitstatus` is "OK" on success, the error text on failure. */
export const TaskStatusSchema = z.object({
  status: z.enum(['running', 'stopped']),
  exitstatus: z.string().optional(),
  upid: z.string().optional(),
  type: z.string().optional(),
  id: z.string().optional(),
  node: z.string().optional(),
  user: z.string().optional(),
  starttime: z.number().optional(),
  endtime: z.number().optional(),
});
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const NextIdSchema = VmIdSchema;

/** The body of an error answer: `message` (PVE ≥ 7) and per-parameter `errors` (400s). */
export const ErrorBodySchema = z.object({
  message: z.string().optional(),
  errors: z.record(z.string(), z.string()).optional(),
});

/** The envelope every /api2/json answer has. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ data });
}
