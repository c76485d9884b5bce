/**
 * Labels: "labeled app: web", "label app=web, tier=db", "a label with the key \"name\" and value
 * \"x\"", "the key app and value kettle", "labeled with the name x" (→ name: x), "labels as \"x\""
 * (a bare value gets the conventional key: `app`, or `name` for DaemonSets as in the Kubernetes docs).
 */
import { sentences } from './text.js';

const KEY = '([a-zA-Z0-9][\\w./-]*)';
const VALUE = '["\'`]?([a-zA-Z0-9](?:[\\w.-]*[\\w])?)["\'`]?';

/** `bareKey`: the key for a value given without one ("labeled x"). */
/** "an annotation owner: team-a", "annotate it with a=b". */
export function findAnnotations(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(new RegExp(`\\bannotat(?:ion|ions|ed|e)\\s+(?:(?:it|them)\\s+)?(?:with\\s+)?(?:the\\s+)?(?:key\\s+)?["'\`]?${KEY}\\s*(?::\\s*|=)${VALUE}`, 'gi'))) out[m[1]] = m[2];
  return out;
}

export function findLabels(text: string, bareKey = 'app'): Record<string, string> {
  const out: Record<string, string> = {};
  // "one pod (app: kuard-pod)", "pods (tier=web)": labels in brackets right after the pods.
  for (const m of text.matchAll(new RegExp(`\\bpods?\\s*\\(\\s*${KEY}\\s*[:=]\\s*${VALUE}\\s*\\)`, 'gi'))) out[m[1]] = m[2];
  for (const raw of sentences(text)) {
    // "runs on nodes labeled disktype=ssd" is a node selector, not the pod's labels.
    const s = raw.replace(/\bnodes?\s+(?:that\s+are\s+)?(?:labell?ed|with\s+(?:the\s+)?labels?)\s+\S+/gi, ' ').replace(/\bannotat\w*\s+(?:\w+\s+){0,3}?[\w./-]+\s*[:=]\s*\S+/gi, ' ');
    if (!/\blabel/i.test(s)) continue;
    const from = s.slice(s.search(/\blabel/i));
    // The label clause ends where the sentence moves on to env vars, annotations, ports, images.
    const stop = from.slice(5).search(/\b(?:env(?:ironment)?|variables?|annotations?|ports?|image|command|namespace)\b/i);
    const after = stop >= 0 ? from.slice(0, stop + 5) : from;
    let m = new RegExp(`\\bkey\\s+(?:of\\s+)?["'\`]?${KEY}["'\`]?\\s+(?:and|with)\\s+(?:the\\s+|a\\s+)?value\\s+(?:of\\s+)?${VALUE}`, 'i').exec(after);
    if (m) {
      out[m[1]] = m[2];
      continue;
    }
    let found = false;
    for (const p of after.matchAll(new RegExp(`["'\`]?${KEY}\\s*(?::\\s*|=)${VALUE}`, 'g'))) {
      // Skip "image: x" or a port, which share the shape but are not labels.
      if (/^(?:image|port|name(?:space)?|replicas|https?)$/i.test(p[1]) && p[1] !== 'name') continue;
      // "using gb-frontend:v5" is an image reference, not a label.
      if (/\b(?:using|running|from|image)\s+["'`]?$/i.test(after.slice(Math.max(0, (p.index ?? 0) - 10), p.index))) continue;
      // ALL_CAPS_WITH_UNDERSCORES is an environment variable, not a label key.
      if (/^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(p[1])) continue;
      out[p[1]] = p[2];
      found = true;
    }
    if (found) continue;
    m = new RegExp(`\\blabel(?:ed|led|s)?\\s+(?:the\\s+[\\w ]+?\\s+)?(?:as|with)\\s+(?:the\\s+)?(name|app)\\s+${VALUE}`, 'i').exec(after);
    if (m) {
      out[m[1].toLowerCase()] = m[2];
      continue;
    }
    m = new RegExp(`\\blabel(?:ed|led|s)?\\s+(?:(?:should\\s+be\\s+)?(?:as|with|to)\\s+)?(?:the\\s+label\\s+)?["'\`]([a-zA-Z0-9][\\w.-]*)["'\`]`, 'i').exec(after)
      ?? new RegExp(`\\blabels?\\s+(?:(?:is|are|should be|as)\\s+)+${VALUE}`, 'i').exec(after);
    if (m && !/^(?:the|a|an|with|as|and|to|key|value)$/i.test(m[1])) out[bareKey] = m[1];
  }
  return out;
}
