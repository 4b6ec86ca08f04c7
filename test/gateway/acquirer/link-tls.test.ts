import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostLink } from '../../../gateway/acquirer/index.js';
import { FakeAcquirer } from './fake-acquirer.js';
import { fixedClock, purchase, until } from './harness.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasOpenssl())('HostLink over TLS', () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostlink-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs on and carries requests over node:tls', async () => {
    const fake = new FakeAcquirer({ key, cert });
    const port = await fake.listen();
    const link = new HostLink({ id: 'acq-tls', host: '127.0.0.1', port, echoIntervalMs: 0, clock: fixedClock, tls: { ca: [cert] } });
    try {
      link.start();
      await until(link, 'up');
      const reply = await link.request(purchase(link.nextStan(), '000000000001'));
      expect(reply.fields[39]).toBe('00');
    } finally {
      await link.stop();
      await fake.close();
    }
  });

  it('does not come up when the certificate is not trusted', async () => {
    const fake = new FakeAcquirer({ key, cert });
    const port = await fake.listen();
    const link = new HostLink({ id: 'acq-tls', host: '127.0.0.1', port, echoIntervalMs: 0, reconnect: { initialMs: 1000 }, tls: {} });
    try {
      link.start();
      await until(link, 'down');
      expect(fake.received).toEqual([]);
    } finally {
      await link.stop();
      await fake.close();
    }
  });
});
