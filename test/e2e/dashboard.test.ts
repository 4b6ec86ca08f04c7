import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../gateway/alerts/index.js';
import { defaultRules } from '../../terminal-sim/acquirer/index.js';
import { startStack, type Stack } from './stack.js';
import { sale, TEST_PAN, type TestTerminal } from './terminal-client.js';

// the system's Chromium (Debian package "chromium"; .ci/run installs it), driven by playwright-core
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
// the page's own waits: its feed answers within a second or two; a reconnection after a cut takes a few backoff steps
const WAIT = { timeout: 10_000 } as const;
const DAY = 86_400_000;
const OPERATOR = 'operator-token-0000001';
const M1 = 'MERCHANT0000001';
const M2 = 'MERCHANT0000002';
const TOKEN1 = 'merchant-one-token-01';
const TOKEN2 = 'merchant-two-token-02';
// a terminal id that is also markup: the page must show it as text
const ODD_TERMINAL = '<s>x</s>';
const rules = { ...defaultRules, cards: {}, timings: { slowMs: 200, lateMs: 1500 } };

// one clock for the gateway and the acquirer stub: real time plus an offset the test moves forward
let offset = 0;
const clock = { now: () => Date.now() + offset };

/**
 * Between the browser and the gateway's HTTP port: cut() drops every connection and refuses new ones until
 * restore(), the way a flaky network would. (Chromium's offline emulation leaves WebSockets alone.)
 */
class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private refusing = false;
  port = 0;

  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      if (this.refusing) return client.destroy();
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let stack: Stack;
let t: TestTerminal;
let proxy: CuttableProxy;
let browser: Browser;
let page: Page;
let base = '';
// uncaught errors in the page and Content-Security-Policy refusals: there must be none
const pageProblems: string[] = [];
const rrns: Record<string, string> = {};

async function approve(name: string, amount: number, terminalId = 'TERM0001', merchantId = M1, batch = '000001'): Promise<string> {
  const res = await t.request(sale(t, { terminalId, merchantId, amount, batch }));
  expect(res.fields[39]).toBe('00');
  rrns[name] = res.fields[37] as string;
  return rrns[name];
}

function txRow(rrn: string) {
  return page.locator(`#txs tr[data-rrn="${rrn}"]`);
}

describe.skipIf(!haveChromium)('the merchant dashboard in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    stack = await startStack({
      clock,
      stub: { rules, clock, cutover: null },
      config: {
        http: { host: '127.0.0.1', port: 0, adminToken: OPERATOR },
        // evaluated often, so the missing credit's alert follows its case within the test
        alerts: { ...defaultAlertsConfig(), evaluateEveryMs: 250 },
        merchants: [
          { id: M1, name: 'Shop One', enabled: true, apiToken: TOKEN1 },
          { id: M2, name: 'Shop Two', enabled: true, apiToken: TOKEN2 },
        ],
        terminals: [
          { id: 'TERM0001', merchantId: M1, enabled: true },
          { id: ODD_TERMINAL, merchantId: M1, enabled: true },
          { id: 'TERM0002', merchantId: M2, enabled: true },
        ],
      },
    });
    t = await stack.terminal();
    proxy = new CuttableProxy(stack.gw.ports.http);
    base = `http://127.0.0.1:${await proxy.listen()}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(WAIT.timeout);
    page.on('pageerror', (e) => pageProblems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageProblems.push(m.text());
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await stack?.close();
  });

  it('serves the page to anyone, with its data behind the token', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('Where is my money?');
    expect((await fetch(`${base}/assets/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/assets/style.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${base}/assets/index.html`)).status).toBe(404);
    expect((await fetch(`${base}/assets/..%2Fhttp-web.ts`)).status).toBe(404);
    expect((await fetch(`${base}/batches`)).status).toBe(401);
  });

  it('signs in with the merchant token, and refuses a wrong one in words', async () => {
    await page.goto(base);
    await page.locator('#token').fill('not-a-token-at-all-x');
    await page.locator('#signin-form button').click();
    await expect.poll(() => page.locator('#signin-error').textContent(), WAIT).toContain('not accepted');
    expect(await page.locator('#board').isHidden()).toBe(true);

    await page.locator('#token').fill(TOKEN1);
    await page.locator('#signin-form button').click();
    await page.locator('#board').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#status').textContent(), WAIT).toBe('Live');
    expect(await page.locator('#merchant').textContent()).toBe(M1);
    expect(await page.evaluate("sessionStorage.getItem('pos-gateway.token')")).toBe(TOKEN1);
    // a reload keeps the session of this tab
    await page.reload();
    await expect.poll(() => page.locator('#status').textContent(), WAIT).toBe('Live');
  });

  it('shows an approval made at a terminal without a reload, masked, with its batch', async () => {
    const rrn = await approve('first', 1234);
    const row = txRow(rrn);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('12.34');
    expect(text).toContain('Approved');
    expect(text).toContain('476173******0119');
    expect(await page.locator('body').innerText()).not.toContain(TEST_PAN);
    const batch = page.locator('#batches tr[data-batch="TERM0001/000001"]');
    await expect.poll(() => batch.innerText(), WAIT).toContain('12.34');
    expect(await page.locator('#chart rect.bar').count()).toBeGreaterThanOrEqual(1);
    // another merchant's sale never shows
    const other = await approve('other', 3000, 'TERM0002', M2);
    const declined = await t.request(sale(t, { terminalId: 'TERM0001', amount: 1005 }));
    expect(declined.fields[39]).toBe('05');
    await txRow(declined.fields[37] as string).waitFor();
    expect(await txRow(other).count()).toBe(0);
    expect(await txRow(declined.fields[37] as string).innerText()).toContain('Declined');
    // the acquirer answers after the gateway's deadline: 91 to the terminal, then the reversal
    const late = await t.request(sale(t, { terminalId: 'TERM0001', amount: 1072 }));
    expect(late.fields[39]).toBe('91');
    await expect.poll(() => txRow(late.fields[37] as string).innerText(), WAIT).toMatch(/Reversed[\s\S]*did not answer in time/);
  });

  it('shows data as text, never as markup', async () => {
    const rrn = await approve('odd', 700, ODD_TERMINAL);
    await txRow(rrn).waitFor();
    expect(await txRow(rrn).innerText()).toContain(ODD_TERMINAL);
    expect(await page.locator('#txs s, #batches s').count()).toBe(0);
  });

  it('says it is reconnecting when the connection drops, then shows what it missed, once', async () => {
    proxy.cut();
    await page.locator('#banner').waitFor({ state: 'visible' });
    expect(await page.locator('#banner').innerText()).toMatch(/reconnecting/i);
    // sales while the page is cut off
    const missed = [await approve('missed1', 1500), await approve('missed2', 2500)];
    expect(await txRow(missed[0]).count()).toBe(0);
    proxy.restore();
    await page.locator('#banner').waitFor({ state: 'hidden', timeout: 15_000 });
    for (const rrn of missed) await txRow(rrn).waitFor();
    expect(await txRow(missed[0]).count()).toBe(1);
    expect(await txRow(rrns.first).count()).toBe(1);
    // first, the decline, the reversed one, the odd terminal's and the two missed; not the other merchant's sale
    expect(await page.locator('#txs tr').count()).toBe(6);
  }, 30_000);

  it('shows the batch funded short and a case when the acquirer leaves a credit out', async () => {
    // TERM0001's batch 000001: first, missed1, missed2 approved (1234 + 1500 + 2500); the terminal agrees
    const f63 = `003${String(5234).padStart(12, '0')}${'0'.repeat(15)}`;
    const settled = await t.request({ mti: '0500', fields: { 3: '920000', 11: t.nextStan(), 12: '230000', 13: '1121', 41: 'TERM0001', 42: M1, 60: '000001', 63: f63 } });
    expect(settled.fields[39]).toBe('00');
    const batch = page.locator('#batches tr[data-batch="TERM0001/000001"]');
    await expect.poll(() => batch.innerText(), WAIT).toContain('Closed, in balance');

    stack.stub.setSettlementFaults({ omit: { rate: 0, rrns: [rrns.missed2] } });
    offset += DAY; // the next day's cutover pays the day before
    const summary = stack.stub.cutover();
    expect(summary).not.toBeNull();
    const imported = await fetch(`${base}/settlement/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'text/csv' },
      body: stack.stub.settlementReport(summary!.reportId)!.csv,
    });
    expect(imported.status).toBe(201);
    // paid 1234 + 1500 of 5234: the batch shows 25.00 missing, highlighted
    await expect.poll(() => batch.locator('.var.diff').innerText(), WAIT).toContain('-25.00');

    offset += 2 * DAY; // past the settlement window: the missing credit becomes a case
    const kase = page.locator('#cases li', { hasText: 'Receipt without credit' });
    await kase.waitFor({ timeout: 15_000 });
    const text = await kase.innerText();
    expect(text).toContain('25.00');
    expect(text).toContain(rrns.missed2);
    expect(text).toMatch(/What to do: \S/);
    // and the early warning for it, with its first action
    const alert = page.locator('#alerts li', { hasText: 'no settlement credit' });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/First action: \S/);
    expect(await page.locator('#alerts-section').isVisible()).toBe(true);
  }, 40_000);

  it('answers "where is my money" by RRN and by card, amount and date', async () => {
    await page.locator('#rrn').fill(rrns.missed2);
    await page.locator('#lookup-form button').click();
    const result = page.locator('#lookup-result .match');
    await result.waitFor();
    expect(await result.getAttribute('data-stage')).toBe('overdue');
    expect(await result.innerText()).toMatch(/Overdue[\s\S]*Next: the acquirer should have paid it by/);

    await page.locator('#rrn').fill('');
    await page.locator('#last4').fill('0119');
    await page.locator('#amount').fill('12.34');
    await page.locator('#date').fill(new Date(clock.now() - 3 * DAY).toISOString().slice(0, 10));
    await page.locator('#lookup-form button').click();
    await expect.poll(() => page.locator('#lookup-result .match').getAttribute('data-stage'), WAIT).toBe('credited');
    expect(await page.locator('#lookup-result').innerText()).toContain(rrns.first);

    await page.locator('#rrn').fill('000000000000');
    await page.locator('#lookup-form button').click();
    await expect.poll(() => page.locator('#lookup-result').innerText(), WAIT).toMatch(/No sale of yours matches/);
  });

  it('draws today on the chart and keeps the artifact screenshot', async () => {
    // today's traffic (the gateway's day moved on): approvals and one decline in a new batch
    for (const amount of [1200, 860, 4300]) await approve(`today${amount}`, amount, 'TERM0001', M1, '000002');
    expect((await t.request(sale(t, { terminalId: 'TERM0001', amount: 1505, batch: '000002' }))).fields[39]).toBe('05');
    await expect.poll(() => page.locator('#chart-summary').innerText(), WAIT).toMatch(/4 sales, 3 approved \(75 %\)/);
    expect(await page.locator('#chart rect.bar').count()).toBeGreaterThanOrEqual(1);
    await page.locator('#batches tr[data-batch="TERM0001/000002"]').waitFor();
    // the picture shows an answer to the search box too
    await page.locator('#rrn').fill(rrns.missed2);
    await page.locator('#lookup-form button').click();
    await page.locator('#lookup-result .match').waitFor();
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#cases li').first().waitFor();
    // evaluated in the page (the test's TypeScript has no DOM types)
    const widths = await page.evaluate<{ doc: number; body: number; view: number }>(
      '({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth })',
    );
    expect(widths.view).toBe(390);
    expect(widths.doc).toBeLessThanOrEqual(390);
    expect(widths.body).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs out and forgets the token', async () => {
    await page.locator('#signout').click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect(await page.locator('#board').isHidden()).toBe(true);
    expect(await page.evaluate("sessionStorage.getItem('pos-gateway.token')")).toBeNull();
    await page.reload();
    await page.locator('#signin').waitFor({ state: 'visible' });
  });

  it("shows the operator every merchant's sales", async () => {
    await page.locator('#token').fill(OPERATOR);
    await page.locator('#signin-form button').click();
    await expect.poll(() => page.locator('#merchant').textContent(), WAIT).toBe('All merchants (operator)');
    await txRow(rrns.other).waitFor();
    await txRow(rrns.first).waitFor();
    await page.locator('#signout').click();
    expect(pageProblems).toEqual([]);
  });
});
