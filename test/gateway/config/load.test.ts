import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../gateway/config/index.js';
import { configError, minimal } from './helpers.js';

const DEMO = fileURLToPath(new URL('../../../gateway/config/demo.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('demo.json', () => {
  it('loads', () => {
    const config = loadConfig(DEMO);
    // the tokens the demo banner prints for the dashboard and the feed
    expect(config.merchants).toEqual([{ id: 'MERCHANT0000001', name: 'Demo Corner Shop', enabled: true, apiToken: 'demo-merchant-token' }]);
    expect(config.terminals.map((t) => [t.id, t.merchantId, t.enabled])).toEqual([
      ['TERM0001', 'MERCHANT0000001', true],
      ['TERM0002', 'MERCHANT0000001', true],
      ['TERM0003', 'MERCHANT0000001', true],
      ['TERM0009', 'MERCHANT0000001', false],
    ]);
    expect(config.acquirers).toHaveLength(1);
    expect(config.acquirers[0]).toMatchObject({ id: 'stub', host: '127.0.0.1', port: 9100, deadlineMs: 10000 });
    expect(config.store.path).toBe('./data/demo-gateway.db');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080, adminToken: 'demo-operator-token' });
    expect(config.listeners).toHaveLength(1);
    expect(config.listeners[0]).toMatchObject({ host: '127.0.0.1', port: 9000, header: 'binary2', tpdu: true });
    expect(Buffer.from(config.security.panHashKey, 'hex').toString()).toBe('demo-only-key-do-not-use-in-prod');
    expect(Object.isFrozen(config.terminals[3])).toBe(true);
  });
});

describe('loadConfig', () => {
  it('names the file in a validation error', () => {
    const path = file('bad.json', JSON.stringify({ ...minimal(), extra: true }));
    const e = configError(() => loadConfig(path));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.source).toBe(path);
    expect(e.message).toBe(`${path}: invalid configuration (1 problem)\n  config: unknown key "extra"`);
  });

  it('names the line and column of a JSON syntax error', () => {
    const path = file('syntax.json', '{\n  "acquirers": [\n    { "id": "a" "host": "h" }\n  ]\n}\n');
    const e = configError(() => loadConfig(path));
    expect(e.code).toBe('CONFIG_SYNTAX');
    expect(e.message).toBe(`${path}: not valid JSON\n  line 3, column 17: expected "," or "}" after a property value`);
  });

  it('points at a trailing comma and an unclosed object', () => {
    const trailing = file('trailing.json', '{\n  "a": [1, 2,],\n}');
    expect(configError(() => loadConfig(trailing)).problems).toEqual([
      { path: 'line 2, column 14', message: 'a trailing comma is not allowed in JSON' },
    ]);
    const unclosed = file('unclosed.json', '{\n  "a": {\n');
    expect(configError(() => loadConfig(unclosed)).problems).toEqual([
      { path: 'line 3, column 1', message: 'unexpected end of input: a "{" is never closed' },
    ]);
  });

  it('keeps the file text out of a syntax error', () => {
    const secret = 'cd'.repeat(32);
    const path = file('secret.json', `{"security": {"panHashKey": "${secret}" x}}`);
    const e = configError(() => loadConfig(path));
    expect(e.message).not.toContain(secret);
    expect(e.problems[0].path).toBe('line 1, column 96');
  });

  it('accepts a byte order mark', () => {
    const path = file('bom.json', '\ufeff' + JSON.stringify(minimal()));
    expect(loadConfig(path).terminals[0].id).toBe('TERM0001');
  });

  it('reports a missing file', () => {
    const path = join(dir, 'nope.json');
    const e = configError(() => loadConfig(path));
    expect(e.code).toBe('CONFIG_UNREADABLE');
    expect(e.message).toBe(`${path}: cannot read the config file\n  file: no such file (ENOENT)`);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('reports a directory', () => {
    expect(configError(() => loadConfig(dir)).problems).toEqual([{ path: 'file', message: 'is a directory, not a file (EISDIR)' }]);
  });
});

describe('loadConfig overrides', () => {
  it('replaces addresses, store and log level before validation', () => {
    const config = loadConfig(DEMO, {
      listen: ['0.0.0.0:9443'],
      acquirer: ['stub=10.1.2.3:7000'],
      httpPort: 0,
      httpHost: '0.0.0.0',
      store: ':memory:',
      logLevel: 'debug',
    });
    expect(config.listeners[0]).toMatchObject({ name: 'terminals', host: '0.0.0.0', port: 9443 });
    expect(config.acquirers[0]).toMatchObject({ id: 'stub', host: '10.1.2.3', port: 7000 });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 0, adminToken: 'demo-operator-token' });
    expect(config.store.path).toBe(':memory:');
    expect(config.log.level).toBe('debug');
  });

  it('creates the default listener when the file has none', () => {
    const path = file('no-listeners.json', JSON.stringify(minimal()));
    const config = loadConfig(path, { listen: ['9123'] });
    expect(config.listeners).toEqual([expect.objectContaining({ name: 'terminals', host: '127.0.0.1', port: 9123 })]);
    expect(loadConfig(path, { listen: ['[::1]:0'] }).listeners[0]).toMatchObject({ host: '::1', port: 0 });
  });

  it('sets the listeners in order, and the port alone keeps the host', () => {
    const input = minimal();
    input.listeners = [{ name: 'a', host: 'listener-a.test', port: 1 }, { name: 'b', port: 2 }];
    const path = file('two.json', JSON.stringify(input));
    const config = loadConfig(path, { listen: ['9001', 'localhost:9002'] });
    expect(config.listeners.map((l) => `${l.name} ${l.host}:${l.port}`)).toEqual(['a listener-a.test:9001', 'b localhost:9002']);
  });

  it('does not change the file data or the default', () => {
    const a = loadConfig(DEMO, { acquirer: ['stub=9200'] });
    const b = loadConfig(DEMO);
    expect(a.acquirers[0].port).toBe(9200);
    expect(b.acquirers[0].port).toBe(9100);
  });

  it('names a bad override by its flag', () => {
    const e = configError(() =>
      loadConfig(DEMO, {
        listen: ['localhost', '9001'],
        acquirer: ['visa=1.2.3.4:1', 'stub', 'stub=h:0'],
        httpPort: 70000,
        logLevel: 'loud',
      }),
    );
    expect(e.problems).toEqual([
      { path: '--listen', message: 'given 2 times, but the config has 1 listener' },
      { path: '--listen', message: '"localhost" is not "host:port", "[ipv6]:port" or "port"' },
      { path: '--acquirer', message: 'no acquirer "visa" in the config' },
      { path: '--acquirer', message: '"stub" is not "id=host:port"' },
      { path: '--acquirer', message: 'port in "h:0" must be from 1 to 65535' },
      { path: '--http-port', message: 'must be an integer from 0 to 65535' },
      { path: 'config.log.level', message: 'must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"' },
    ]);
  });
});
