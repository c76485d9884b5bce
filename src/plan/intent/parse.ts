/**
 * The built-in (no-LLM) intent parser: natural-language request → IntentSpec. Deterministic and
 * fast (a few milliseconds): a cascade of phrase extractors, each owning one kind of fact. Quoted
 * manifests are kept as the base to change; injected instructions are cut out first and can add
 * nothing. Values are taken as written (even absurd ones): judging them is clarify.ts's job.
 */
import { isWorkloadKind } from './k8s/kinds.js';
import { findBatch } from './parse/batch.js';
import { splitContainers } from './parse/containers.js';
import { findEnv } from './parse/env.js';
import { findAutoscale, findExposure, wantsHighAvailability } from './parse/exposure.js';
import { findImage, imageBase } from './parse/images.js';
import { screenInjection, privilegeRequests, type InjectionFlag } from './parse/injection.js';
import { findAwsIntent } from './parse/aws.js';
import { findHostsIntent } from './parse/hosts.js';
import { findAnnotations, findLabels } from './parse/labels.js';
import { findGrowth, findVmIntent, findVmName } from './parse/proxmox.js';
import { requestedObjects, type RequestedObject } from './parse/mentions.js';
import { objectFields } from './parse/objects.js';
import { findNamespace, findPodOptions, findReplicas } from './parse/pod-options.js';
import { quotedManifests, splitCodeBlocks, type Manifest } from './parse/quoted-manifests.js';
import { findResources, findSizing } from './parse/resources.js';
import { NAME, normalise, sentences } from './parse/text.js';
import { IntentSpecSchema, type IntentAction, type IntentSpec, type IntentSpecInput, type ObjectIntentInput, type Target, type WorkloadKind } from './spec.js';

export interface ParseResult {
  spec: IntentSpec;
  /** Sentences removed as prompt injection (never used). */
  injections: InjectionFlag[];
  /** Privilege-widening asks found in the (kept) request: the hardened profile asks before granting them. */
  privilegeRequests: string[];
  /** Spec fields the request stated explicitly (the rest are defaults the planner may choose). */
  stated: string[];
}

function detectTarget(text: string): Target {
  // "add one more worker to that cluster": grows an earlier VM cluster bundle.
  if (findGrowth(text)) return 'proxmox';
  if (/\bproxmox\b|\bpve\b|\bqemu\b|\bvm ?id\b|\bfrom template\b|\btemplate\s+(?:vm\s+)?(?:id\s+)?\d+\b|\bvirtual machines?\b|\bVMs?\b/i.test(text)) return 'proxmox';
  if (/\bansible\b|\bplaybook\b|\binventory\b|\bconfigure (?:the )?hosts\b/i.test(text)) return 'ansible';
  // "install nginx on web1 and web2 (10.0.0.5, 10.0.0.6)": named machines to configure, nothing to schedule.
  if ((findHostsIntent(text)?.hosts.length ?? 0) > 0 && /\b(?:install|ensure|enable|configure|set up|harden|update)\b/i.test(text) && !/\b(?:deploy|replicas?|pods?|containers?|image|kubernetes|k8s|helm)\b/i.test(text)) return 'ansible';
  if (/\baws\b|\bec2\b|\bs3 bucket\b|\bauto ?scaling group\b|\bsecurity group\b|\bvpc\b|\blambda\b|\brds\b|\bcloudfront\b|\broute ?53\b|\bdynamodb\b/i.test(text)) return 'aws';
  return 'kubernetes';
}

function detectAction(text: string, target: Target, hasWorkload: boolean): IntentAction {
  if (/^\s*(?:please\s+)?(?:delete|remove|retire|decommission|tear down|destroy|uninstall|shut down)\b/i.test(text)) return 'retire';
  if (target === 'proxmox' && findGrowth(text)) return 'scale';
  if (/^\s*(?:please\s+)?(?:scale|resize)\b|\bscale\s+(?:\w+\s+)?(?:up|down|out|in)\s+to\b/i.test(text)) return 'scale';
  if (target === 'proxmox') return 'create-vm';
  if (target === 'ansible') return 'configure-hosts';
  if (target === 'aws') return 'deploy';
  if (/^\s*(?:please\s+)?expose\b/i.test(text)) return 'expose';
  return hasWorkload ? 'deploy' : 'configure';
}

/** Sentences about the workload: everything not owned solely by a non-workload object. */
function workloadText(list: string[], objects: RequestedObject[]): string {
  const owned = new Set<number>();
  for (const o of objects) {
    if (isWorkloadKind(o.kind)) continue;
    for (let i = o.sentenceFrom; i <= o.sentenceTo; i++) owned.add(i);
  }
  const workload = objects.find((o) => isWorkloadKind(o.kind));
  return list
    .filter((s, i) => !owned.has(i) || (workload && i >= workload.sentenceFrom && i <= workload.sentenceTo) || /\bcontainer|\bimage\b|\bmount|\benv(?:ironment)?\b|\bcommand\b|\breplicas?\b|\blabel/i.test(s) || findImage(s) !== undefined)
    .join('\n');
}

/** Whether quoted manifests are the thing to change (kept) or only context for new objects. */
function keepBase(prose: string, base: Manifest[], requested: RequestedObject[]): boolean {
  if (base.length === 0) return false;
  if (/\b(?:modify|modif(?:ied|ying)|change|update|fix|debug|correct|patch|edit|adjust|amend|improve|add(?:ing)?\s+(?:\w+\s+){0,4}(?:to|into)\b|help me\s+(?:add|configure|mount|grant|set|use|enable|make)|based on (?:the|this)|together|final yaml|in the final|include (?:them|it|these)|combine|use (?:the|these|those) (?:provided|given|attached|following|above|below))/i.test(prose)) return true;
  const baseKinds = new Set(base.map((m) => String(m.kind)));
  // Asking only for kinds the quoted YAML already has means "work on that YAML".
  return requested.length === 0 || requested.every((o) => baseKinds.has(o.kind));
}

/** Pod labels of a quoted workload manifest. */
function podTemplateLabels(m: Manifest): Record<string, string> | undefined {
  const spec = m.spec as { template?: { metadata?: { labels?: unknown } }; jobTemplate?: { spec?: { template?: { metadata?: { labels?: unknown } } } } } | undefined;
  const labels = m.kind === 'Pod' ? (m.metadata as { labels?: unknown } | undefined)?.labels : m.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template?.metadata?.labels : spec?.template?.metadata?.labels;
  if (typeof labels !== 'object' || labels === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

const stripUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;

export function parseIntent(request: string): ParseResult {
  const text = normalise(request);
  const { prose: rawProse, blocks } = splitCodeBlocks(text);
  const screened = screenInjection(rawProse);
  const prose = screened.text;
  const base = quotedManifests(blocks);
  const list = sentences(prose);
  const req = requestedObjects(prose, new Set(base.map((m) => String(m.kind))));
  const keep = keepBase(prose, base, req.objects);
  const baseKinds = new Set(keep ? base.map((m) => String(m.kind)) : []);
  // Kinds the kept YAML already has are changed in place, not created again.
  const objects = req.objects;
  const baseWorkload = keep ? base.find((m) => isWorkloadKind(String(m.kind))) : undefined;
  // With a quoted workload to change, other workload words ("completed Jobs") describe it, they add none.
  const workloadObj = baseWorkload ? undefined : objects.find((o) => isWorkloadKind(o.kind) && !baseKinds.has(o.kind));
  const target = detectTarget(prose);
  const stated: string[] = [];

  const wtext = workloadText(list, req.objects);
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.name).filter((n): n is string => !!n);
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.name).filter((n): n is string => !!n);
  const secrets = objects.filter((o) => o.kind === 'Secret').map((o) => o.name).filter((n): n is string => !!n);
  for (const m of base) {
    const n = (m.metadata as { name?: unknown } | undefined)?.name;
    if (typeof n !== 'string') continue;
    if (m.kind === 'PersistentVolumeClaim') claims.push(n);
    if (m.kind === 'ConfigMap') configMaps.push(n);
    if (m.kind === 'Secret') secrets.push(n);
  }
  const split = splitContainers(wtext, { claims, configMaps, secrets });
  // A StatefulSet needs a headless governing Service: a quoted one is that Service (kept, and its
  // name and selector are the StatefulSet's serviceName and pod labels).
  const governing = !keep && workloadObj?.kind === 'StatefulSet' ? base.find((m) => m.kind === 'Service' && (m.spec as { clusterIP?: unknown } | undefined)?.clusterIP === 'None') : undefined;
  const kindGuess = workloadObj?.kind ?? (baseWorkload ? String(baseWorkload.kind) : undefined);
  const labels = findLabels(wtext, kindGuess === 'DaemonSet' ? 'name' : 'app');
  const governingSelector = (governing?.spec as { selector?: unknown } | undefined)?.selector;
  if (governing && Object.keys(labels).length === 0 && typeof governingSelector === 'object' && governingSelector !== null) {
    for (const [k, v] of Object.entries(governingSelector)) if (typeof v === 'string') labels[k] = v;
  }
  const podOpts = findPodOptions(wtext);
  const annotations = findAnnotations(wtext);
  // "uses the above Service Account": the one this request creates.
  const saObject = objects.find((o) => o.kind === 'ServiceAccount' && o.name);
  if (!podOpts.serviceAccountName && saObject && /\b(?:uses?|using|with|run(?:s)? as|under)\s+(?:the\s+)?(?:above|aforementioned|same|created|previous|new|this|that|said)?\s*(?:service ?account|SA)\b/i.test(wtext)) podOpts.serviceAccountName = saObject.name;
  const namespace = findNamespace(prose);
  const replicas = findReplicas(wtext);
  const sizing = findSizing(wtext);
  const exposure = findExposure(wtext);
  const ha = wantsHighAvailability(prose);
  const autoscale = findAutoscale(wtext);
  // What the app is, when no image says it ("a web server"): clarify offers matching images.
  const role = /\b(web ?server|website|static site|reverse proxy|database|sql database|cache|message queue|queue|message broker)\b/i.exec(prose);
  // Sentence punctuation is not part of a template name ("from template 100.").
  const template = /\btemplate\s+(?:vm\s+)?(?:id\s+)?["'`]?([\w.-]+)/i.exec(prose)?.[1]?.replace(/[.-]+$/, '');

  const workloadKind: WorkloadKind | undefined = (workloadObj?.kind as WorkloadKind | undefined) ?? (baseWorkload ? (String(baseWorkload.kind) as WorkloadKind) : undefined);
  // Something runs when a workload kind is asked for, when nothing else is, or when the request
  // deploys/runs an image next to other objects ("deploy nginx … with an Ingress").
  const hasWorkload = workloadKind !== undefined || (objects.length === 0 && !keep && target === 'kubernetes') || (!!split.main.image && !keep && /\b(?:deploy|run|launch|spin up|host)\b/i.test(prose));
  const batch = workloadKind === 'Job' || workloadKind === 'CronJob' ? findBatch(wtext) : undefined;

  // The app's name: the one given to the workload, a blanket "all names should be x", an explicit
  // "called x", then the conventional app label, then the image.
  const called = new RegExp(`\\b(?:called|named|name(?:d)? it|call it)\\s+${NAME}`, 'i').exec(wtext)?.[1] ?? new RegExp(`\\b(?:deploy|run|launch|start|create)\\s+\\S+\\s+as\\s+(?:an?\\s+app\\s+)?(?:named\\s+)?${NAME}`, 'i').exec(wtext)?.[1]
    ?? new RegExp(`\\b(?:replicas|copies|instances)\\s+of\\s+(?:the\\s+)?${NAME}(?=\\s|$|[,.])`, 'i').exec(wtext)?.[1];
  const image = split.main.image;
  // "…for the game-demo application": the app every object belongs to.
  const appName = new RegExp(`\\bfor\\s+(?:the|an?|my|our)\\s+${NAME}\\s+(?:application|app|service|project|website|site|system)\\b`, 'i').exec(prose)?.[1];
  let name = workloadObj?.name ?? req.defaultName;
  if (name) stated.push('name');
  name ??= appName ?? labels.app ?? labels.name ?? (workloadObj || !objects.length ? called : undefined) ?? (image ? imageBase(image).toLowerCase().replace(/[^a-z0-9-]/g, '-') : undefined);
  const containerName = split.main.name ?? (req.defaultName && !split.main.name ? req.defaultName : undefined);

  const kObjects: ObjectIntentInput[] = [];
  for (const o of objects) {
    if (isWorkloadKind(o.kind) && o === workloadObj) continue;
    if (isWorkloadKind(o.kind)) continue;
    const scope = list.slice(o.sentenceFrom, o.sentenceTo + 1).join('\n');
    const fields = stripUndefined(objectFields(o.kind, scope, baseKinds.has(o.kind)));
    // A Service, budget, policy or autoscaler for a quoted workload selects that workload's pods.
    const quotedWorkload = base.find((m) => isWorkloadKind(String(m.kind)));
    if (quotedWorkload && !keep) {
      const tl = podTemplateLabels(quotedWorkload);
      if ((o.kind === 'Service' || o.kind === 'PodDisruptionBudget' || o.kind === 'NetworkPolicy') && !fields.selector && tl) fields.selector = tl;
      if (o.kind === 'HorizontalPodAutoscaler' && !fields.target) {
        fields.target = String((quotedWorkload.metadata as { name?: unknown } | undefined)?.name ?? '');
        fields.targetKind = String(quotedWorkload.kind);
      }
    }
    // A claim meant to bind to a quoted PersistentVolume needs the volume's storage class.
    if (o.kind === 'PersistentVolumeClaim' && fields.storage && !fields.storage.storageClass) {
      const pv = base.find((m) => m.kind === 'PersistentVolume');
      const cls = (pv?.spec as { storageClassName?: unknown } | undefined)?.storageClassName;
      if (typeof cls === 'string') fields.storage = { ...fields.storage, storageClass: cls };
    }
    kObjects.push({ kind: o.kind, name: o.name ?? req.defaultName ?? (objects.length === 1 ? appName : undefined), ...fields, existing: baseKinds.has(o.kind) || undefined });
  }
  const workloadPosition = workloadObj ? objects.filter((o) => !isWorkloadKind(o.kind)).findIndex((o) => objects.indexOf(o) > objects.indexOf(workloadObj)) : undefined;

  const main = split.main;
  const storage = [...split.volumes];
  // The governing Service's ports are what the StatefulSet's pods serve.
  const governingPorts = ((governing?.spec as { ports?: unknown } | undefined)?.ports as { port?: unknown; targetPort?: unknown; name?: unknown }[] | undefined) ?? [];
  const ports = main.ports ?? governingPorts.filter((p) => typeof p.port === 'number').map((p) => ({ port: typeof p.targetPort === 'number' ? p.targetPort : (p.port as number), name: typeof p.name === 'string' ? p.name : undefined }));
  const env = main.env ?? findEnv(wtext);
  const resources = main.resources ?? findResources(wtext);

  // VMs are named by what the request calls them ("called web01", "a webserver", "a k3s cluster").
  const vm = target === 'proxmox' ? findVmIntent(prose, { highAvailability: ha }) : undefined;
  if (target === 'proxmox') {
    const explicit = new RegExp(`\\b(?:called|named|hostname|name (?:it|them))\\s+${NAME}`, 'i').test(prose);
    name = (explicit ? findVmName(prose) : undefined) ?? findVmName(prose) ?? name;
    if (explicit && !stated.includes('name')) stated.push('name');
  }
  if (image) stated.push('image');
  if (replicas !== undefined) stated.push('replicas');
  if (ports.length > 0) stated.push('ports');
  if (exposure) stated.push('exposure');
  if (storage.length > 0) stated.push('storage');
  if (env.length > 0) stated.push('env');
  if (Object.keys(labels).length > 0) stated.push('labels');
  if (namespace) stated.push('namespace');
  if (sizing.cores !== undefined) stated.push('cores');
  if (sizing.memoryMiB !== undefined) stated.push('memoryMiB');
  if (sizing.diskGiB !== undefined) stated.push('diskGiB');
  if (template) stated.push('template');
  if (main.command) stated.push('command');

  const input: IntentSpecInput = {
    target,
    action: detectAction(prose, target, hasWorkload),
    name,
    namespace,
    image,
    template: target === 'proxmox' ? template : undefined,
    cores: sizing.cores,
    memoryMiB: sizing.memoryMiB,
    diskGiB: sizing.diskGiB,
    replicas,
    ports,
    exposure,
    storage,
    env,
    labels,
    command: main.command,
    args: main.args,
    resources,
    probes: main.probes ?? [],
    imagePullPolicy: main.imagePullPolicy,
    postStart: main.postStart,
    preStop: main.preStop,
    containerSecurity:
      (main.addCapabilities?.length ?? 0) > 0 || main.allowPrivilegeEscalation !== undefined
        ? { addCapabilities: main.addCapabilities ?? [], allowPrivilegeEscalation: main.allowPrivilegeEscalation }
        : undefined,
    constraints: { highAvailability: ha || undefined, notes: role && !image ? [`app: ${role[1].toLowerCase()}`] : [] },
    vm,
    hosts: target === 'ansible' ? findHostsIntent(prose) : undefined,
    aws: target === 'aws' ? findAwsIntent(prose) : undefined,
    kubernetes:
      target === 'kubernetes'
        ? {
            workloadKind,
            hasWorkload,
            containerName,
            pod: stripUndefined({ ...podOpts, sidecars: split.sidecars, initContainers: split.initContainers }),
            batch: batch && Object.keys(batch).length > 0 ? batch : undefined,
            autoscale,
            annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
            strategy: /\bRecreate\b|\brecreate strategy\b/i.test(wtext) ? 'Recreate' : /\bRollingUpdate\b|\brolling update strategy\b/i.test(wtext) ? 'RollingUpdate' : undefined,
            objects: kObjects,
            workloadPosition: workloadPosition !== undefined && workloadPosition >= 0 ? workloadPosition : undefined,
            base: keep ? base : governing ? [governing] : [],
            serviceName: typeof (governing?.metadata as { name?: unknown } | undefined)?.name === 'string' ? String((governing!.metadata as { name: string }).name) : undefined,
          }
        : undefined,
  };
  const spec = IntentSpecSchema.parse(stripUndefined(input));
  return { spec, injections: screened.flags, privilegeRequests: privilegeRequests(prose), stated };
}
