/**
 * Fault taxonomy for log lines and log templates: which operational fault a message reports,
 * how bad it is, and the lines that show it. Pure and rule-based on purpose: each class is a
 * fixed set of patterns taken from the messages real software prints (kubelet, kernel,
 * systemd, nginx, the JVM, Go's runtime and net packages, Node, Envoy), so a verdict always
 * names the pattern that produced it and no log text can talk its way into another class.
 *
 * Rules are tried in order and the first match wins, most specific first: a readiness probe
 * that failed with "connection refused" is a probe failure, a DNS lookup that timed out is a
 * DNS failure, only what is left of refused or timed-out connections is `network`, and a
 * crash (panic, uncaught exception) is `crash-loop` only when its text names no cause.
 */
import type { Finding } from '../assessment.js';
import { TemplateMiner } from './miner.js';
import { screenLine, type LineFlag } from './screen.js';

export const LOG_FAULT_CLASSES = [
  'oom-kill',
  'image-pull',
  'probe-failure',
  'disk-pressure',
  'tls',
  'dns',
  'permission-denied',
  'configuration',
  'throttling',
  'dependency-down',
  'network',
  'crash-loop',
] as const;
export type LogFaultClass = (typeof LOG_FAULT_CLASSES)[number];
export type Severity = Finding['severity'];

export interface FaultRule {
  class: LogFaultClass;
  severity: Severity;
  /** Why these patterns mean this fault, and why the severity. */
  rationale: string;
  patterns: readonly RegExp[];
}

export const FAULT_RULES: readonly FaultRule[] = [
  {
    class: 'oom-kill',
    severity: 'critical',
    rationale:
      'The kernel or the kubelet killed a process for exceeding its memory limit, or a runtime could not allocate: the work in flight is lost and the process restarts.',
    patterns: [
      /\bOOMKilled\b/,
      /\bout of memory\b/i,
      /\boom[-_ ]?kill(?:ed|er|ing)?\b/i,
      /\boom_reaper\b/,
      /\bOutOfMemoryError\b/,
      /\bCannot allocate memory\b/i,
      /\bJavaScript heap out of memory\b/,
      /\bmemory cgroup out of memory\b/i,
    ],
  },
  {
    class: 'image-pull',
    severity: 'warning',
    rationale:
      'The runtime cannot fetch a container image (wrong tag, missing credentials, registry down): new pods cannot start, but running ones keep serving, so a rollout or scale-up is stuck rather than the service down.',
    patterns: [
      /\bErrImagePull\b|\bImagePullBackOff\b|\bErrImageNeverPull\b|\bInvalidImageName\b/,
      /\bFailed to pull image\b/i,
      /\bBack-off pulling image\b/i,
      /\bpull access denied\b/i,
      /\bmanifest (?:for \S+ )?(?:not found|unknown)\b/i,
      /\bfailed to resolve reference "[^"]*"/,
    ],
  },
  {
    class: 'probe-failure',
    severity: 'warning',
    rationale:
      'A liveness, readiness or startup probe failed: the pod is taken out of load balancing or restarted. One failure is a warning; a crash loop or OOM usually follows if it repeats.',
    patterns: [
      /\b(?:Liveness|Readiness|Startup) probe (?:failed|errored)\b/i,
      /\bfailed (?:liveness|readiness|startup) probe\b/i,
      /\bhealth ?-?check(?:s)? (?:failed|failing|timed out)\b/i,
      /\bUnhealthy\b.*\bprobe\b/,
    ],
  },
  {
    class: 'disk-pressure',
    severity: 'critical',
    rationale: 'A disk or inode budget is exhausted: writes fail and the kubelet starts evicting pods from the node.',
    patterns: [
      /\bno space left on device\b/i,
      /\bENOSPC\b/,
      /\bDiskPressure\b|\bNodeHasDiskPressure\b/,
      /\blow on resource: (?:ephemeral-storage|nodefs|imagefs)/i,
      /\b(?:nodefs|imagefs)\.(?:available|inodesFree)\b/,
      /\bdisk quota exceeded\b/i,
      /\bdisk (?:is )?full\b/i,
      /\bfile ?system (?:is )?full\b/i,
    ],
  },
  {
    class: 'tls',
    severity: 'critical',
    rationale:
      'A TLS handshake or certificate check failed (expired, unknown CA, wrong name): every client of that endpoint fails the same way until the certificate or trust store is fixed.',
    patterns: [
      /\bx509: /,
      /\btls: (?:handshake failure|bad certificate|unknown certificate authority|failed to verify|protocol version)/i,
      /\bremote error: tls\b/i,
      /\bSSLHandshakeException\b|\bSSLPeerUnverifiedException\b|\bCertificateExpiredException\b|\bPKIX path building failed\b/,
      /\bcertificate verify failed\b|\bcertificate (?:has )?expired\b|\bcertificate is not valid\b/i,
      /\bself[- ]signed certificate\b|\bunable to get local issuer certificate\b/i,
      /\b(?:CERT_HAS_EXPIRED|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID)\b/,
      /\bSSL_do_handshake\(\) failed\b|\bSSL routines\b.*\b(?:failed|error)\b/i,
    ],
  },
  {
    class: 'dns',
    severity: 'warning',
    rationale: 'A name did not resolve: the caller cannot reach its dependency at all, usually cluster DNS trouble or a wrong service name.',
    patterns: [
      /\bno such host\b/i,
      /\bUnknownHostException\b/,
      /\bENOTFOUND\b|\bEAI_AGAIN\b/,
      /\bTemporary failure in name resolution\b/i,
      /\bName or service not known\b/i,
      /\bcould not be resolved\b|\bHost not found\b/i,
      /\bCould not resolve (?:host(?:name)?\b|[\w-]+\.[\w.-]+)/i,
      /\bNXDOMAIN\b|\bSERVFAIL\b/,
      /\blookup \S+(?: on \S+)?: (?:.*\b)?(?:timeout|i\/o timeout|server misbehaving)\b/i,
    ],
  },
  {
    class: 'permission-denied',
    severity: 'warning',
    rationale: 'The process lacks a file permission, capability or RBAC/IAM grant: the request fails the same way every time until access is granted.',
    patterns: [
      /\bpermission denied\b/i,
      /\bEACCES\b|\bEPERM\b/,
      /\bOperation not permitted\b/i,
      /\bAccessDenied(?:Exception)?\b|\bAccessControlException\b/,
      /\bforbidden: User "[^"]*" cannot\b/,
      /\bis not authorized to perform\b/i,
      /\bavc: {1,2}denied\b/,
    ],
  },
  {
    class: 'configuration',
    severity: 'warning',
    rationale: 'The program or its pod spec is misconfigured (missing ConfigMap/Secret, bad directive, invalid value): it fails on every start, so restarting does not help.',
    patterns: [
      /\bCreateContainerConfigError\b|\bCreateContainerError\b/,
      /\b(?:configmaps?|secrets?) "[^"]+" not found\b/i,
      /\bunknown directive\b|\bconfiguration file \S+ test failed\b/i,
      /\binvalid (?:configuration|config|value for|option)\b/i,
      /\b(?:failed|unable) to (?:parse|load|read) (?:the )?(?:config|configuration|settings)\b/i,
      /\b(?:required )?environment variable \S+ (?:is )?(?:not set|missing|required)\b/i,
      /\bmissing required (?:config|configuration|setting|field|property|option|flag)\b/i,
      /\bunknown (?:flag|option|key name)\b/i,
      /\bAPPLICATION FAILED TO START\b|\bFailed to bind properties\b/,
      /\byaml: (?:unmarshal errors|line \d+)/,
    ],
  },
  {
    class: 'throttling',
    severity: 'warning',
    rationale: 'A quota or rate limit pushes back (HTTP 429, cloud API throttling, CPU quota): requests are delayed or refused, not failed for good.',
    patterns: [
      /\bToo Many Requests\b/i,
      /" 429 \d+/,
      /\brate limit(?:ed|ing)?\b.*\b(?:exceeded|reached|hit)\b|\bRate exceeded\b/i,
      /\bThrottlingException\b|\bThrottling: Rate exceeded\b|\bRequestLimitExceeded\b|\bSlowDown\b/,
      /\bclient-side throttling\b/i,
      /\blimiting (?:requests|connections), excess\b/,
      /\bCPUThrottlingHigh\b|\bcpu throttl(?:ed|ing)\b/i,
      /\b(?:quota|request limit) exceeded\b/i,
      /\bRESOURCE_EXHAUSTED\b/,
    ],
  },
  {
    class: 'dependency-down',
    severity: 'critical',
    rationale:
      'A service this one depends on is unavailable as a whole (no healthy upstream, 503, open circuit breaker, exhausted pool): the failure is elsewhere and spreads to every caller.',
    patterns: [
      /\bno healthy upstream\b|\bno live upstreams\b/i,
      /\bupstream connect error or disconnect\/reset before headers\b/,
      /\b503 Service Unavailable\b|\bService Unavailable\b/i,
      /\bcircuit ?breaker\b.*\b(?:open|OPEN)\b/i,
      /\bCommunications link failure\b/,
      /\bConnection is not available, request timed out\b|\bconnection pool (?:exhausted|timeout)\b/i,
      /\bBroker(?:s)? may not be available\b|\bNoBrokersAvailable\b/,
      /\bis the server running on host\b/i,
      /\bdependency \S+ (?:is )?(?:down|unavailable|unreachable)\b/i,
    ],
  },
  {
    class: 'network',
    severity: 'warning',
    rationale: 'A connection was refused, reset, timed out or had no route: the peer or the path to it is failing, often briefly, so a warning unless it persists.',
    patterns: [
      /\bconnection refused\b/i,
      /\bECONNREFUSED\b|\bECONNRESET\b|\bETIMEDOUT\b|\bEHOSTUNREACH\b|\bENETUNREACH\b|\bEPIPE\b/,
      /\bconnection reset by peer\b/i,
      /\b(?:connection|connect|read|write|operation|request|handshake) timed out\b|\btimed out while\b/i,
      /\bi\/o timeout\b|\bcontext deadline exceeded\b/i,
      /\b(?:Socket|Connect)TimeoutException\b|\bConnectException\b|\bNoRouteToHostException\b/,
      /\bno route to host\b|\bnetwork is unreachable\b|\bhost is unreachable\b/i,
      /\bbroken pipe\b/i,
      /\bupstream timed out\b/,
    ],
  },
  {
    class: 'crash-loop',
    severity: 'critical',
    rationale:
      'The process died on its own (panic, uncaught exception, segfault) or is being restarted over and over: the service has no or fewer replicas until the cause is fixed.',
    patterns: [
      /\bCrashLoopBackOff\b/,
      /\bBack-off restarting failed container\b/i,
      /\bStart request repeated too quickly\b/,
      /\bScheduled restart job, restart counter is at \d+/,
      /\bMain process exited, code=(?:dumped|killed|exited), status=(?!0\/SUCCESS)/,
      /\bFailed with result '(?:exit-code|signal|core-dump|watchdog)'/,
      /(?:^|\s)panic: /,
      /\bfatal error: /,
      /\bException in thread "[^"]*"/,
      /\bUncaught (?:exception|Error|TypeError|ReferenceError)\b/,
      /\bunhandled(?:Promise)?Rejection\b|\bUnhandled promise rejection\b/i,
      /\bSegmentation fault\b|\bsegfault at\b|\bSIGSEGV\b|\bcore dumped\b/,
      /\bTraceback \(most recent call last\)/,
    ],
  },
];

export interface LineClassification {
  class: LogFaultClass;
  severity: Severity;
  /** The pattern that matched, as written in FAULT_RULES. */
  pattern: string;
}

/** Classify one message's text (a raw line or a template). Null when no rule matches. */
export function classifyText(text: string): LineClassification | null {
  for (const rule of FAULT_RULES)
    for (const re of rule.patterns) if (re.test(text)) return { class: rule.class, severity: rule.severity, pattern: re.source };
  return null;
}

/**
 * Classify a mined template: its variables are blanked first, so a parameter value (a host
 * named `oom-test`, a user named `denied`) never decides the class, only the constant text.
 */
export function classifyTemplate(template: string): LineClassification | null {
  return classifyText(template.split('<*>').join(' '));
}

export interface LogFault {
  class: LogFaultClass;
  severity: Severity;
  /** The template of the lines, mined from this batch. */
  template: string;
  /** Up to `maxEvidence` of the lines, sanitised (one line, no control chars, bounded length). */
  evidence: string[];
  /** All lines of this template and class. */
  count: number;
  /** Some of these lines read like instructions to a reader (prompt injection): treat as data only. */
  suspicious: boolean;
  /** Why this class: the rule's rationale. */
  rationale: string;
}

export interface FlaggedLine {
  index: number;
  flags: LineFlag[];
  /** A short, sanitised excerpt, for display as quoted data. */
  excerpt: string;
}

export interface LogClassification {
  faults: LogFault[];
  /** Lines that screening flagged (injection, binary, invalid UTF-8, truncated), faulty or not. */
  flagged: FlaggedLine[];
}

export interface ClassifyOptions {
  /** Evidence lines kept per fault. */
  maxEvidence?: number;
  /** Characters kept per evidence line and excerpt. */
  maxEvidenceChars?: number;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Classify a batch of untrusted log lines: each line is screened, mined into a template and
 * matched against the taxonomy; faults are reported per (template, class) with evidence.
 */
export function classifyLogs(lines: readonly unknown[], options: ClassifyOptions = {}): LogClassification {
  const maxEvidence = options.maxEvidence ?? 5;
  const maxChars = options.maxEvidenceChars ?? 512;
  const miner = new TemplateMiner();
  const screened = lines.map((l) => screenLine(l));
  const ids = screened.map((s) => miner.add(s.text).clusterId);
  miner.finalize();

  const byKey = new Map<string, LogFault>();
  const flagged: FlaggedLine[] = [];
  for (const [i, s] of screened.entries()) {
    if (s.flags.length > 0) flagged.push({ index: i, flags: s.flags, excerpt: s.text.slice(0, maxChars) });
    // Binary junk is not a message: matching fault words inside it would be noise.
    if (s.flags.includes('binary')) continue;
    const c = classifyText(s.text);
    if (!c) continue;
    const template = miner.templateOf(ids[i]);
    const key = `${c.class}\u0000${template}`;
    let f = byKey.get(key);
    if (!f) {
      const rule = FAULT_RULES.find((r) => r.class === c.class) as FaultRule;
      byKey.set(key, (f = { class: c.class, severity: c.severity, template, evidence: [], count: 0, suspicious: false, rationale: rule.rationale }));
    }
    f.count++;
    if (f.evidence.length < maxEvidence) f.evidence.push(s.text.slice(0, maxChars));
    if (s.flags.includes('injection')) f.suspicious = true;
  }
  const faults = [...byKey.values()].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count);
  return { faults, flagged };
}
