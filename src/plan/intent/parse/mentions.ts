/**
 * Which Kubernetes objects a request asks to create, in the order it names them, with the names
 * it gives them. A kind counts as requested when a sentence asks for it ("create a Deployment",
 * "we need a Service named x", "a PDB my-pdb"); "the ConfigMap", "uses an existing PVC", "from
 * the PVC kettle-data" and "do not create the secret" only refer to objects and add nothing.
 */
import { KINDS } from '../k8s/kinds.js';
import { NAME, sentences } from './text.js';

export interface KindMention {
  kind: string;
  /** Offset in the prose. */
  at: number;
  sentence: number;
  created: boolean;
  negated: boolean;
  name?: string;
}

// Upper-case abbreviations must match case-sensitively ("sa" or "pv" in prose are not kinds).
const ABBREVIATIONS = new Set(['SA', 'HPA', 'PDB', 'PVC', 'PVCs', 'PV', 'PVs', 'svc', 'SC']);

const WORD_SOURCE = KINDS.map((k) => `(${k.words})`).join('|');
const MENTION = new RegExp(`\\b(?:${WORD_SOURCE}|(SC))\\b`, 'gi');

const CREATE_VERB = /\b(?:create[sd]?|creating|define[sd]?|defining|write|writing|generate|need|needs|want|make|build|deploy(?:s|ing)?|set ?up|setup|configure|configuring|craft|design|construct|provide|produce|add|adding|establish|declare|spin up|launch|prepare|compose|give me|finish|complete|implement|specify|run(?:s|ning)?|utili[sz]es?|using|use|with|via|through)\b/i;
const REFERENCE_BEFORE = /\b(?:the|this|that|these|those|existing|given|above|aforementioned|provided|attached|same|its|their|your|my|our|current|previous|said|following|such)\s+(?:[\w."'`-]+\s+){0,3}$/i;
/** "create the Service…", "provide me with the ConfigMap…": a definite article right after a creation verb still asks for it. */
const VERB_THE = /\b(?:create|write|define|finish|complete|provide|generate|give|configure|add|craft|design|build|make)\s+(?:me\s+)?(?:with\s+)?(?:the|this)\s+(?:[\w."'`-]+\s+){0,2}$/i;
/** "route traffic to an nginx service named x", "a volume from the PVC y": the object is a target, not a request. */
const TARGET_BEFORE = /\b(?:to|from|into|onto|towards|against)\s+(?!(?:create|define|write|generate|make|build|deploy|set|configure|add|provide|use|run|establish|have|be|get|craft|design|construct|produce|launch|include|expose)\b)(?:(?:a|an|the|this|that)\s+)?(?:[\w."'`-]+\s+){0,2}$/i;
const NEGATION = /\b(?:do not|don'?t|does not|doesn'?t|without|no need to|never|not)\s+(?:\w+\s+){0,3}$/i;
/** "… in the dev namespace named x", "… in Kubernetes called y": a place phrase before the name. */
const PLACE = `(?:(?:(?:in|within|on|for)\\s+(?:the\\s+)?(?:(?:[\\w-]+\\s+)?(?:namespace|ns)(?:\\s+[\\w-]+)?|kubernetes|k8s|(?:the\\s+)?cluster)|of\\s+type\\s+\\w+|(?:yaml|yml|manifest|file|definition|config(?:uration)?|object|resource|spec)(?:\\s+file)?)\\s*,?\\s+)`;
const NAME_AFTER: readonly RegExp[] = [
  new RegExp(`^\\s+${PLACE}(?:named|called|with\\s+(?:the\\s+)?name)\\s*:?\\s*${NAME}`, 'i'),
  new RegExp(`^\\s*\\(\\s*${NAME}\\s*\\)`),
  new RegExp(`^\\s*(?:object\\s+|resource\\s+|manifest\\s+)?(?:(?:which|that)\\s+(?:is|will be|should be)\\s+)?(?:named|called|(?:with|having|has)\\s+(?:the\\s+|a\\s+)?name(?:\\s+of)?(?:\\s+(?:as|set to|being))?|name[d]?\\s*[:=]|of\\s+name|by\\s+the\\s+name(?:\\s+of)?)\\s*:?\\s*${NAME}`, 'i'),
  new RegExp(`^\\s+["'\`]([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)["'\`]`),
  /^\s+([a-z0-9]+(?:-[a-z0-9]+)+)\b(?!\s*(?:image|container|namespace|label))/,
];

function kindOf(groups: (string | undefined)[]): string | null {
  for (let i = 0; i < KINDS.length; i++) if (groups[i] !== undefined) return KINDS[i].kind;
  if (groups[KINDS.length] !== undefined) return 'StorageClass';
  return null;
}

/** Every mention of a kind in the prose, classified. */
export function kindMentions(prose: string): KindMention[] {
  const out: KindMention[] = [];
  const list = sentences(prose);
  let offset = 0;
  list.forEach((s, si) => {
    MENTION.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = MENTION.exec(s)) !== null) {
      const word = m[0];
      const kind = kindOf(m.slice(1));
      if (!kind) continue;
      if (ABBREVIATIONS.has(word.replace(/s$/, '')) || ABBREVIATIONS.has(word)) {
        if (!/^[A-Z]+s?$/.test(word) && word !== 'svc') continue;
      }
      const before = s.slice(0, m.index);
      const after = s.slice(m.index + word.length);
      // "service account" written as two words is matched above; a lone lower-case "service" in
      // "registry service" or "echo server" style phrases is prose unless it is asked for.
      const lowerGeneric = kind === 'Pod' || ((kind === 'Service' || kind === 'Secret' || kind === 'Role' || kind === 'Job' || kind === 'Namespace') && word[0] === word[0].toLowerCase());
      const named = NAME_AFTER.map((re) => re.exec(after)).find((x) => x !== null);
      const negated = NEGATION.test(before);
      const referenced = /\b(?:use|uses|using|with)\s+(?:the\s+)?["'`][a-z0-9][\w.-]*["'`]\s+$/i.test(before) || /\b(?:on|using|via|through|with the|from)\s+(?:[\w."'`-]+\s+){0,2}$/i.test(before) && !/\b(?:a|an)\s+(?:[\w."'`-]+\s+){0,2}$/i.test(before) ? true : (REFERENCE_BEFORE.test(before) && !/\b(?:a|an)\s+(?:[\w.-]+\s+){0,2}$/i.test(before) && !VERB_THE.test(before)) || TARGET_BEFORE.test(before);
      const verb = CREATE_VERB.test(before);
      let created = !negated && !referenced && (verb || named !== undefined);
      if (lowerGeneric && !named && !/\b(?:a|an|one|new)\s+(?:k8s\s+|kubernetes\s+|headless\s+|nodeport\s+|loadbalancer\s+|clusterip\s+)?$/i.test(before)) created = false;
      if (kind === 'Namespace' && !/\b(?:a|an|new)\s+$/i.test(before)) created = false;
      // "…with 10Gi capacity, access mode RWO, storage class manual": a kind named inside an attribute
      // list of an object created earlier in the sentence describes that object, it is not another one.
      const prev = out.filter((x) => x.sentence === si && x.created).pop();
      if (created && prev && !named?.[0].match(/named|called|name/i) && !/\b(?:a|an|new|another)\s+(?:[\w-]+\s+)?$/i.test(before) && !/(?:&|\band)\s*$/i.test(before) && !CREATE_VERB.test(s.slice(prev.at - offset, m.index))) created = false;
      out.push({ kind, at: offset + m.index, sentence: si, created, negated, name: named?.[1] });
    }
    offset += s.length + 1;
  });
  return out;
}

export interface RequestedObject {
  kind: string;
  name?: string;
  /** Sentence indexes that talk about this object (from its first creation mention to the next object's). */
  sentenceFrom: number;
  sentenceTo: number;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod']);
/** Objects others depend on come first, as in hand-written manifests (and as `kubectl apply -f` needs). */
const FOUNDATION = new Set(['Namespace', 'ServiceAccount', 'ConfigMap', 'Secret', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Role', 'ClusterRole', 'PriorityClass']);

/** "The name of the job has to be 'example'", "you can call it simple-sa", "all names should be mysql". */
const NAME_SENTENCES: readonly RegExp[] = [
  new RegExp(`\\bname of (?:the|this|that|your)\\s+(?:k8s\\s+|kubernetes\\s+)?([\\w ]+?)\\s+(?:has to|should|must|will|shall|needs to)?\\s*(?:be|is)\\s+${NAME}`, 'i'),
  new RegExp(`\\b(?:call|name)\\s+(?:it|this|them)\\s+(?:as\\s+)?${NAME}`, 'i'),
  new RegExp(`\\b(?:its|the)\\s+name\\s+(?:is|should be|has to be|must be|will be)\\s+${NAME}`, 'i'),
];
const ALL_NAMES = new RegExp(`\\ball (?:potential |the |possible |of the )*names? (?:should|must|shall|will) be ${NAME}`, 'i');

export interface Requested {
  objects: RequestedObject[];
  mentions: KindMention[];
  negatedKinds: Set<string>;
  /** "All potential names should be mysql". */
  defaultName?: string;
}

/** Requested objects in order; one per kind unless the request names two of the same kind. */
/** A sentence describing YAML the request quotes ("Given the following YAML that defines a PV…"). */
const DESCRIBES_QUOTED = /\b(?:given|following|below|above|attached|provided|here is|here's|i have|existing|current(?:ly)?|deployed)\b/i;

export function requestedObjects(prose: string, quotedKinds: ReadonlySet<string> = new Set()): Requested {
  const list = sentences(prose);
  const mentions = kindMentions(prose).map((m) => (m.created && quotedKinds.has(m.kind) && DESCRIBES_QUOTED.test(list[m.sentence]) && !new RegExp(`\\b(?:create|write|define|generate|add)\\s+(?:a|an|the|another|new)\\s+(?:\\w+\\s+)?${m.kind.replace(/([a-z])([A-Z])/g, '$1 ?$2')}s?\\b`, 'i').test(list[m.sentence]) ? { ...m, created: false } : m));
  const negatedKinds = new Set(mentions.filter((m) => m.negated).map((m) => m.kind));
  let objects: RequestedObject[] = [];
  for (const m of mentions) {
    if (!m.created || negatedKinds.has(m.kind)) continue;
    const same = objects.filter((o) => o.kind === m.kind);
    const target = same.find((o) => !o.name || !m.name || o.name === m.name);
    if (target) {
      if (!target.name && m.name) target.name = m.name;
      continue;
    }
    objects.push({ kind: m.kind, name: m.name, sentenceFrom: m.sentence, sentenceTo: m.sentence });
  }
  // Pods are what workloads run and Jobs what CronJobs start: mentioning them adds no object.
  if (objects.some((o) => WORKLOADS.has(o.kind) && o.kind !== 'Pod')) objects = objects.filter((o) => o.kind !== 'Pod');
  if (objects.some((o) => o.kind === 'CronJob')) objects = objects.filter((o) => o.kind !== 'Job');
  // Nothing asked for explicitly ("the name of the job has to be…"): the kind talked about most is meant.
  if (!objects.some((o) => WORKLOADS.has(o.kind)) && objects.length === 0) {
    const counts = new Map<string, { n: number; first: KindMention }>();
    for (const m of mentions) {
      if (negatedKinds.has(m.kind) || m.kind === 'Namespace') continue;
      const c = counts.get(m.kind);
      if (c) c.n++;
      else counts.set(m.kind, { n: 1, first: m });
    }
    const best = [...counts.values()].sort((a, b) => b.n - a.n || a.first.at - b.first.at)[0];
    if (best) objects.push({ kind: best.first.kind, name: best.first.name, sentenceFrom: best.first.sentence, sentenceTo: best.first.sentence });
  }
  objects.forEach((o, i) => {
    const next = objects.slice(i + 1).find((x) => x.sentenceFrom > o.sentenceFrom);
    o.sentenceTo = next ? next.sentenceFrom - 1 : list.length - 1;
  });
  // Later mentions (even "the Deployment (kettle)") can still carry the name.
  for (const m of mentions) {
    if (!m.name || negatedKinds.has(m.kind)) continue;
    const o = objects.find((x) => x.kind === m.kind);
    if (o && !o.name) o.name = m.name;
  }
  list.forEach((s, si) => {
    for (const re of NAME_SENTENCES) {
      const m = re.exec(s);
      if (!m) continue;
      const named = m.length > 2 ? m[2] : m[1];
      const word = m.length > 2 ? m[1] : '';
      const inSentence = mentions.filter((x) => x.sentence === si).map((x) => x.kind);
      const o =
        objects.find((x) => word !== '' && new RegExp(`\\b${x.kind.replace(/([a-z])([A-Z])/g, '$1 ?$2')}`, 'i').test(word)) ??
        objects.find((x) => inSentence.includes(x.kind) && !x.name) ??
        objects.find((x) => !x.name && si >= x.sentenceFrom && si <= x.sentenceTo) ??
        objects.find((x) => !x.name);
      if (o && !o.name) o.name = named;
    }
  });
  const all = ALL_NAMES.exec(prose);
  const ordered = [...objects.filter((o) => FOUNDATION.has(o.kind)), ...objects.filter((o) => !FOUNDATION.has(o.kind))];
  return { objects: ordered, mentions, negatedKinds, defaultName: all?.[1] };
}
