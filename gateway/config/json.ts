import { ConfigError } from './errors.js';

/**
 * Parses a config file's text. On a syntax error the ConfigError names the line and column; V8's own message is
 * not used, because it quotes a stretch of the file (which holds a secret key) and often gives no position.
 */
export function parseJsonText(text: string, source: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (cause) {
    const found = locateJsonError(body) ?? { offset: 0, reason: 'cannot be parsed as JSON' };
    const { line, column } = lineAndColumn(body, found.offset);
    throw new ConfigError('CONFIG_SYNTAX', source, [{ path: `line ${line}, column ${column}`, message: found.reason }], {
      cause,
    });
  }
}

export interface JsonErrorLocation {
  /** UTF-16 offset in the text where the problem is seen. */
  offset: number;
  reason: string;
}

type State = 'value' | 'firstValue' | 'nextValue' | 'key' | 'firstKey' | 'colon' | 'after';

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;
const ESCAPES = '"\\/bfnrtu';

/**
 * The first syntax error of a JSON text, or null when it is valid. Iterative (a stack, not recursion), so deep
 * nesting cannot overflow the call stack.
 */
export function locateJsonError(text: string): JsonErrorLocation | null {
  const stack: ('{' | '[')[] = [];
  let state: State = 'value';
  let i = 0;
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= text.length) {
      if (state === 'after' && stack.length === 0) return null;
      const open = stack.at(-1);
      return { offset: text.length, reason: open ? `unexpected end of input: a "${open}" is never closed` : 'unexpected end of input' };
    }
    const c = text[i];
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return { offset: i, reason: 'comments are not allowed in JSON' };

    if (state === 'after') {
      const open = stack.at(-1);
      if (open === undefined) return { offset: i, reason: 'unexpected text after the end of the JSON value' };
      if (c === ',') {
        i++;
        state = open === '{' ? 'key' : 'nextValue';
      } else if (c === (open === '{' ? '}' : ']')) {
        i++;
        stack.pop();
      } else {
        return {
          offset: i,
          reason: open === '{' ? 'expected "," or "}" after a property value' : 'expected "," or "]" after an array element',
        };
      }
      continue;
    }

    if (state === 'colon') {
      if (c !== ':') return { offset: i, reason: 'expected ":" after a property name' };
      i++;
      state = 'value';
      continue;
    }

    if (state === 'key' || state === 'firstKey') {
      if (c === '}') {
        if (state === 'key') return { offset: i, reason: 'a trailing comma is not allowed in JSON' };
        i++;
        stack.pop();
        state = 'after';
        continue;
      }
      if (c !== '"') return { offset: i, reason: 'expected a property name in double quotes' };
      const bad = scanString(text, i);
      if (typeof bad !== 'number') return bad;
      i = bad;
      state = 'colon';
      continue;
    }

    // state is 'value', 'firstValue' or 'nextValue'
    if (c === ']' && state === 'firstValue') {
      i++;
      stack.pop();
      state = 'after';
      continue;
    }
    if ((c === ']' || c === '}') && state === 'nextValue') return { offset: i, reason: 'a trailing comma is not allowed in JSON' };
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      state = c === '{' ? 'firstKey' : 'firstValue';
      continue;
    }
    if (c === '"') {
      const bad = scanString(text, i);
      if (typeof bad !== 'number') return bad;
      i = bad;
      state = 'after';
      continue;
    }
    NUMBER.lastIndex = i;
    if ((c === '-' || (c >= '0' && c <= '9')) && NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      state = 'after';
      continue;
    }
    const literal = LITERALS.find((word) => text.startsWith(word, i));
    if (literal !== undefined) {
      i += literal.length;
      state = 'after';
      continue;
    }
    if (c === "'") return { offset: i, reason: 'strings need double quotes, not single quotes' };
    return { offset: i, reason: 'expected a value (a string in double quotes, a number, true, false, null, an object or an array)' };
  }
}

/** The offset just past the closing quote of the string starting at `start`, or the error in it. */
function scanString(text: string, start: number): number | JsonErrorLocation {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return { offset: i, reason: 'a string holds a raw control character (a newline or tab must be escaped)' };
    if (code === 0x5c) {
      const next = text[i + 1];
      if (next === undefined || !ESCAPES.includes(next)) return { offset: i, reason: 'invalid escape in a string' };
      if (next === 'u' && !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        return { offset: i, reason: 'invalid \\u escape in a string' };
      }
      i += next === 'u' ? 6 : 2;
      continue;
    }
    i++;
  }
  return { offset: start, reason: 'a string is never closed' };
}

/** 1-based line and column of an offset; a column counts UTF-16 code units, as editors mostly do. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
