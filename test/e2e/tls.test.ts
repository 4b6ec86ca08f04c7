import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startStack } from './stack.js';
import { sale, TestTerminal } from './terminal-client.js';

describe('a TLS terminal listener', () => {
  it('serves terminals over TLS, and refuses a client that does not trust it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posgw-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    const listener = {
      name: 'terminals', host: '127.0.0.1', port: 0, header: 'binary2' as const, tpdu: true, spec: 'iso87binary', maxFrameSize: 4096,
      idleTimeoutMs: 60_000, frameTimeoutMs: 2_000, maxInFlight: 8, maxConnections: 100,
      tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
    };
    const stack = await startStack({ dir, config: { listeners: [listener] } });
    try {
      const t = await TestTerminal.connectTls(stack.port, readFileSync(join(dir, 'cert.pem')));
      const res = await t.request(sale(t, { amount: 1200 }));
      expect(res.fields[39]).toBe('00');
      t.close();
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=other',
        '-keyout', join(dir, 'other-key.pem'), '-out', join(dir, 'other.pem'),
      ], { stdio: 'ignore' });
      await expect(TestTerminal.connectTls(stack.port, readFileSync(join(dir, 'other.pem')))).rejects.toThrow(/self.signed|verify|certificate/i);
    } finally {
      await stack.close();
    }
  });
});
