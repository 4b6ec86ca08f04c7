import { get } from './api.js';
import { byId } from './dom.js';
import { FeedClient } from './feed.js';
import { day } from './format.js';
import { Dashboard } from './model.js';
import { renderAlerts } from './view-alerts.js';
import { renderBatches } from './view-batches.js';
import { renderCases } from './view-cases.js';
import { renderChart } from './view-chart.js';
import { wireLookup } from './view-lookup.js';
import { renderTxs } from './view-txs.js';

// the token lives in this tab's sessionStorage only: closing the tab or signing out forgets it
const TOKEN_KEY = 'pos-gateway.token';
// the reconciliation service reads new credits at most this late (its maxStalenessMs), so look again after it
const CREDIT_SETTLE_MS = 1200;

const model = new Dashboard();
let token = null;
let feed = null;
let frame = 0;
let refreshTimer = 0;
let creditTimer = 0;

const STATUS = {
  connecting: 'Connecting…',
  replaying: 'Catching up…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function render() {
  if (frame !== 0) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderAlerts(byId('alerts-section'), byId('alerts'), model.alertList());
    renderChart(byId('chart-summary'), byId('chart'), model.today());
    renderBatches(byId('batches'), byId('batches-empty'), model.batchList());
    renderCases(byId('cases'), byId('cases-empty'), byId('cases-more'), model.caseList());
    renderTxs(byId('txs'), byId('txs-empty'), model.recentTxs());
  });
}

function status(state, attempt) {
  const el = byId('status');
  el.textContent = STATUS[state] ?? state;
  el.className = `status ${state}`;
  const banner = byId('banner');
  banner.hidden = state !== 'reconnecting';
  if (state === 'reconnecting') {
    banner.textContent = `Connection to the gateway lost: reconnecting…${attempt > 1 ? ` (attempt ${attempt})` : ''} Nothing is lost: what happens meanwhile is shown when it is back.`;
  }
}

async function refreshBatches() {
  if (token === null) return;
  const t = token;
  try {
    const res = await get(t, '/batches?limit=200');
    if (t !== token) return;
    model.setBatches(res.batches);
    render();
  } catch {
    // the feed's own status says when the gateway is away; the next event asks again
  }
}

// at most one /batches request per quarter second however busy the feed is
function refreshSoon(ms = 250) {
  if (refreshTimer !== 0) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = 0;
    void refreshBatches();
  }, ms);
}

function startFeed() {
  feed = new FeedClient(token, {
    onSnapshot(msg) {
      model.snapshot(msg);
      const s = msg.scope;
      byId('merchant').textContent = s.kind === 'merchant' ? s.merchantId : s.merchantId === null ? 'All merchants (operator)' : `${s.merchantId} (operator)`;
      refreshSoon(0);
      render();
    },
    onEvent(msg, { replayed }) {
      model.event(msg, replayed);
      if (!replayed && /^(transaction|batch|credit)\./.test(msg.event)) refreshSoon();
      if (!replayed && msg.event === 'credit.received' && creditTimer === 0) {
        creditTimer = setTimeout(() => {
          creditTimer = 0;
          void refreshBatches();
        }, CREDIT_SETTLE_MS);
      }
      render();
    },
    onStatus: status,
    onRefused(reason) {
      signOut(`The gateway refused the token (${reason}). Sign in again.`);
    },
    onReset() {
      model.clear();
    },
  });
  feed.start();
}

async function signIn(candidate) {
  const error = byId('signin-error');
  error.textContent = '';
  let batches;
  try {
    // the token is checked on the API first, so a wrong one gets a clear answer rather than a feed that closes
    batches = (await get(candidate, '/batches?limit=200')).batches;
  } catch (e) {
    error.textContent = e.status === 401 ? 'That token was not accepted. Check it with your gateway operator.' : `Cannot sign in: ${e.message}. Try again in a moment.`;
    if (e.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    else byId('token').value = candidate;
    showSignIn();
    return;
  }
  token = candidate;
  sessionStorage.setItem(TOKEN_KEY, token);
  model.clear();
  model.setBatches(batches);
  byId('signin').hidden = true;
  byId('board').hidden = false;
  byId('who').hidden = false;
  render();
  startFeed();
}

function showSignIn() {
  byId('board').hidden = true;
  byId('who').hidden = true;
  byId('banner').hidden = true;
  byId('signin').hidden = false;
  byId('token').focus();
}

function signOut(message = '') {
  feed?.stop();
  feed = null;
  token = null;
  clearTimeout(refreshTimer);
  clearTimeout(creditTimer);
  refreshTimer = 0;
  creditTimer = 0;
  sessionStorage.removeItem(TOKEN_KEY);
  model.clear();
  byId('lookup-result').replaceChildren();
  byId('token').value = '';
  byId('signin-error').textContent = message;
  showSignIn();
}

byId('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void signIn(byId('token').value.trim());
});
byId('signout').addEventListener('click', () => signOut());
byId('date').value = day(Date.now());
wireLookup(byId('lookup-form'), byId('lookup-result'), () => token);

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved === null) showSignIn();
else void signIn(saved);
