import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { builtinSpecs, codecFor, encodeFrame, FrameDecoder, type IsoMessage } from '../../../protocol/index.js';
import { echoCommand, purchaseCommand, type CommandIo } from '../../../terminal-sim/commands/index.js';
import {
  openTransport,
  parseTarget,
  resolveLinkOptions,
  withHooks,
} from '../../../terminal-sim/transport/index.js';
import { startStack } from '../../e2e/stack.js';
import { tempDir } from './sim-stack.js';

describe('targets', () => {
  it('parses tcp:// and tls:// URLs with a port, and names what is wrong', () => {
    expect(parseTarget('tcp://127.0.0.1:9000')).toEqual({ scheme: 'tcp', host: '127.0.0.1', port: 9000 });
    expect(parseTarget('tls://gw.example.com:9443/')).toEqual({ scheme: 'tls', host: 'gw.example.com', port: 9443 });
    expect(parseTarget('tcp://[::1]:9000')).toEqual({ scheme: 'tcp', host: '::1', port: 9000 });
    expect(() => parseTarget('serial:/dev/ttyUSB0')).toThrow('is not tcp://host:port');
    expect(() => parseTarget('http://h:80')).toThrow('scheme "http:"');
    expect(() => parseTarget('tcp://h')).toThrow('is not tcp://host:port');
    expect(() => parseTarget('tcp://h:70000')).toThrow('port 70000');
  });

  it('checks link options up front', () => {
    expect(() => resolveLinkOptions({ header: 'binary4' })).toThrow('"header" must be one of binary2, ascii4, bcd2');
    expect(() => resolveLinkOptions({ spec: 'nosuch' })).toThrow('"spec"');
    expect(resolveLinkOptions({ tpdu: false }).tpdu).toBeNull();
    expect(resolveLinkOptions({ tpdu: { destination: 0x123 } }).tpdu).toEqual({ id: 0x60, destination: 0x123, source: 0 });
  });
});

describe('framing on the wire', () => {
  it('ascii4 without a TPDU, iso87ascii: the bytes a host of that profile expects', async () => {
    const codec = codecFor(builtinSpecs.iso87ascii);
    const seen: Buffer[] = [];
    const requests: IsoMessage[] = [];
    const server = net.createServer((socket) => {
      const decoder = new FrameDecoder({ header: 'ascii4', tpdu: false, maxFrameSize: 4096 });
      socket.on('data', (chunk) => {
        seen.push(chunk);
        for (const frame of decoder.push(chunk)) {
          const req = codec.decode(frame.payload);
          requests.push(req);
          const mti = `${req.mti.slice(0, 2)}${Number(req.mti[2]) + 1}0`;
          const extra = req.mti === '0800' ? { 70: req.fields[70] } : { 37: '000000000042', 38: 'ABC123' };
          const reply = codec.encode({ mti, fields: { 11: req.fields[11], 39: '00', 41: req.fields[41], ...extra } }, { pad: true });
          // split the reply to check reassembly
          const bytes = encodeFrame(reply, { header: 'ascii4' });
          socket.write(bytes.subarray(0, 3));
          setTimeout(() => socket.write(bytes.subarray(3)), 5);
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const io: CommandIo = { stdout: out, stderr: out, env: {}, cwd: tempDir() };
    try {
      const code = await echoCommand.run(
        ['--target', `tcp://127.0.0.1:${port}`, '--terminal', 'T1', '--merchant', 'M1', '--header', 'ascii4', '--tpdu', 'off', '--spec', 'iso87ascii'],
        io,
      );
      expect(text).toBe('echo (0800/301): 00 APPROVED\n');
      expect(code).toBe(0);
      const sent = Buffer.concat(seen);
      expect(sent.subarray(0, 8).toString('latin1')).toMatch(/^\d{4}0800$/);
      expect(Number(sent.subarray(0, 4).toString('latin1'))).toBe(sent.length - 4);
      // chip data and the PIN block travel as hex characters where the spec packs them so
      const sale = await purchaseCommand.run(
        ['--target', `tcp://127.0.0.1:${port}`, '--terminal', 'T1', '--header', 'ascii4', '--tpdu', 'off', '--spec', 'iso87ascii', '--amount', '1', '--pin', '1234', '--json'],
        io,
      );
      expect(sale).toBe(0);
      const req = requests[1];
      expect(req.mti).toBe('0200');
      expect(req.fields[55]).toMatch(/^[0-9A-F]+$/);
      expect(String(req.fields[55])).toContain('9F0206000000000100');
    } finally {
      server.close();
    }
  });

  it('hooks see and may drop what goes out and what comes in', async () => {
    const server = net.createServer((socket) => socket.on('data', (c) => socket.write(c)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const raw = openTransport(parseTarget(`tcp://127.0.0.1:${port}`), resolveLinkOptions());
    const t = withHooks(raw, {
      beforeSend: (p) => (p[0] === 0xff ? null : undefined),
      afterReceive: (p) => (p[0] === 0x01 ? null : Buffer.concat([p, Buffer.from([0xee])])),
    });
    try {
      await t.connect();
      await t.send(Buffer.from([0xff]));
      await t.send(Buffer.from([0x01]));
      await t.send(Buffer.from([0x02]));
      expect(await t.receive(1000)).toEqual(Buffer.from([0x02, 0xee]));
      await expect(t.receive(50)).rejects.toMatchObject({ code: 'TIMEOUT' });
      // the echo server's frames carry the TPDU we sent: 60 0001 0000
      expect(raw.frame(Buffer.from([0x02]))).toEqual(Buffer.from('0006600001000002', 'hex'));
    } finally {
      await t.close();
      server.close();
    }
    await expect(t.send(Buffer.from([1]))).rejects.toMatchObject({ code: 'CLOSED', sent: false });
  });

  it('a peer that sends garbage fails the receive with BAD_FRAME', async () => {
    const server = net.createServer((socket) => socket.on('data', () => socket.write(Buffer.from('0003ff0000', 'hex'))));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const t = openTransport(parseTarget(`tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`), resolveLinkOptions());
    try {
      await t.connect();
      await t.send(Buffer.from([1]));
      await expect(t.receive(1000)).rejects.toMatchObject({ code: 'BAD_FRAME' });
    } finally {
      await t.close();
      server.close();
    }
  });
});

describe('TLS', () => {
  it('purchases over tls:// with --ca; refuses an untrusted gateway (exit 3) unless --insecure', async () => {
    const dir = tempDir();
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
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const io: CommandIo = { stdout: out, stderr: out, env: {}, cwd: dir };
    const base = ['--target', `tls://127.0.0.1:${stack.port}`, '--terminal', 'TERM0001', '--merchant', 'MERCHANT0000001', '--amount', '1.00', '--json'];
    try {
      expect(await purchaseCommand.run([...base, '--ca', 'cert.pem'], io)).toBe(0);
      text = '';
      expect(await purchaseCommand.run(base, io)).toBe(3);
      expect(text).toMatch(/cannot connect to tls:\/\/127\.0\.0\.1:\d+: .*(SELF_SIGNED|CERT|VERIFY)/i);
      expect(await purchaseCommand.run([...base, '--insecure'], io)).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
