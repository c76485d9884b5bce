/**
 * How the app should be reachable, from the request's words: "behind a load balancer", "expose it
 * on a NodePort", "publicly at shop.example.com" (Ingress), "internal only", "headless".
 */
import type { Exposure } from '../spec.js';

export function findExposure(text: string): Exposure | undefined {
  const host = /\b(?:at|on|via|under)\s+(?:the\s+)?(?:host(?:name)?\s+|domain\s+)?["'`]?((?:[a-z0-9-]+\.)+[a-z]{2,})["'`]?/i.exec(text)?.[1];
  if (/\bingress\b/i.test(text) || (host && /\b(?:https?|public(?:ly)?|internet|domain|host(?:name)?)\b/i.test(text))) {
    const path = /\bpath\s*(?:of|:|=)?\s*["'`]?(\/[\w./-]*)/i.exec(text)?.[1];
    return { type: 'ingress', host, path, tls: /\b(?:tls|https|certificate)\b/i.test(text) ? true : undefined };
  }
  if (/\b(?:behind|with|through|via|using|on|as)\s+(?:an?\s+)?(?:external\s+)?load[- ]?balancer\b|\bLoadBalancer\b/i.test(text)) return { type: 'loadbalancer' };
  if (/\bNodePort\b|\bnode port\b/i.test(text)) return { type: 'nodeport' };
  if (/\bheadless\b/i.test(text)) return { type: 'headless' };
  if (/\b(?:internal(?:ly)?|inside the cluster|cluster[- ]internal|ClusterIP)\b/i.test(text)) return { type: 'internal' };
  // "exposes the container port 10027" or a hostPort is about the container, not a Service.
  if (/\bexpose[sd]?\s+(?:the\s+|a\s+)?container\b|\bhost ?port\b/i.test(text)) return undefined;
  if (/\bexpose[sd]?\b|\breachable\b|\baccessible\b/i.test(text)) return { type: /\bpublic(?:ly)?|\bexternal(?:ly)?|\binternet\b|\boutside\b/i.test(text) ? 'loadbalancer' : 'internal' };
  return undefined;
}

/** "highly available", "HA", "survive a node failure", "no single point of failure". */
export function wantsHighAvailability(text: string): boolean {
  return /\bhighly[- ]available\b|\bhigh[- ]availability\b|\b(?:in|as|for) HA\b|\bHA\b(?! ?proxy)|\bfault[- ]tolerant\b|\bsurvive\b[^.]*\b(?:node|zone) (?:failure|loss|outage)|\bno single point of failure\b|\bresilient\b|\bredundan(?:t|cy)\b/i.test(text);
}

/** "autoscale between 2 and 10 replicas at 70% CPU". */
export function findAutoscale(text: string): { minReplicas?: number; maxReplicas?: number; cpuUtilization?: number } | undefined {
  if (!/\bauto[- ]?scal|\bHPA\b|\bscale (?:automatically|with (?:load|traffic|cpu))/i.test(text)) return undefined;
  const between = /\bbetween\s+(\d+)\s+and\s+(\d+)\b|\bfrom\s+(\d+)\s+to\s+(\d+)\b/i.exec(text);
  const max = /\b(?:up to|max(?:imum)?(?: of)?)\s+(\d+)\b/i.exec(text);
  const min = /\b(?:at least|min(?:imum)?(?: of)?)\s+(\d+)\b/i.exec(text);
  const cpu = /(\d+)\s*%\s*(?:average\s+)?cpu|\bcpu\b[^.]*?(\d+)\s*%/i.exec(text);
  return {
    minReplicas: between ? Number(between[1] ?? between[3]) : min ? Number(min[1]) : undefined,
    maxReplicas: between ? Number(between[2] ?? between[4]) : max ? Number(max[1]) : undefined,
    cpuUtilization: cpu ? Number(cpu[1] ?? cpu[2]) : undefined,
  };
}
