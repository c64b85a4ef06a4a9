/** Deterministic mutations of file texts for fuzz-style tests (seeded PRNG: same seed, same files). */

/** mulberry32: a small seeded PRNG returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nested aliases that expand to 9^5 values ("billion laughs"). */
export const ALIAS_BOMB = [
  'lol1: &a [x, x, x, x, x, x, x, x, x]',
  'lol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'lol3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'lol4: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'lol5: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
].join('\n');

const SNIPPETS = [
  '*a',
  '&a',
  '<<: *a',
  '<<:',
  '\t',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ':',
  '- ',
  '\n',
  '---\n',
  '99999999999999999999999999999999999999',
  '1e999999',
  '-0x',
  '!!binary',
  '!!js/function',
  '? ',
  '|',
  '>',
  '%YAML 1.2\n',
  '{{',
  '}}',
  '\u0000',
  '\uFEFF',
  '\\',
  ',',
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** One to three random edits of `text`: delete, duplicate, swap, insert a snippet, or add an alias bomb. */
export function mutate(text: string, rand: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1));
    const len = 1 + Math.floor(rand() * 8);
    switch (Math.floor(rand() * 7)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + len);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at);
        break;
      case 2: {
        const other = Math.floor(rand() * (out.length + 1));
        const [i, j] = at < other ? [at, other] : [other, at];
        if (j < out.length)
          out = out.slice(0, i) + (out[j] ?? '') + out.slice(i + 1, j) + (out[i] ?? '') + out.slice(j + 1);
        break;
      }
      case 3:
      case 4:
        out = out.slice(0, at) + pick(rand, SNIPPETS) + out.slice(at);
        break;
      case 5: {
        // An alias bomb at the start of a line (inside YAML frontmatter when there is one).
        const lines = out.split('\n');
        const line = Math.min(lines.length, 1 + Math.floor(rand() * lines.length));
        lines.splice(line, 0, ALIAS_BOMB);
        out = lines.join('\n');
        break;
      }
      default: {
        // An alias to an anchor that is never set, as a value.
        const lines = out.split('\n');
        const line = Math.min(lines.length, 1 + Math.floor(rand() * lines.length));
        lines.splice(line, 0, `${pick(rand, ['model', 'name', 'x', 'A', 'runner'])}: *${pick(rand, ['a', 'nope'])}`);
        out = lines.join('\n');
      }
    }
  }
  return out;
}
