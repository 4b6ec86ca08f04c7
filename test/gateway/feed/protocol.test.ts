import { describe, expect, it } from 'vitest';
import { closeReason, eventMessage, parseHello } from '../../../gateway/feed/protocol.js';

describe('feed protocol: hello', () => {
  it('accepts a hello with a token and optional since and merchantId', () => {
    expect(parseHello('{"type":"hello","token":"t0k"}')).toEqual({ type: 'hello', token: 't0k', since: undefined, merchantId: undefined });
    expect(parseHello('{"type":"hello","token":"t0k","since":0,"merchantId":"M1"}')).toEqual({ type: 'hello', token: 't0k', since: 0, merchantId: 'M1' });
    expect(parseHello('{"type":"hello","token":"t0k","since":null}')).toMatchObject({ since: undefined });
  });

  it.each([
    ['hello', 'hello: not JSON'],
    ['[1]', 'hello: must be a JSON object'],
    ['{"type":"subscribe","token":"t"}', 'hello: "type" must be "hello"'],
    ['{"type":"hello"}', 'hello: "token" must be a non-empty string'],
    ['{"type":"hello","token":""}', 'hello: "token" must be a non-empty string'],
    ['{"type":"hello","token":"t","since":1.5}', 'hello: "since" must be a non-negative integer'],
    ['{"type":"hello","token":"t","since":"3"}', 'hello: "since" must be a non-negative integer'],
    ['{"type":"hello","token":"t","since":-1}', 'hello: "since" must be a non-negative integer'],
    ['{"type":"hello","token":"t","merchantId":7}', 'hello: "merchantId" must be a non-empty string'],
    ['{"type":"hello","token":"t","filter":"x"}', 'hello: unknown field "filter"'],
  ])('refuses %s: %s', (raw, error) => {
    expect(parseHello(raw)).toEqual({ error });
  });

  it('never echoes the token in an error', () => {
    const r = parseHello('{"type":"hello","token":"secret-token-123","since":"x"}');
    expect(JSON.stringify(r)).not.toContain('secret-token-123');
  });

  it('keeps a close reason within the 123 bytes a close frame allows, without splitting a character', () => {
    expect(closeReason('short')).toBe('short');
    const long = closeReason('é'.repeat(100));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(123);
    expect(long).toMatch(/^é+\.\.\.$/);
  });

  it('puts an event on the wire with both cursors and an ISO time', () => {
    const wire = JSON.parse(eventMessage({ id: 9, seq: 3, merchantId: 'M1', type: 'batch.closed', at: Date.UTC(2025, 10, 21, 18), data: { a: 1 } }));
    expect(wire).toEqual({ type: 'event', seq: 3, id: 9, merchantId: 'M1', event: 'batch.closed', at: '2025-11-21T18:00:00.000Z', data: { a: 1 } });
  });
});
