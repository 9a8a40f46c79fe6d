/**
 * Where a value sits in JSON text: the line of each path (`steps.2.expect`), so that an error in a load script can
 * name its line. A small scanner over text JSON.parse has already accepted; no position-keeping parser is installed.
 */

/** The 1-based line of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** Maps every path in valid JSON `text` (keys and indices joined with `.`; `''` for the root) to the line it starts on. */
export function jsonLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    skip();
    lines.set(path, lineAt(text, i));
    const join = (key: string | number) => (path === '' ? String(key) : `${path}.${key}`);
    const c = text[i];
    if (c === '{') {
      i++;
      skip();
      while (text[i] !== '}') {
        const key = string();
        skip();
        i++; // ':'
        value(join(key));
        skip();
        if (text[i] === ',') i++;
        skip();
      }
      i++;
    } else if (c === '[') {
      i++;
      skip();
      for (let index = 0; text[i] !== ']'; index++) {
        value(join(index));
        skip();
        if (text[i] === ',') i++;
        skip();
      }
      i++;
    } else if (c === '"') {
      string();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    }
  };
  value('');
  return lines;
}

/** The line of `path`, or of its nearest ancestor that has one (a missing key is reported at its object). */
export function lineOfPath(lines: Map<string, number>, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const line = lines.get(path.slice(0, n).map(String).join('.'));
    if (line !== undefined) return line;
  }
  return undefined;
}
