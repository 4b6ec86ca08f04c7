import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkClient, codec, network, startTestStub, type TestStub } from './helpers.js';

/** A binary2 frame around raw bytes. */
function frame(body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const header = Buffer.alloc(2);
  header.writeUInt16BE(b.length);
  return Buffer.concat([header, b]);
}

describe('acquirer stub: malformed input', () => {
  let t: TestStub;
  let bystander: LinkClient;
  beforeAll(async () => {
    t = await startTestStub({ maxFrameSize: 1024 });
    bystander = await LinkClient.connect(t.stub.port);
  });
  afterAll(async () => {
    bystander.close();
    await t.close();
  });

  async function bystanderStillWorks(): Promise<void> {
    expect(bystander.isClosed).toBe(false);
    expect((await bystander.request(network('301'))).fields[39]).toBe('00');
  }

  it("answers '30' to a message whose MTI is readable but whose body is not, and keeps the connection", async () => {
    const c = await LinkClient.connect(t.stub.port);
    // MTI 0200, a bitmap announcing fields 3 and 4, then a truncated field 3.
    c.sendRaw(frame('02003000000000000000' + '0000'));
    expect(await c.next()).toEqual({ mti: '0210', fields: { 39: '30' } });
    expect((await c.request(network('301'))).fields[39]).toBe('00');
    const event = t.logs.events().find((e) => e.event === 'message_error');
    expect(event).toMatchObject({ level: 40, code: 'TRUNCATED', mti: '0200', field: '3' });
    c.close();
    await bystanderStillWorks();
  });

  it("answers '30' with the response MTI for a 0400 with a bad bitmap", async () => {
    const c = await LinkClient.connect(t.stub.port);
    c.sendRaw(frame('0400ZZZZ000000000000'));
    expect(await c.next()).toEqual({ mti: '0410', fields: { 39: '30' } });
    c.close();
  });

  it('closes a connection whose message has no readable MTI; others keep working', async () => {
    const c = await LinkClient.connect(t.stub.port);
    c.sendRaw(frame('XY00' + '0'.repeat(16)));
    await c.closed;
    await bystanderStillWorks();
  });

  it('closes a connection that announces a frame over the maximum, before reading its body', async () => {
    const c = await LinkClient.connect(t.stub.port);
    c.sendRaw(Buffer.from([0x04, 0x01])); // 1025 > maxFrameSize 1024
    await c.closed;
    expect(t.logs.events().find((e) => e.event === 'frame_error')).toMatchObject({ code: 'FRAME_TOO_LARGE', offset: 0 });
    await bystanderStillWorks();
  });

  it('closes a connection that sends a zero-length frame', async () => {
    const c = await LinkClient.connect(t.stub.port);
    c.sendRaw(Buffer.from([0x00, 0x00]));
    await c.closed;
    await bystanderStillWorks();
  });

  it('answers each of several frames in one chunk, and frames split byte by byte', async () => {
    const c = await LinkClient.connect(t.stub.port);
    const a = network('301');
    const b = network('001');
    const bytes = Buffer.concat([frame(codec.encode(a)), frame(codec.encode(b))]);
    c.sendRaw(bytes);
    expect((await c.next()).fields[11]).toBe(a.fields[11]);
    expect((await c.next()).fields[11]).toBe(b.fields[11]);
    const d = network('301');
    for (const byte of frame(codec.encode(d))) c.sendRaw(Buffer.from([byte]));
    expect((await c.next()).fields[11]).toBe(d.fields[11]);
    c.close();
  });
});
