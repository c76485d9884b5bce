/**
 * Job and CronJob settings: schedules in words ("every minute", "every 5 minutes", "daily at
 * 2am") or cron syntax, "do not run if the previous one is still running" (Forbid), history
 * limits ("keep 0 completed jobs and 2 failed"), completions, parallelism, retries, deadlines.
 */
import type { BatchSpec } from '../spec.js';
import { NUMBER_SOURCE, parseNumber } from './numbers.js';

const NUM = NUMBER_SOURCE;

function n(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const v = parseNumber(s);
  return v !== null && Number.isInteger(v) && v >= 0 ? v : undefined;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function findSchedule(text: string): string | undefined {
  const cron = /["'`]((?:[\d*/,-]+\s+){4}[\d*/,A-Za-z-]+)["'`]/.exec(text) ?? /\bschedule\s*(?:of|:|=|is)?\s*((?:[\d*/,-]+\s+){4}[\d*/,A-Za-z-]+)/i.exec(text);
  if (cron) return cron[1].trim();
  if (/\bevery\s+(?:single\s+|one\s+|1\s+)?minute\b|\bminutely\b|\beach minute\b|\bonce a minute\b/i.test(text)) return '*/1 * * * *';
  const mins = new RegExp(`\\bevery\\s+${NUM}\\s+minutes?\\b`, 'i').exec(text);
  if (mins && n(mins[1])) return `*/${n(mins[1])} * * * *`;
  const hours = new RegExp(`\\bevery\\s+${NUM}\\s+hours?\\b`, 'i').exec(text);
  if (hours && n(hours[1])) return `0 */${n(hours[1])} * * *`;
  if (/\bevery\s+hour\b|\bhourly\b|\bonce an hour\b/i.test(text)) return '0 * * * *';
  const at = /\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?/i.exec(text);
  let hour = 0;
  let minute = 0;
  if (at) {
    hour = Number(at[1]) % 24;
    minute = at[2] ? Number(at[2]) : 0;
    if (at[3] && /^p/i.test(at[3]) && hour < 12) hour += 12;
    if (at[3] && /^a/i.test(at[3]) && hour === 12) hour = 0;
  }
  if (/\bmidnight\b/i.test(text)) hour = 0;
  if (/\bnoon\b/i.test(text)) hour = 12;
  const day = DAYS.findIndex((d) => new RegExp(`\\b(?:every|each|on)\\s+${d}s?\\b`, 'i').test(text));
  if (day >= 0) return `${minute} ${hour} * * ${day}`;
  if (/\bevery\s+week\b|\bweekly\b/i.test(text)) return `${minute} ${hour} * * 0`;
  if (/\bevery\s+month\b|\bmonthly\b/i.test(text)) return `${minute} ${hour} 1 * *`;
  if (/\bevery\s+day\b|\bdaily\b|\bnightly\b|\bonce a day\b|\bmidnight\b/i.test(text)) return `${minute} ${hour} * * *`;
  return undefined;
}

export function findBatch(text: string): BatchSpec {
  const out: BatchSpec = {};
  const schedule = findSchedule(text);
  if (schedule) out.schedule = schedule;
  if (/\b(?:do not|don'?t|never|not)\b[^.]*\b(?:run|start)\b[^.]*\b(?:previous|prior|last|earlier)\b[^.]*\b(?:still|running|finished|complete)|\bconcurrent(?:ly)?\b[^.]*\b(?:not allowed|forbid|disallow)|\bForbid\b|\bno (?:overlapping|concurrent) runs?\b|\bskip\b[^.]*\bif\b[^.]*\bstill running\b/i.test(text)) out.concurrencyPolicy = 'Forbid';
  else if (/\breplace\b[^.]*\b(?:previous|running|current)\b|\bconcurrencyPolicy\W+Replace\b/i.test(text)) out.concurrencyPolicy = 'Replace';
  else if (/\bconcurrencyPolicy\W+Allow\b/i.test(text)) out.concurrencyPolicy = 'Allow';
  const keepOk = new RegExp(`\\b(?:keep|retain|store|save|preserve|only keep)\\s+(?:only\\s+)?(?:the\\s+(?:last|latest)\\s+)?${NUM}\\s+(?:successful|completed|succeeded|finished)\\s+jobs?`, 'i').exec(text)
    ?? /\bsuccessfulJobsHistoryLimit\s*(?:of|to|=|:)?\s*(\d+)/i.exec(text);
  const keepFail = new RegExp(`\\b(?:keep|retain|store|save|preserve)?\\s*(?:only\\s+)?(?:and\\s+)?${NUM}\\s+failed\\s+jobs?`, 'i').exec(text)
    ?? /\bfailedJobsHistoryLimit\s*(?:of|to|=|:)?\s*(\d+)/i.exec(text);
  if (n(keepOk?.[1]) !== undefined) out.successfulJobsHistoryLimit = n(keepOk?.[1]);
  if (n(keepFail?.[1]) !== undefined) out.failedJobsHistoryLimit = n(keepFail?.[1]);
  const completions = new RegExp(`\\b(?:complete|run)\\s+${NUM}\\s+times\\b|\\bcompletions\\s*(?:of|to|=|:)?\\s*${NUM}|\\b${NUM}\\s+(?:successful\\s+)?completions\\b`, 'i').exec(text);
  const c = n(completions?.[1] ?? completions?.[2] ?? completions?.[3]);
  if (c !== undefined && c > 0) out.completions = c;
  const par = new RegExp(`\\bparallelism\\s*(?:of|to|=|:)?\\s*${NUM}|\\b${NUM}\\s+(?:pods?\\s+)?(?:in|at a time|running) parallel\\b|\\bin parallel\\s+(?:with\\s+)?${NUM}`, 'i').exec(text);
  const p = n(par?.[1] ?? par?.[2] ?? par?.[3]);
  if (p !== undefined && p > 0) out.parallelism = p;
  const retries = new RegExp(`\\bbackoffLimit\\s*(?:of|to|=|:)?\\s*${NUM}|\\bretr(?:y|ies)\\s+(?:up\\s+to\\s+|at most\\s+)?${NUM}\\s+times\\b|\\b${NUM}\\s+retries\\b`, 'i').exec(text);
  const r = n(retries?.[1] ?? retries?.[2] ?? retries?.[3]);
  if (r !== undefined) out.backoffLimit = r;
  const deadline = /\bactiveDeadlineSeconds\s*(?:of|to|=|:|as)?\s*(\d+)|\b(?:time ?out|deadline|terminate|kill(?:ed)?)\b[^.]*?\b(?:after|of|in)\s+(\d+)\s*(?:seconds|secs|s)\b/i.exec(text);
  const d = n(deadline?.[1] ?? deadline?.[2]);
  if (d !== undefined && d > 0) out.activeDeadlineSeconds = d;
  const ttl = /\bttlSecondsAfterFinished\s*(?:of|to|=|:)?\s*(\d+)|\b(?:clean(?:ed)? up|delete[sd]?|remove[sd]?)\b[^.]*?\b(\d+)\s*(?:seconds|secs|s)\s+after\s+(?:it\s+)?(?:finish|complet)/i.exec(text);
  const t = n(ttl?.[1] ?? ttl?.[2]);
  if (t !== undefined) out.ttlSecondsAfterFinished = t;
  const sd = /\bstartingDeadlineSeconds\s*(?:of|to|=|:)?\s*(\d+)/i.exec(text);
  if (sd) out.startingDeadlineSeconds = Number(sd[1]);
  if (/\bsuspend(?:ed)?\b/i.test(text) && !/\bnot\s+suspend/i.test(text)) out.suspend = true;
  return out;
}
