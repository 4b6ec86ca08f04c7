import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';

/** Runs `fn`, expects a SPEC_INVALID ProtocolError and returns it. */
export function specError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe('SPEC_INVALID');
    return e as ProtocolError;
  }
  throw new Error('expected a SPEC_INVALID ProtocolError');
}

/** A copy without `name` and `description` keys at any depth: specs compared by their axes only. */
export function axesOnly(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'name' || key === 'description' ? undefined : v)));
}

export function fixture(file: string): string {
  return readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
}
