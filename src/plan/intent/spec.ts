import { z } from 'zod';

/**
 * IntentSpec: what a natural-language infrastructure request asks for, independent of how it is
 * built. The top-level fields describe the primary thing to run (an app on Kubernetes, a VM on
 * Proxmox, hosts for Ansible) so other builders (Terraform, Ansible) read the same fields; the
 * `kubernetes` block holds what only the Kubernetes builder understands (workload kind, extra
 * containers, further requested objects, manifests the request asked us to modify).
 */

export const TargetSchema = z.enum(['kubernetes', 'proxmox', 'aws', 'ansible']);
export type Target = z.infer<typeof TargetSchema>;

export const ActionSchema = z.enum(['deploy', 'expose', 'scale', 'create-vm', 'configure-hosts', 'configure', 'retire']);
export type IntentAction = z.infer<typeof ActionSchema>;

/** DNS-1123 label: what Kubernetes names (and most VM/host names) must be. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const PortSchema = z.object({
  port: z.number().int().min(1).max(65535),
  /** Container port when it differs from the exposed one. */
  targetPort: z.number().int().min(1).max(65535).optional(),
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  hostPort: z.number().int().min(1).max(65535).optional(),
  nodePort: z.number().int().min(30000).max(32767).optional(),
});
export type PortSpec = z.infer<typeof PortSchema>;

export const ExposureSchema = z.object({
  type: z.enum(['internal', 'headless', 'nodeport', 'loadbalancer', 'ingress', 'external-name']),
  /** The request named the Service type explicitly (so ClusterIP is written out too). */
  explicitType: z.boolean().optional(),
  host: z.string().optional(),
  path: z.string().optional(),
  tls: z.boolean().optional(),
  /** ExternalName target. */
  externalName: z.string().optional(),
  /** Name for the Service, when the request gives one apart from the app's. */
  serviceName: z.string().optional(),
  ingressName: z.string().optional(),
  ingressClassName: z.string().optional(),
});
export type Exposure = z.infer<typeof ExposureSchema>;

export const VolumeSourceSchema = z.enum(['pvc', 'claim-template', 'host-path', 'empty-dir', 'config-map', 'secret', 'nfs']);
export type VolumeSource = z.infer<typeof VolumeSourceSchema>;

export const StorageSchema = z.object({
  source: VolumeSourceSchema,
  /** Volume name inside the pod. */
  name: z.string().optional(),
  /** Size as a Kubernetes quantity ("10Gi"); for VMs the disk size too. */
  size: z.string().optional(),
  mountPath: z.string().optional(),
  readOnly: z.boolean().optional(),
  accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'])).optional(),
  storageClass: z.string().optional(),
  /** PVC, ConfigMap or Secret name, host path, or NFS path depending on `source`. */
  ref: z.string().optional(),
  hostPathType: z.string().optional(),
  server: z.string().optional(),
  optional: z.boolean().optional(),
  /** Mount one key of a ConfigMap/Secret (subPath). */
  subPath: z.string().optional(),
  medium: z.string().optional(),
});
export type StorageSpec = z.infer<typeof StorageSchema>;

export const EnvSchema = z.object({
  name: z.string().min(1),
  value: z.string().optional(),
  /** Value taken from a Secret or ConfigMap key instead of a literal. */
  from: z.object({ kind: z.enum(['secret', 'config-map', 'field']), name: z.string(), key: z.string() }).optional(),
});
export type EnvVar = z.infer<typeof EnvSchema>;

/** Requests/limits as Kubernetes quantities; `cores`/`memoryMiB` at the top level are the sizing intent. */
export const ResourcesSchema = z.object({
  cpuRequest: z.string().optional(),
  cpuLimit: z.string().optional(),
  memoryRequest: z.string().optional(),
  memoryLimit: z.string().optional(),
  ephemeralRequest: z.string().optional(),
  ephemeralLimit: z.string().optional(),
});
export type ResourceSpec = z.infer<typeof ResourcesSchema>;

export const ProbeSchema = z.object({
  kind: z.enum(['liveness', 'readiness', 'startup']),
  http: z.object({ path: z.string(), port: z.union([z.number().int(), z.string()]) }).optional(),
  tcpPort: z.number().int().optional(),
  exec: z.array(z.string()).optional(),
  initialDelaySeconds: z.number().int().nonnegative().optional(),
  periodSeconds: z.number().int().positive().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
});
export type ProbeSpec = z.infer<typeof ProbeSchema>;

export const ContainerSchema = z.object({
  name: z.string().optional(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  ports: z.array(PortSchema).default([]),
  env: z.array(EnvSchema).default([]),
  resources: ResourcesSchema.optional(),
  mounts: z.array(StorageSchema).default([]),
  probes: z.array(ProbeSchema).default([]),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  workingDir: z.string().optional(),
  /** Linux capabilities the request explicitly asks to add (reviewed by the rules, never added on our own). */
  addCapabilities: z.array(z.string()).default([]),
  allowPrivilegeEscalation: z.boolean().optional(),
  runAsUser: z.number().int().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  privileged: z.boolean().optional(),
  /** Lifecycle hooks as exec commands. */
  postStart: z.array(z.string()).optional(),
  preStop: z.array(z.string()).optional(),
});
export type ContainerSpec = z.infer<typeof ContainerSchema>;
export type ContainerInput = z.input<typeof ContainerSchema>;

export const WorkloadKindSchema = z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod']);
export type WorkloadKind = z.infer<typeof WorkloadKindSchema>;

/** Pod-level settings beyond the main container. */
export const PodSchema = z.object({
  /** Containers after the main one (sidecars). */
  sidecars: z.array(ContainerSchema).default([]),
  initContainers: z.array(ContainerSchema).default([]),
  serviceAccountName: z.string().optional(),
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  shareProcessNamespace: z.boolean().optional(),
  hostNetwork: z.boolean().optional(),
  hostPID: z.boolean().optional(),
  dnsNameservers: z.array(z.string()).optional(),
  dnsSearches: z.array(z.string()).optional(),
  dnsPolicy: z.string().optional(),
  sysctls: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  seccompRuntimeDefault: z.boolean().optional(),
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().int().optional(),
  runAsGroup: z.number().int().optional(),
  fsGroup: z.number().int().optional(),
  hostAliases: z.array(z.object({ ip: z.string(), hostnames: z.array(z.string()) })).optional(),
  imagePullSecrets: z.array(z.string()).optional(),
  /** Required node affinity: label key In values. */
  nodeAffinity: z.array(z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() })).optional(),
  terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
  priorityClassName: z.string().optional(),
  tolerations: z.array(z.object({ key: z.string().optional(), operator: z.string().optional(), value: z.string().optional(), effect: z.string().optional() })).optional(),
  hostname: z.string().optional(),
  subdomain: z.string().optional(),
  podLabels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type PodSpecIntent = z.infer<typeof PodSchema>;

/** Job and CronJob settings. */
export const BatchSchema = z.object({
  schedule: z.string().optional(),
  concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).optional(),
  successfulJobsHistoryLimit: z.number().int().nonnegative().optional(),
  failedJobsHistoryLimit: z.number().int().nonnegative().optional(),
  startingDeadlineSeconds: z.number().int().nonnegative().optional(),
  suspend: z.boolean().optional(),
  completions: z.number().int().nonnegative().optional(),
  parallelism: z.number().int().nonnegative().optional(),
  backoffLimit: z.number().int().nonnegative().optional(),
  activeDeadlineSeconds: z.number().int().positive().optional(),
  ttlSecondsAfterFinished: z.number().int().nonnegative().optional(),
});
export type BatchSpec = z.infer<typeof BatchSchema>;

export const AutoscaleSchema = z.object({
  minReplicas: z.number().int().optional(),
  maxReplicas: z.number().int().optional(),
  cpuUtilization: z.number().int().min(1).max(1000).optional(),
  memoryUtilization: z.number().int().min(1).max(1000).optional(),
});
export type AutoscaleSpec = z.infer<typeof AutoscaleSchema>;

export const PolicyRuleSchema = z.object({
  apiGroups: z.array(z.string()),
  resources: z.array(z.string()),
  verbs: z.array(z.string()),
  resourceNames: z.array(z.string()).optional(),
});

export const SubjectSchema = z.object({
  kind: z.enum(['User', 'Group', 'ServiceAccount']),
  name: z.string(),
  namespace: z.string().optional(),
});

/**
 * Another object the request asks for by kind (ConfigMap, Secret, RBAC, PV, StorageClass, quotas,
 * HPA, PDB, NetworkPolicy, or a second workload). `fields` are typed per kind by the builder's
 * readers; unknown keys are ignored there, never copied into manifests verbatim.
 */
export const ObjectIntentSchema = z.object({
  kind: z.string().min(1),
  /** The object is already in the quoted manifests: its fields are applied there instead of creating another. */
  existing: z.boolean().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  data: z.record(z.string(), z.string()).optional(),
  secretType: z.string().optional(),
  rules: z.array(PolicyRuleSchema).optional(),
  subjects: z.array(SubjectSchema).optional(),
  roleRef: z.object({ kind: z.enum(['Role', 'ClusterRole']), name: z.string() }).optional(),
  storage: StorageSchema.optional(),
  provisioner: z.string().optional(),
  parameters: z.record(z.string(), z.string()).optional(),
  reclaimPolicy: z.enum(['Retain', 'Delete', 'Recycle']).optional(),
  volumeBindingMode: z.enum(['Immediate', 'WaitForFirstConsumer']).optional(),
  allowVolumeExpansion: z.boolean().optional(),
  /** LimitRange min/max/default per resource, ResourceQuota hard limits. */
  limits: z
    .object({
      type: z.enum(['Container', 'Pod', 'PersistentVolumeClaim']).default('Container'),
      min: z.record(z.string(), z.string()).optional(),
      max: z.record(z.string(), z.string()).optional(),
      default: z.record(z.string(), z.string()).optional(),
      defaultRequest: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  hard: z.record(z.string(), z.string()).optional(),
  autoscale: AutoscaleSchema.optional(),
  /** PDB budget. */
  minAvailable: z.union([z.number().int(), z.string()]).optional(),
  maxUnavailable: z.union([z.number().int(), z.string()]).optional(),
  /** Name of the object this one targets (HPA scale target, PDB/Service selector owner, Ingress backend). */
  target: z.string().optional(),
  targetKind: z.string().optional(),
  selector: z.record(z.string(), z.string()).optional(),
  ports: z.array(PortSchema).optional(),
  exposure: ExposureSchema.optional(),
});
export type ObjectIntent = z.infer<typeof ObjectIntentSchema>;
export type ObjectIntentInput = z.input<typeof ObjectIntentSchema>;

export const KubernetesIntentSchema = z.object({
  /** Absent: the planner chooses (Deployment, or StatefulSet for per-replica storage). */
  workloadKind: WorkloadKindSchema.optional(),
  /** False when the request asks only for other objects (a ConfigMap, a Role...) and nothing runs. */
  hasWorkload: z.boolean().default(true),
  containerName: z.string().optional(),
  pod: PodSchema.prefault({}),
  batch: BatchSchema.optional(),
  autoscale: AutoscaleSchema.optional(),
  /** Requested objects other than the primary workload, in the order the request names them. */
  objects: z.array(ObjectIntentSchema).default([]),
  /** Where the primary workload sits among `objects` (index it is inserted at). */
  workloadPosition: z.number().int().nonnegative().optional(),
  /** Manifests quoted in the request that it asks us to complete or change (kept in order, changes overlaid). */
  base: z.array(z.record(z.string(), z.unknown())).default([]),
  /** Annotations on the workload object itself. */
  annotations: z.record(z.string(), z.string()).optional(),
  /** Service selector / pod labels when they differ from `labels`. */
  selector: z.record(z.string(), z.string()).optional(),
  strategy: z.enum(['RollingUpdate', 'Recreate', 'OnDelete']).optional(),
  serviceName: z.string().optional(),
  minReadySeconds: z.number().int().nonnegative().optional(),
  revisionHistoryLimit: z.number().int().nonnegative().optional(),
});
export type KubernetesIntent = z.infer<typeof KubernetesIntentSchema>;

export const ConstraintsSchema = z.object({
  /** Highly available: at least two replicas spread over nodes, with a disruption budget. */
  highAvailability: z.boolean().optional(),
  /** Node (or Proxmox node) the request pins the workload to. */
  node: z.string().optional(),
  zones: z.array(z.string()).optional(),
  /** Free-text constraints the parser recognised but no builder acts on (kept for the record). */
  notes: z.array(z.string()).default([]),
});

/** A k3s (or similar) cluster built from VMs: how many of each role, and its addresses. */
export const ClusterIntentSchema = z.object({
  distribution: z.enum(['k3s']).default('k3s'),
  controlPlanes: z.number().int().min(0).default(1),
  workers: z.number().int().min(0).default(0),
  /** Virtual IP the Kubernetes API answers on (kube-vip / keepalived). */
  apiVip: z.string().optional(),
  /** Address pool handed to the load balancer (MetalLB-style "first-last" range or a CIDR). */
  lbAddressPool: z.string().optional(),
});
export type ClusterIntent = z.infer<typeof ClusterIntentSchema>;

/** What only VM builders (Proxmox/Terraform, cloud-init) read. Sizing is the top-level cores/memoryMiB/diskGiB. */
export const VmIntentSchema = z.object({
  /** VMs of the same shape when no cluster roles are given. */
  count: z.number().int().optional(),
  /** Proxmox datastore for the disks ("local-lvm"). */
  datastore: z.string().optional(),
  /** Network bridge ("vmbr0"). */
  bridge: z.string().optional(),
  vlan: z.number().int().min(1).max(4094).optional(),
  /** "dhcp", or the first static address as a CIDR (later VMs count up from it). */
  ipv4: z.string().optional(),
  gateway: z.string().optional(),
  /** cloud-init user and public SSH keys (public keys are not secrets). */
  user: z.string().optional(),
  sshKeys: z.array(z.string()).default([]),
  /** Packages cloud-init installs on first boot. */
  packages: z.array(z.string()).default([]),
  cluster: ClusterIntentSchema.optional(),
  /** "add one more worker to that cluster": grow a previously generated bundle instead of writing a new one. */
  grow: z.object({ role: z.enum(['control-plane', 'worker', 'vm']), count: z.number().int().min(1) }).optional(),
});
export type VmIntent = z.infer<typeof VmIntentSchema>;

/** Hosts Ansible configures (when the target is existing machines rather than new VMs). */
export const HostsIntentSchema = z.object({
  hosts: z.array(z.object({ name: z.string(), address: z.string().optional(), groups: z.array(z.string()).default([]) })).default([]),
  /** Inventory group the play targets. */
  group: z.string().optional(),
  packages: z.array(z.string()).default([]),
  /** systemd services to enable and start. */
  services: z.array(z.string()).default([]),
});
export type HostsIntent = z.infer<typeof HostsIntentSchema>;

/**
 * An AWS resource the request asks for, by Terraform type ("aws_s3_bucket"), with the attributes it
 * states. The AWS builder fills required arguments and safe defaults; unknown attributes are
 * checked against the builder's schema table, never copied blindly.
 */
export const AwsResourceIntentSchema = z.object({
  type: z.string().regex(/^aws_[a-z0-9_]+$/),
  name: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export const AwsIntentSchema = z.object({
  region: z.string().optional(),
  resources: z.array(AwsResourceIntentSchema).default([]),
});
export type AwsIntent = z.infer<typeof AwsIntentSchema>;

export const IntentSpecSchema = z.object({
  target: TargetSchema,
  action: ActionSchema,
  name: z.string().optional(),
  namespace: z.string().optional(),
  image: z.string().optional(),
  /** VM template (Proxmox VMID or name). */
  template: z.string().optional(),
  cores: z.number().positive().optional(),
  memoryMiB: z.number().positive().optional(),
  diskGiB: z.number().positive().optional(),
  /** May be negative or absurd straight from the parser: clarify.ts turns that into a question. */
  replicas: z.number().int().optional(),
  ports: z.array(PortSchema).default([]),
  exposure: ExposureSchema.optional(),
  storage: z.array(StorageSchema).default([]),
  env: z.array(EnvSchema).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  resources: ResourcesSchema.optional(),
  probes: z.array(ProbeSchema).default([]),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  postStart: z.array(z.string()).optional(),
  preStop: z.array(z.string()).optional(),
  containerSecurity: z
    .object({
      addCapabilities: z.array(z.string()).default([]),
      allowPrivilegeEscalation: z.boolean().optional(),
      privileged: z.boolean().optional(),
      runAsUser: z.number().int().optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
    })
    .optional(),
  constraints: ConstraintsSchema.prefault({}),
  kubernetes: KubernetesIntentSchema.optional(),
  vm: VmIntentSchema.optional(),
  hosts: HostsIntentSchema.optional(),
  aws: AwsIntentSchema.optional(),
});
export type IntentSpec = z.infer<typeof IntentSpecSchema>;
export type IntentSpecInput = z.input<typeof IntentSpecSchema>;

