/**
 * Station's SQL uses `?` placeholders (SQLite's); PostgreSQL numbers them (`$1`, `$2`, ...). Every `?` outside
 * a string literal, a quoted identifier or a comment becomes the next `$n`.
 */
export function toNumberedPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql.charAt(i);
    const next = sql.charAt(i + 1);
    if (c === "'" || c === '"') {
      // A literal or identifier; a doubled quote inside it is the quote itself.
      let j = i + 1;
      while (j < sql.length) {
        if (sql.charAt(j) === c) {
          if (sql.charAt(j + 1) === c) j += 2;
          else break;
        } else j += 1;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      n += 1;
      out += `$${String(n)}`;
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}
