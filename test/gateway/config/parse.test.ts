import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTENER, parseConfig } from '../../../gateway/config/index.js';
import { defaultAlertsConfig } from '../../../gateway/alerts/index.js';
import { KEY, configError, minimal } from './helpers.js';

describe('parseConfig defaults', () => {
  it('fills every optional key', () => {
    const config = parseConfig(minimal());
    expect(config).toEqual({
      listeners: [
        {
          name: 'terminals',
          host: '127.0.0.1',
          port: 9000,
          header: 'binary2',
          tpdu: true,
          spec: 'iso87binary',
          maxFrameSize: 4096,
          idleTimeoutMs: 300000,
          frameTimeoutMs: 10000,
          maxInFlight: 32,
          maxConnections: 10000,
        },
      ],
      acquirers: [
        {
          id: 'visa-a',
          host: 'acquirer-a.test',
          port: 5000,
          deadlineMs: 10000,
          echoIntervalMs: 30000,
          acquiringInstitution: '000000',
          reconnect: { initialMs: 200, maxMs: 10000, jitter: 0.2 },
          maxFrameSize: 8192,
          breaker: { consecutiveFailures: 5, halfOpenAfterMs: 5000 },
          drained: false,
          settlement: { settleAfterDays: 1, graceDays: 1 },
        },
      ],
      routing: { rules: [], default: [] },
      http: { host: '127.0.0.1', port: 8080 },
      store: { driver: 'sqlite', path: './data/gateway.db', synchronous: 'full' },
      saf: { retryInitialMs: 1000, retryMaxMs: 60000, expireAfterMs: 86400000, pollMs: 500, strandedCheckMs: 10000 },
      security: { panHashKey: KEY },
      merchants: [{ id: 'M1', name: 'Shop', enabled: true }],
      terminals: [{ id: 'TERM0001', merchantId: 'M1', enabled: true }],
      log: { level: 'info' },
      recon: {
        utcOffsetMinutes: 0,
        batchStaleAfterMs: 86400000,
        rules: { duplicateRefund: false, lateCreditCloses: false },
        fetch: { pollMs: 1000, timeoutMs: 30000, retryInitialMs: 60000, retryMaxMs: 3600000 },
      },
      alerts: defaultAlertsConfig(),
      feed: { pingIntervalMs: 30000, helloTimeoutMs: 5000, maxBufferedBytes: 1048576, replayPageSize: 500, maxClients: 10000 },
    });
  });

  it('fills the defaults inside a listener and an object that is given in part', () => {
    const input = minimal();
    input.listeners = [{ name: 'lan', port: 9001, header: 'ascii4', tls: { cert: 'c.pem', key: 'k.pem' } }];
    input.acquirers[0].reconnect = { maxMs: 5000 };
    input.http = { port: 0 };
    const config = parseConfig(input);
    expect(config.listeners[0]).toEqual({
      ...DEFAULT_LISTENER,
      name: 'lan',
      port: 9001,
      header: 'ascii4',
      tls: { cert: 'c.pem', key: 'k.pem' },
    });
    expect(config.acquirers[0].reconnect).toEqual({ initialMs: 200, maxMs: 5000, jitter: 0.2 });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('keeps the given values', () => {
    const input = minimal();
    input.acquirers[0] = { ...input.acquirers[0], deadlineMs: 25000, echoIntervalMs: 0, acquiringInstitution: '123456' };
    input.store = { path: ':memory:', synchronous: 'normal' };
    input.log = { level: 'silent' };
    const config = parseConfig(input);
    expect(config.acquirers[0]).toMatchObject({ deadlineMs: 25000, echoIntervalMs: 0, acquiringInstitution: '123456' });
    expect(config.store).toEqual({ driver: 'sqlite', path: ':memory:', synchronous: 'normal' });
    expect(config.log.level).toBe('silent');
  });

  it('takes a PostgreSQL journal with its url and schema; url is required with it, and for it only', () => {
    const input = minimal();
    input.store = { driver: 'postgres', url: 'postgres://gw@db.example:5432/journal', schema: 'gateway' };
    expect(parseConfig(input).store).toMatchObject({ driver: 'postgres', url: 'postgres://gw@db.example:5432/journal', schema: 'gateway' });
    input.store = { driver: 'postgres', schema: 'Gate-way' };
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.store.schema', message: 'must be a lower-case name: letters, digits and _, not starting with a digit, at most 63' },
      { path: 'config.store.url', message: 'is required with driver "postgres"' },
    ]);
    input.store = { path: 'j.db', url: 'mysql://x' };
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.store.url', message: 'must be a postgres:// or postgresql:// URL' },
      { path: 'config.store.url', message: 'is for driver "postgres" only' },
    ]);
  });

  it('takes store.thread for a SQLite file only', () => {
    const input = minimal();
    input.store = { path: 'j.db', thread: true };
    expect(parseConfig(input).store).toEqual({ driver: 'sqlite', path: 'j.db', synchronous: 'full', thread: true });
    input.store = { path: ':memory:', thread: true };
    expect(configError(() => parseConfig(input)).problems).toEqual([{ path: 'config.store.thread', message: 'cannot be true with path ":memory:"' }]);
    input.store = { driver: 'postgres', url: 'postgres://gw@db.example/journal', thread: false };
    expect(configError(() => parseConfig(input)).problems).toEqual([{ path: 'config.store.thread', message: 'is for driver "sqlite" only' }]);
    input.store = { path: 'j.db', thread: 'yes' };
    expect(configError(() => parseConfig(input)).problems).toEqual([{ path: 'config.store.thread', message: 'must be true or false' }]);
  });

  it('returns a deep-frozen copy and leaves the input alone', () => {
    const input = minimal();
    const before = structuredClone(input);
    const config = parseConfig(input);
    expect(input).toEqual(before);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listeners)).toBe(true);
    expect(Object.isFrozen(config.listeners[0])).toBe(true);
    expect(Object.isFrozen(config.acquirers[0].reconnect)).toBe(true);
    expect(Object.isFrozen(config.security)).toBe(true);
    expect(() => {
      (config.acquirers[0] as { deadlineMs: number }).deadlineMs = 1;
    }).toThrow(TypeError);
    expect(() => (config.terminals as unknown[]).push({})).toThrow(TypeError);
    expect(config.acquirers[0].deadlineMs).toBe(10000);
  });

  it('gives a fresh default listener each time', () => {
    const a = parseConfig(minimal());
    const b = parseConfig(minimal());
    expect(a.listeners).not.toBe(b.listeners);
    expect(a.listeners[0]).not.toBe(DEFAULT_LISTENER);
  });

  it('accepts a spec file and an upper-case hex key', () => {
    const input = minimal();
    input.listeners = [{ spec: './specs/acme.xml' }];
    input.security.panHashKey = 'AB'.repeat(40);
    expect(parseConfig(input).listeners[0].spec).toBe('./specs/acme.xml');
  });
});

describe('parseConfig errors', () => {
  it('names an unknown key', () => {
    const input = minimal();
    input.terminals.push({ id: 'TERM0002', merchantId: 'M1', enabld: false });
    const e = configError(() => parseConfig(input));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.source).toBe('config');
    expect(e.problems).toEqual([{ path: 'config.terminals[1]', message: 'unknown key "enabld"' }]);
    expect(e.message).toBe('config: invalid configuration (1 problem)\n  config.terminals[1]: unknown key "enabld"');
  });

  it('names unknown keys at the top and deep down', () => {
    const input = minimal();
    input.listner = [];
    input.acquirers[0].reconnect = { intialMs: 100 };
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config', message: 'unknown key "listner"' },
      { path: 'config.acquirers[0].reconnect', message: 'unknown key "intialMs"' },
    ]);
  });

  it('names a wrong type', () => {
    const input = minimal();
    input.acquirers[0].port = '5000';
    input.terminals[0].enabled = 'yes';
    input.http = [];
    const e = configError(() => parseConfig(input));
    expect(e.problems).toEqual([
      { path: 'config.acquirers[0].port', message: 'must be an integer' },
      { path: 'config.http', message: 'must be an object' },
      { path: 'config.terminals[0].enabled', message: 'must be true or false' },
    ]);
  });

  it('rejects something other than an object', () => {
    for (const input of [null, [], 'x', 3]) {
      expect(configError(() => parseConfig(input)).message).toBe(
        'config: invalid configuration (1 problem)\n  config: must be an object',
      );
    }
  });

  it('names a value out of range', () => {
    const input = minimal();
    input.acquirers[0].deadlineMs = 30000;
    input.acquirers[0].reconnect = { jitter: 1.5 };
    input.http = { port: 65536 };
    input.listeners = [{ idleTimeoutMs: 0, maxFrameSize: 0 }];
    input.saf = { pollMs: -1 };
    const e = configError(() => parseConfig(input));
    expect(e.message).toBe(
      [
        'config: invalid configuration (6 problems)',
        '  config.listeners[0].maxFrameSize: must be >= 1',
        '  config.listeners[0].idleTimeoutMs: must be > 0',
        '  config.acquirers[0].deadlineMs: must be < 30000',
        '  config.acquirers[0].reconnect.jitter: must be <= 1',
        '  config.http.port: must be <= 65535',
        '  config.saf.pollMs: must be > 0',
      ].join('\n'),
    );
  });

  it('names a missing required key', () => {
    const input = minimal();
    delete input.terminals;
    input.security = {};
    delete input.acquirers[0].host;
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config', message: 'missing required key "terminals"' },
      { path: 'config.acquirers[0]', message: 'missing required key "host"' },
      { path: 'config.security', message: 'missing required key "panHashKey"' },
    ]);
    expect(configError(() => parseConfig({})).problems.map((p) => p.message)).toEqual([
      'missing required key "acquirers"',
      'missing required key "merchants"',
      'missing required key "terminals"',
      'missing required key "security"',
    ]);
  });

  it('names a bad enum value with the allowed ones', () => {
    const input = minimal();
    input.listeners = [{ header: 'ascii2' }];
    input.store = { driver: 'mysql', synchronous: 'off' };
    input.log = { level: 'verbose' };
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.listeners[0].header', message: 'must be one of "binary2", "ascii4", "bcd2", "binary4"' },
      { path: 'config.store.driver', message: 'must be one of "sqlite", "postgres"' },
      { path: 'config.store.synchronous', message: 'must be one of "full", "normal"' },
      { path: 'config.log.level', message: 'must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"' },
    ]);
  });

  it('checks ids: terminal exactly 8, merchant at most 15, acquirer lower-case', () => {
    const input = minimal();
    input.terminals[0].id = 'T1';
    input.merchants[0].id = 'M1';
    input.merchants.push({ id: 'MERCHANT00000001', name: 'Too long' });
    input.acquirers[0].id = 'Visa_A';
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.acquirers[0].id', message: 'must be lowercase letters, digits and "-"' },
      { path: 'config.merchants[1].id', message: 'must be at most 15 characters' },
      { path: 'config.terminals[0].id', message: 'must be exactly 8 characters' },
    ]);
  });

  it('checks the characters of terminal and merchant ids', () => {
    const input = minimal();
    input.terminals[0].id = 'TERM\u00e9001';
    input.terminals[0].merchantId = 'M1 ';
    input.merchants[0].id = 'M1 ';
    input.merchants.push({ id: '', name: 'Empty' });
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.merchants[0].id', message: 'must be printable ASCII, not ending in a space' },
      { path: 'config.merchants[1].id', message: 'must not be empty' },
      { path: 'config.terminals[0].id', message: 'must be printable ASCII' },
    ]);
  });

  it('never shows the key, only what is wrong with it', () => {
    for (const key of ['ab'.repeat(31), 'ab'.repeat(32) + 'a', 'zz'.repeat(32)]) {
      const input = minimal();
      input.security.panHashKey = key;
      const e = configError(() => parseConfig(input));
      expect(e.problems).toEqual([
        { path: 'config.security.panHashKey', message: 'must be hex, an even number of digits and at least 64 (32 bytes)' },
      ]);
      expect(e.message).not.toContain(key);
    }
  });

  it('checks the listener spec name', () => {
    const input = minimal();
    input.listeners = [{ spec: 'iso87' }];
    expect(configError(() => parseConfig(input)).problems).toEqual([
      {
        path: 'config.listeners[0].spec',
        message: 'must be a built-in spec (iso87ascii, iso87binary, iso93ascii) or a path ending in .json or .xml',
      },
    ]);
  });

  it('names a duplicate id, name or port', () => {
    const input = minimal();
    input.listeners = [{ name: 'a', port: 9000 }, { name: 'a', port: 9000 }, { name: 'b', port: 0 }, { name: 'c', port: 0 }];
    input.http = { port: 9000 };
    input.acquirers.push({ id: 'visa-a', host: 'h', port: 1 });
    input.merchants.push({ id: 'M1', name: 'Again' });
    input.terminals.push({ id: 'TERM0001', merchantId: 'M1' });
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.listeners[1].name', message: 'duplicate listener name "a" (first at config.listeners[0])' },
      { path: 'config.listeners[1].port', message: 'port 9000 is already used by config.listeners[0]' },
      { path: 'config.http.port', message: 'port 9000 is already used by config.listeners[0]' },
      { path: 'config.acquirers[1].id', message: 'duplicate acquirer id "visa-a" (first at config.acquirers[0])' },
      { path: 'config.merchants[1].id', message: 'duplicate merchant id "M1" (first at config.merchants[0])' },
      { path: 'config.terminals[1].id', message: 'duplicate terminal id "TERM0001" (first at config.terminals[0])' },
    ]);
  });

  it('names a terminal whose merchant does not exist', () => {
    const input = minimal();
    input.terminals.push({ id: 'TERM0002', merchantId: 'M2' });
    const e = configError(() => parseConfig(input));
    expect(e.message).toBe(
      'config: invalid configuration (1 problem)\n  config.terminals[1].merchantId: no merchant "M2" in config.merchants',
    );
  });

  it('checks limits that depend on each other', () => {
    const input = minimal();
    input.listeners = [{ header: 'ascii4', maxFrameSize: 10000 }];
    input.acquirers[0].reconnect = { initialMs: 5000, maxMs: 1000 };
    input.saf = { retryInitialMs: 70000 };
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.listeners[0].maxFrameSize', message: 'must be <= 9999: a "ascii4" length header counts no more' },
      { path: 'config.acquirers[0].reconnect.maxMs', message: 'must be >= initialMs (5000)' },
      { path: 'config.saf.retryMaxMs', message: 'must be >= retryInitialMs (70000)' },
    ]);
  });

  it('reports schema problems and cross-check problems in one go', () => {
    const input = minimal();
    input.acquirers[0].deadlineMs = 40000;
    input.terminals.push({ id: 'TERM0002', merchantId: 'nobody' });
    expect(configError(() => parseConfig(input)).problems.map((p) => p.path)).toEqual([
      'config.acquirers[0].deadlineMs',
      'config.terminals[1].merchantId',
    ]);
  });

  it('names the source in the message', () => {
    expect(configError(() => parseConfig({}, 'env:GATEWAY_CONFIG')).message).toMatch(
      /^env:GATEWAY_CONFIG: invalid configuration \(4 problems\)\n/,
    );
  });

  it('quotes keys that are not identifiers', () => {
    const input = minimal();
    input['a/b c'] = 1;
    input.merchants[0]['0'] = 1;
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config', message: 'unknown key "a/b c"' },
      { path: 'config.merchants[0]', message: 'unknown key "0"' },
    ]);
  });
});
