import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../protocol/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the error catalogue', () => {
  it.each(Object.keys(ErrorCodes))('documents %s in the README', (code) => {
    expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\|`));
  });
});
