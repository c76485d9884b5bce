/**
 * Numbers as people write them in requests: digits ("3", "1,000", "-2") or words ("three",
 * "twenty-one", "a single", "one hundred"). Returns null when the text is not a number.
 */

const SMALL: Record<string, number> = {
  zero: 0, no: 0, none: 0, one: 1, a: 1, an: 1, single: 1, once: 1, two: 2, both: 2, pair: 2, couple: 2, three: 3, four: 4, five: 5,
  six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14,
  fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, dozen: 12,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000 };

const WORDS = 'zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|dozen';

/** Regex source (one capture group) for a number in digits or words: "3", "-2", "1,000", "three", "twenty-one", "a single", "one hundred". */
export const NUMBER_SOURCE = `(-?\\d[\\d,]*(?:\\.\\d+)?|(?:a\\s+)?(?:single|${WORDS})(?:[\\s-]+(?:and[\\s-]+)?(?:${WORDS}))*)`;

export function parseNumber(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^[-+]?\d[\d,_]*(?:\.\d+)?$/.test(t)) {
    // "1,000" and "1_000" are thousands separators in prose, never decimals.
    const n = Number(t.replace(/[,_]/g, ''));
    return Number.isFinite(n) ? n : null;
  }
  let words = t.split(/[\s-]+/).filter((w) => w !== 'and' && w !== '');
  // "a single", "a dozen", "a hundred": the article is not a number of its own.
  if (words.length > 1 && (words[0] === 'a' || words[0] === 'an')) words = words.slice(1);
  if (words.length === 0) return null;
  let total = 0;
  let current = 0;
  let seen = false;
  for (const w of words) {
    if (w in SMALL) {
      current += SMALL[w];
      seen = true;
    } else if (w in TENS) {
      current += TENS[w];
      seen = true;
    } else if (w in SCALES) {
      const s = SCALES[w];
      if (s === 100) current = (current || 1) * 100;
      else {
        total += (current || 1) * s;
        current = 0;
      }
      seen = true;
    } else return null;
  }
  return seen ? total + current : null;
}
