import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Terminal } from '../../../terminal-sim/device/index.js';
import { openTransport, parseTarget, resolveLinkOptions } from '../../../terminal-sim/transport/index.js';
import { startStack } from '../../e2e/stack.js';

it('smoke', async () => {
  const stack = await startStack();
  const dir = mkdtempSync(join(tmpdir(), 'tsim-'));
  const t = await Terminal.open({
    terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', dataDir: dir,
    transport: openTransport(parseTarget(`tcp://127.0.0.1:${stack.port}`), resolveLinkOptions()), timeoutMs: 3000,
  });
  console.log(await t.signOn());
  const r = await t.purchase({ amount: 1234, pin: '1234' });
  console.log(r.outcome, r.responseCode, r.entry?.rrn);
  console.log(await t.refund({ amount: 500 }));
  const p = await t.preauth({ amount: 5000 });
  console.log(await t.complete({ rrn: p.entry!.rrn! }, 4000).then((x) => [x.outcome, x.responseCode]));
  console.log(await t.void({ invoice: r.entry!.invoice }).then((x) => [x.outcome, x.responseCode]));
  console.log(await t.settle());
  console.log(stack.stub.ledger().map((x) => [x.kind, x.status, x.amount]));
  await t.close();
  await stack.close();
});
