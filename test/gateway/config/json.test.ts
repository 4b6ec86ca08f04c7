import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateJsonError, lineAndColumn } from '../../../gateway/config/json.js';

describe('locateJsonError', () => {
  it.each([
    ['{"a": x}', 6, 'expected a value (a string in double quotes, a number, true, false, null, an object or an array)'],
    ['{"a": }', 6, 'expected a value (a string in double quotes, a number, true, false, null, an object or an array)'],
    ['{"a":1,}', 7, 'a trailing comma is not allowed in JSON'],
    ['[1,]', 3, 'a trailing comma is not allowed in JSON'],
    ['{"a":1', 6, 'unexpected end of input: a "{" is never closed'],
    ['', 0, 'unexpected end of input'],
    ['[1 2]', 3, 'expected "," or "]" after an array element'],
    ['{"a" 1}', 5, 'expected ":" after a property name'],
    ['{a:1}', 1, 'expected a property name in double quotes'],
    ["{'a':1}", 1, 'expected a property name in double quotes'],
    ["['a']", 1, 'strings need double quotes, not single quotes'],
    ['{"a":1} // note', 8, 'comments are not allowed in JSON'],
    ['{"a":1} x', 8, 'unexpected text after the end of the JSON value'],
    ['"ab\ncd"', 3, 'a string holds a raw control character (a newline or tab must be escaped)'],
    ['"a\\qb"', 2, 'invalid escape in a string'],
    ['"\\u12g4"', 1, 'invalid \\u escape in a string'],
    ['["abc', 1, 'a string is never closed'],
    ['01', 1, 'unexpected text after the end of the JSON value'],
    ['-', 0, 'expected a value (a string in double quotes, a number, true, false, null, an object or an array)'],
  ])('%j', (text, offset, reason) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(locateJsonError(text)).toEqual({ offset, reason });
  });

  it('survives deep nesting', () => {
    expect(locateJsonError('['.repeat(100_000))).toEqual({ offset: 100_000, reason: 'unexpected end of input: a "[" is never closed' });
  });

  it('agrees with JSON.parse on valid and invalid texts', () => {
    const valid = fc.jsonValue().map((v) => JSON.stringify(v, null, 1));
    const mutated = fc.tuple(valid, fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\n', '1')).map(
      ([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)),
    );
    fc.assert(
      fc.property(fc.oneof(valid, mutated), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(locateJsonError(text) === null).toBe(parses);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('lineAndColumn', () => {
  it('counts from 1', () => {
    expect(lineAndColumn('ab\ncd\r\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\r\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\r\nef', 7)).toEqual({ line: 3, column: 1 });
  });
});
