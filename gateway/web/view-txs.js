import { cell, h } from './dom.js';
import { clock, maskedPan, money } from './format.js';

// field 39 in words, for the codes a merchant sees most
const RESPONSES = {
  '00': 'approved',
  '08': 'approved',
  '03': 'invalid merchant',
  '05': 'do not honour',
  '12': 'invalid transaction',
  '13': 'invalid amount',
  '14': 'invalid card number',
  '30': 'format error',
  '51': 'insufficient funds',
  '54': 'expired card',
  '55': 'wrong PIN',
  '57': 'not permitted for this card',
  '61': 'over the amount limit',
  '80': 'batch already closed',
  '89': 'invalid terminal',
  '91': 'no answer from the bank',
  '94': 'duplicate',
  '96': 'system error',
};

const REVERSALS = { timeout: 'the bank did not answer in time', late: 'the approval came too late', terminal: 'cancelled at the terminal', recovery: 'the gateway restarted mid-sale' };

function result(t) {
  if (t.reversed !== null) return h('span', { class: 'tag muted' }, 'Reversed', h('small', null, REVERSALS[t.reversed] ?? t.reversed));
  if (t.outcome === 'approved') return h('span', { class: 'tag ok' }, 'Approved', t.authCode ? h('small', null, `auth ${t.authCode}`) : null);
  return h('span', { class: 'tag bad' }, 'Declined', h('small', null, `${t.responseCode} ${RESPONSES[t.responseCode] ?? ''}`.trim()));
}

export function renderTxs(tbody, empty, txs) {
  empty.hidden = txs.length > 0;
  tbody.replaceChildren(
    ...txs.map((t) =>
      h('tr', { 'data-rrn': t.rrn ?? '' },
        cell('Time', null, clock(t.at), h('small', null, t.terminalId, t.kind && t.kind !== 'purchase' ? ` · ${t.kind}` : '')),
        cell('Card', { class: 'mono' }, h('span', { class: 'pan' }, maskedPan(t.panMasked)), h('small', null, t.rrn === null ? 'no RRN' : `RRN ${t.rrn}`)),
        cell('Amount', { class: 'num' }, money(t.kind === 'refund' ? -t.amount : t.amount, t.currency)),
        cell('Result', null, result(t)),
      ),
    ),
  );
}
