/**
 * Health probes: "a liveness probe on /healthz port 8080", "readiness probe checking the
 * existence of file /tmp/healthy every 5 seconds", "wait 5 seconds before the first probe",
 * "tcp readiness check on port 3306".
 */
import type { ProbeSpec } from '../spec.js';
import { NUMBER_SOURCE, parseNumber } from './numbers.js';
import { sentences } from './text.js';

const NUM = NUMBER_SOURCE;

function int(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = parseNumber(s);
  return n !== null && Number.isInteger(n) ? n : undefined;
}

/** `defaultPort`: the container port a probe without one should use. */
export function findProbes(text: string, defaultPort?: number): ProbeSpec[] {
  const out: ProbeSpec[] = [];
  const list = sentences(text);
  for (const kind of ['liveness', 'readiness', 'startup'] as const) {
    const probeRe = new RegExp(`\\b${kind}(?:\\s+|-)(?:probe|check)`, 'i');
    const idx = list.findIndex((s) => probeRe.test(s));
    if (idx < 0) continue;
    // The probe's sentence and the next one ("It should wait 5 seconds before…"); when a later
    // sentence is about this probe alone ("the liveness probe has a period of 20s"), its numbers win.
    const own = list.findIndex((s, i) => i > idx && probeRe.test(s) && !/\b(?:liveness|readiness|startup)\b/i.test(s.replace(probeRe, '')));
    const scope = own >= 0 ? `${list[own]} ${list[idx]}` : list.slice(idx, idx + 2).join(' ');
    const p: ProbeSpec = { kind };
    const path = /["'`]?(\/[\w./-]*)["'`]?\s*(?:endpoint|path|url|route)|(?:endpoint|path|url|route|on|at|monitoring|checking|checks?|hits?|calls?|GET(?:\s+(?:request\s+)?to)?)\s+(?:the\s+)?["'`]?(\/[\w./-]*\w|\/)["'`]?(?!\s*file)/i.exec(scope);
    const file = /\b(?:existence of|exists?|presence of)\s+(?:the\s+)?(?:file\s+)?["'`]?(\/[\w./-]+)|\bfile\s+["'`]?(\/[\w./-]+)/i.exec(scope);
    const execCmd = /\b(?:command|exec(?:utes?|uting)?|runs?|running)\s+["'`]([^"'`]+)["'`]/i.exec(scope);
    const port = /\bport\s+(\d{1,5})\b|\bon\s+(?:this|that|the same|the container(?:'s)?)\s+port\b/i.exec(scope);
    const portNum = port?.[1] ? Number(port[1]) : defaultPort;
    if (file) p.exec = ['cat', file[1] ?? file[2]];
    else if (execCmd) p.exec = execCmd[1].split(/\s+/);
    else if (/\btcp\b/i.test(scope) && portNum !== undefined) p.tcpPort = portNum;
    else if (path) p.http = { path: path[1] ?? path[2], port: portNum ?? 80 };
    else if (portNum !== undefined) p.tcpPort = portNum;
    const every = new RegExp(`\\bevery\\s+${NUM}\\s*(?:seconds?|secs?|s)\\b|\\bperiod(?:Seconds)?\\s*(?:of|to|=|:)?\\s*${NUM}`, 'i').exec(scope);
    const delay = new RegExp(`\\b(?:wait|delay|after)\\s+(?:of\\s+)?${NUM}\\s*(?:seconds?|secs?|s)\\b[^.]*?(?:before|first|initial|start)|initial(?:\\s+delay|DelaySeconds)\\s*(?:of|to|=|:)?\\s*${NUM}`, 'i').exec(scope);
    const timeout = new RegExp(`\\btime ?out(?:Seconds)?\\s*(?:of|to|=|:|after)?\\s*${NUM}`, 'i').exec(scope);
    const failures = new RegExp(`\\b(?:after|failureThreshold\\s*(?:of|to|=|:)?)\\s*${NUM}\\s*(?:consecutive\\s+)?(?:failures|failed|attempts|tries)?`, 'i').exec(scope);
    const period = int(every?.[1] ?? every?.[2]);
    const initial = int(delay?.[1] ?? delay?.[2]);
    if (period !== undefined && period > 0) p.periodSeconds = period;
    if (initial !== undefined) p.initialDelaySeconds = initial;
    const t = int(timeout?.[1]);
    if (t !== undefined && t > 0) p.timeoutSeconds = t;
    if (failures && /failure|failed|attempt|tries|threshold/i.test(failures[0])) {
      const f = int(failures[1]);
      if (f !== undefined && f > 0) p.failureThreshold = f;
    }
    out.push(p);
  }
  return out;
}
