/**
 * Splits a workload description into its containers ("the first container named a … the second
 * container named b …", "an init container named x … the main container …") and reads each
 * container's image, command, ports, env, resources, probes and mounts from its own part.
 */
import type { ContainerInput, StorageSpec } from '../spec.js';
import { findCommand } from './command.js';
import { findEnv } from './env.js';
import { findImage } from './images.js';
import { findPorts } from './ports.js';
import { findProbes } from './probes.js';
import { findResources } from './resources.js';
import { findCapabilities, findPullPolicy, noPrivilegeEscalation } from './pod-options.js';
import { findVolumes, type VolumeContext } from './volumes.js';

export interface ContainerSplit {
  main: ContainerInput;
  sidecars: ContainerInput[];
  initContainers: ContainerInput[];
  /** Volumes found anywhere (mounted into the main container unless a part claims them). */
  volumes: StorageSpec[];
}

const INTRO = /\b(?:(first|second|third|fourth|main|primary|app(?:lication)?|init(?:ialization)?|sidecar|another|other|additional|helper|logging|proxy|last)\s+)?(init\s+)?containers?\b(?:\s+(?:(?:should|must|will|shall)\s+be\s+|is\s+)?(?:named|called|with (?:the )?name)\s+["'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])["'`]?|\s*\(\s*["'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])["'`]?\s*\)|\s+["'`]([a-z0-9][a-z0-9.-]*[a-z0-9])["'`]|\s+([a-z0-9]+(?:-[a-z0-9]+)+)\b(?!\s*(?:image|container))|\s+([a-z][a-z0-9]*)(?=\s+(?:using|running|based on|from)\b))?/gi;

interface Intro {
  at: number;
  role: string;
  init: boolean;
  name?: string;
}

/** Offsets inside "double-quoted" or `backticked` strings (a command's "Main container" is no intro). */
function quotedRanges(text: string): [number, number][] {
  return [...text.matchAll(/"[^"\n]*"|`[^`\n]*`/g)].map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length]);
}

function intros(text: string): Intro[] {
  const out: Intro[] = [];
  const quoted = quotedRanges(text);
  for (const m of text.matchAll(INTRO)) {
    const at = m.index ?? 0;
    if (quoted.some(([a, b]) => at > a && at < b)) continue;
    const role = (m[1] ?? '').toLowerCase();
    const init = role.startsWith('init') || m[2] !== undefined;
    const name = m[3] ?? m[4] ?? m[5] ?? m[6] ?? m[7];
    if (!role && !init && !name) continue;
    // "both containers", "the containers" (plural without a name) describe all of them.
    if (/containers\b/i.test(m[0]) && !name) continue;
    out.push({ at: m.index ?? 0, role, init, name });
  }
  return out;
}

/** postStart / preStop hooks: "a postStart hook that writes \"x\" to /f", "a preStop hook that runs \"cmd\"". */
function hooks(text: string): { postStart?: string[]; preStop?: string[]; rest: string } {
  const out: { postStart?: string[]; preStop?: string[]; rest: string } = { rest: text };
  for (const hook of ['postStart', 'preStop'] as const) {
    const re = new RegExp(`\\b${hook.replace('S', ' ?s')}\\s+(?:hook|handler)?\\s*(?:that\\s+|which\\s+|to\\s+)?(?:runs?|executes?|writes?|echoes)?\\s*(?:the\\s+command\\s+)?["'\`]([^"'\`]+)["'\`](?:\\s+to\\s+(\\/[\\w./-]*\\w))?`, 'i');
    const m = re.exec(out.rest);
    if (!m) continue;
    out[hook] = ['/bin/sh', '-c', m[2] ? `echo ${m[1]} > ${m[2]}` : m[1]];
    out.rest = out.rest.replace(m[0], ' ');
  }
  return out;
}

function containerFrom(text: string, ctx: VolumeContext, name?: string): ContainerInput & { volumes: StorageSpec[] } {
  const c: ContainerInput & { volumes: StorageSpec[] } = { volumes: [] };
  const h = hooks(text);
  if (h.postStart) c.postStart = h.postStart;
  if (h.preStop) c.preStop = h.preStop;
  text = h.rest;
  if (name) c.name = name;
  const image = findImage(text);
  if (image) c.image = image;
  const cmd = findCommand(text);
  if (cmd.command) c.command = cmd.command;
  if (cmd.args) c.args = cmd.args;
  const ports = findPorts(text).filter((p) => p.nodePort === undefined);
  if (ports.length > 0) c.ports = ports;
  const env = findEnv(text);
  if (env.length > 0) c.env = env;
  const res = findResources(text);
  if (res) c.resources = res;
  const probes = findProbes(text, ports[0]?.targetPort ?? ports[0]?.port);
  if (probes.length > 0) c.probes = probes;
  const pull = findPullPolicy(text);
  if (pull) c.imagePullPolicy = pull;
  const caps = findCapabilities(text);
  if (caps.length > 0) c.addCapabilities = caps;
  if (noPrivilegeEscalation(text)) c.allowPrivilegeEscalation = false;
  c.volumes = findVolumes(text, ctx);
  return c;
}

/** "two containers: web using nginx and sidecar using debian" — a list of name/image pairs. */
function containerList(text: string): { name: string; image: string }[] {
  const m = /\bcontainers?\s*:?\s*((?:[a-z0-9][a-z0-9-]*\s+(?:using|running|with|from|based on)\s+(?:the\s+)?(?:image\s+)?[\w./:-]*\w(?:\s+image)?(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)?){2,})/i.exec(text);
  if (!m) return [];
  return [...m[1].matchAll(/([a-z0-9][a-z0-9-]*)\s+(?:using|running|with|from|based on)\s+(?:the\s+)?(?:image\s+)?([\w./:-]*\w)/gi)].map((x) => ({ name: x[1], image: x[2] }));
}

/** "mounted at /a in the first and /b in the second": one mount path per listed container. */
function perContainerPaths(text: string): string[] {
  const m = /\b(?:at|to)\s+["'`]?(\/[\w./-]*\w)["'`]?\s+in\s+the\s+first(?:\s+(?:container|one))?\s*,?\s+and\s+(?:at\s+)?["'`]?(\/[\w./-]*\w)["'`]?\s+in\s+the\s+second/i.exec(text);
  return m ? [m[1], m[2]] : [];
}

export function splitContainers(text: string, ctx: VolumeContext): ContainerSplit {
  const listed = containerList(text);
  if (listed.length >= 2) {
    const base = containerFrom(text, ctx);
    const paths = perContainerPaths(text);
    const volumes = base.volumes.slice(0, 1);
    const shared = volumes[0];
    const cs: ContainerInput[] = listed.map((c, i) => ({ name: c.name, image: c.image, mounts: shared && paths[i] ? [{ ...shared, mountPath: paths[i] }] : [] }));
    return { main: cs[0], sidecars: cs.slice(1), initContainers: [], volumes: shared && paths.length > 0 ? [{ ...shared, mountPath: paths[0] }] : volumes };
  }
  const list = intros(text);
  const distinct = new Set(list.map((i) => i.name ?? `${i.role}:${i.init}`));
  if (list.length === 0 || distinct.size <= 1) {
    if (list[0]?.init) {
      // "…prints X and sleeps, with an init container y that…": before the intro is the main container.
      const { volumes, ...main } = containerFrom(text.slice(0, list[0].at), ctx);
      const { volumes: v2, ...init } = containerFrom(text.slice(list[0].at), ctx, list[0].name);
      if (!init.image && main.image) init.image = main.image;
      return { main, sidecars: [], initContainers: [init], volumes: [...volumes, ...v2] };
    }
    const only = containerFrom(text, ctx, list[0]?.name);
    const { volumes, ...main } = only;
    return { main, sidecars: [], initContainers: [], volumes };
  }
  const shared = text.slice(0, list[0].at);
  const parts = list.map((intro, i) => ({ intro, text: text.slice(intro.at, list[i + 1]?.at ?? text.length) }));
  // Several intros naming the same container ("container main … main container") merge.
  const merged: { intro: Intro; text: string }[] = [];
  for (const p of parts) {
    const same = merged.find((x) => (p.intro.name && x.intro.name === p.intro.name) || (!p.intro.name && x.intro.role === p.intro.role && x.intro.init === p.intro.init && p.intro.role !== ''));
    if (same) same.text += ' ' + p.text;
    else merged.push({ ...p });
  }
  const sharedC = containerFrom(shared, ctx);
  const inits: ContainerInput[] = [];
  const apps: ContainerInput[] = [];
  const volumes: StorageSpec[] = [...sharedC.volumes];
  for (const p of merged) {
    const { volumes: own, ...rest } = containerFrom(p.text, ctx, p.intro.name);
    volumes.push(...own);
    (p.intro.init ? inits : apps).push(rest);
  }
  // The part before the first container ("a DaemonSet with the nginx image…") fills gaps of the main one.
  const sharedRest: ContainerInput = { ...sharedC };
  delete (sharedRest as { volumes?: unknown }).volumes;
  const main = apps.length > 0 ? { ...sharedRest, ...stripUndefined(apps[0]) } : sharedRest;
  for (const c of apps.slice(1)) if (!c.image && /\b(?:both|all|each)\b[^.]*\bcontainers?\b[^.]*\bimage\b|\balso\b/i.test(text) && main.image) c.image = main.image;
  return { main, sidecars: apps.slice(1), initContainers: inits, volumes };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
