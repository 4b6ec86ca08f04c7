import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/parse.js';
import { configSchema } from '../../gateway/config/schema.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The JSON block under "### Complete example". */
function example(): Record<string, unknown> {
  const at = README.indexOf('### Complete example');
  expect(at, 'the README has a "Complete example" section').toBeGreaterThan(0);
  const start = README.indexOf('```json\n', at) + '```json\n'.length;
  return JSON.parse(README.slice(start, README.indexOf('\n```', start))) as Record<string, unknown>;
}

type SchemaNode = { properties?: Record<string, SchemaNode>; items?: SchemaNode };

/** Every key path the schema allows: "acquirers[].breaker.halfOpenAfterMs". */
function schemaPaths(node: SchemaNode, path = '', out = new Set<string>()): Set<string> {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const p = path === '' ? key : `${path}.${key}`;
    out.add(p);
    schemaPaths(child, p, out);
  }
  if (node.items !== undefined) schemaPaths(node.items, `${path}[]`, out);
  return out;
}

function examplePaths(value: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) examplePaths(v, `${path}[]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const p = path === '' ? key : `${path}.${key}`;
      out.add(p);
      examplePaths(v, p, out);
    }
  }
  return out;
}

describe("the README's complete config example", () => {
  it('parses, once its placeholder key is replaced by a real one', () => {
    const config = example();
    (config.security as { panHashKey: string }).panHashKey = 'c3'.repeat(32);
    expect(() => parseConfig(config, 'README example')).not.toThrow();
  });

  it('names every key of the schema (the PostgreSQL-only ones are described with the store)', () => {
    const shown = examplePaths(example());
    const missing = [...schemaPaths(configSchema as SchemaNode)].filter((p) => !shown.has(p));
    expect(missing).toEqual(['store.url', 'store.schema']);
  });
});
