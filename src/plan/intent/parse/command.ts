/**
 * What a container should run: quoted commands ("run the command \"while true; …\""), JSON-style
 * arrays, and common phrasings ("sleep for 3600 seconds", "print 'hi' every 10 seconds",
 * "echo X and sleep 2 seconds", "reads /config/x every 10 seconds").
 */
import { NUMBER_SOURCE, parseNumber } from './numbers.js';

/** A shell line as a container command: explicit `sh -c` kept, shell syntax wrapped, plain words split. */
export function toCommand(line: string): string[] {
  const s = line.trim();
  const shell = /^((?:\/?(?:usr\/)?bin\/)?(?:sh|bash|ash|zsh))\s+-c\s+([\s\S]+)$/.exec(s);
  if (shell) return [shell[1], '-c', shell[2].replace(/^["']|["']$/g, '')];
  if (/[;|&><$`]|\bwhile\b|\bfor\b.*\bdo\b|\bif\b.*\bthen\b/.test(s)) return ['sh', '-c', s];
  return s.split(/\s+/);
}

function seconds(n: string, unit: string | undefined): number {
  const v = parseNumber(n) ?? 0;
  const u = (unit ?? 's').toLowerCase();
  if (u.startsWith('m')) return v * 60;
  if (u.startsWith('h')) return v * 3600;
  return v;
}

const NUM = NUMBER_SOURCE;
const UNIT = '(seconds?|secs?|s|minutes?|mins?|hours?|h)\\b';
// A quoted string that may contain the other quote characters ("echo 'hi'"): three capture groups.
const Q = `(?:"([^"\\n]+)"|'([^'\\n]+)'|\`([^\`\\n]+)\`)`;
/** The content of the quoted-string groups starting at group `from`. */
function q(m: RegExpExecArray, from = 1): string {
  return m[from] ?? m[from + 1] ?? m[from + 2] ?? '';
}

export interface CommandResult {
  command?: string[];
  args?: string[];
}

export function findCommand(text: string): CommandResult {
  // Explicit array: command: ["sh", "-c", "…"] / args: [...]
  const arr = /\b(command|args)\s*[:=]\s*(\[[^\]]*\])/i.exec(text);
  if (arr) {
    try {
      const list = JSON.parse(arr[2].replace(/'/g, '"')) as unknown;
      if (Array.isArray(list) && list.every((x) => typeof x === 'string')) return arr[1].toLowerCase() === 'args' ? { args: list } : { command: list };
    } catch {
      // Not JSON after all: fall through to the phrase patterns.
    }
  }
  const explicit = new RegExp(`\\b(?:run|runs|running|execute|executes|executing|execs?|with|invoke|invokes|using|and|the)\\s+(?:the\\s+)?(?:following\\s+)?(?:shell\\s+)?(?:command|commands|cmd|script|entrypoint)s?\\s*(?::|of|as|is)?\\s*${Q}`, 'i').exec(text)
    ?? new RegExp(`\\b(?:command|commands)\\s*(?::|of|as|is|to)?\\s*${Q}`, 'i').exec(text)
    ?? new RegExp(`\\b(?:run|runs|execute|executes)\\s+${Q}`, 'i').exec(text);
  // "runs the command printenv with args HOSTNAME and KUBERNETES_PORT"
  const argList = /\bwith\s+(?:the\s+)?(?:arg(?:ument)?s?|parameters?)\s+((?:["'`]?[\w$./=:-]+["'`]?(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)?)+)/i.exec(text);
  const args = argList ? argList[1].split(/\s*,\s*(?:and\s+)?|\s+and\s+/).map((a) => a.replace(/^["'`]|["'`.]+$/g, '')).filter(Boolean) : undefined;
  if (explicit) return { command: toCommand(q(explicit)), args };
  const bare = /\b(?:run|runs|running|execute|executes)\s+the\s+(?:command|binary|program)\s+([\w./-]+)/i.exec(text);
  if (bare) return { command: [bare[1]], args };

  const every = new RegExp(`\\bevery\\s+${NUM}\\s*${UNIT}`, 'i').exec(text);
  const everyS = every ? seconds(every[1], every[2]) : undefined;
  const print = new RegExp(`\\b(?:print|prints|printing|echo|echoes|echoing|output|outputs|log|logs|write|writes|say|says)\\s+(?:out\\s+)?(?:the\\s+)?(?:message|text|string|word|line)?\\s*${Q}`, 'i').exec(text);
  const sleep = new RegExp(`(?<![\\w-])sleep(?:s|ing)?\\s+(?:for\\s+)?${NUM}(?:\\s*${UNIT})?`, 'i').exec(text);
  const sleepS = sleep ? seconds(sleep[1], sleep[2]) : undefined;
  const read = new RegExp(`\\b(?:reads?|cat|cats|prints? the content(?:s)? of|tails?)\\s+(?:the\\s+)?(?:content(?:s)?\\s+(?:from|of)\\s+)?(?:the\\s+)?(?:file\\s+)?["'\`]?([\\w./-]+)["'\`]?(?:\\s+file)?(?:\\s+(?:located\\s+)?(?:at|in|under)\\s+(?:the\\s+)?["'\`]?(\\/[\\w./-]*)["'\`]?)?`, 'i').exec(text);
  const continuous = /\b(?:continuous(?:ly)?|repeatedly|forever|in a loop|keeps?|endless(?:ly)?)\b/i.test(text);

  if (print && (everyS !== undefined || continuous) && everyS !== undefined) {
    return { command: ['sh', '-c', `while true; do echo '${q(print)}'; sleep ${everyS}; done`] };
  }
  if (read && read[1] && (read[1].includes('/') || read[2]) && everyS !== undefined) {
    const file = read[2] && !read[1].startsWith('/') ? `${read[2].replace(/\/$/, '')}/${read[1]}` : read[1];
    return { command: ['sh', '-c', `while true; do cat ${file}; sleep ${everyS}; done`] };
  }
  // "echoes hello" without quotes: a few plain words after echo.
  const echo = /\b(?:echo(?:es|ing)?|prints?|printing|outputs?|says?)\s+(?!the\b|a\b|an\b|it\b|its\b|out\b|to\b)([A-Za-z0-9!'-]+(?:\s+[A-Za-z0-9!'-]+){0,3}?)(?=\s+(?:every|and|then|to|in|on|once|forever|for)\b|[.;,]|$)/i.exec(text);
  if (!print && echo) return { command: ['sh', '-c', sleepS !== undefined ? `echo ${echo[1]} && sleep ${sleepS}` : `echo ${echo[1]}`] };
  // "writes \"Sleep expired\" to /dev/termination-log after sleeping 10 seconds"
  const write = new RegExp(`\\b(?:writes?|echoes|prints?)\\s+${Q}\\s+(?:in)?to\\s+(?:the\\s+file\\s+)?["'\`]?(\\/[\\w./-]*\\w)`, 'i').exec(text);
  if (write) return { command: ['sh', '-c', sleepS !== undefined ? `sleep ${sleepS} && echo ${q(write)} > ${write[4]}` : `echo ${q(write)} > ${write[4]}`] };
  if (print && sleepS !== undefined) return { command: ['sh', '-c', `echo ${q(print)} && sleep ${sleepS}`] };
  if (print) return { command: ['sh', '-c', `echo '${q(print)}'`] };
  if (sleepS !== undefined && sleepS > 0) return { command: ['sleep', String(sleepS)] };
  return {};
}
