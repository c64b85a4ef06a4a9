/**
 * Whether a path of the build context is left out by .dockerignore rules, as Docker reads them: each line a pattern
 * relative to the context root (a leading / ignored), `*` and `?` within one path segment, `**` across segments,
 * a pattern that matches a folder leaving out everything under it, `!` bringing a path back; the last matching
 * rule wins.
 */
export function dockerIgnored(rules: string, path: string): boolean {
  let ignored = false;
  for (const raw of rules.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
    if (matchesPathOrParent(pattern, path.replace(/^\.\//, ''))) ignored = !negated;
  }
  return ignored;
}

function matchesPathOrParent(pattern: string, path: string): boolean {
  const regex = new RegExp(`^${toRegex(pattern)}$`);
  const parts = path.split('/');
  for (let i = parts.length; i > 0; i--) if (regex.test(parts.slice(0, i).join('/'))) return true;
  return false;
}

function toRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      out += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}
