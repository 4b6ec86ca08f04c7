import { get } from './api.js';
import { h } from './dom.js';
import { money, parseMoney, words } from './format.js';

// the reconciliation engine's stages, in words a shop owner uses
const STAGES = {
  unknown: ['Not found', 'bad'],
  in_flight: ['Waiting for the bank', 'warn'],
  not_approved: ['Not approved: no money will come', 'bad'],
  reversing: ['Being cancelled: no money will come', 'bad'],
  reversed: ['Cancelled: no money will come', 'bad'],
  not_captured: ['Voided: no money will come', 'bad'],
  awaiting_credit: ['Approved: the payment is on its way', 'ok'],
  overdue: ['Overdue: the bank has not paid it', 'bad'],
  credited: ['Paid', 'ok'],
};

function row(label, value) {
  return value === null || value === undefined || value === '' ? null : [h('dt', null, label), h('dd', null, value)];
}

function match(m) {
  const [stage, tone] = STAGES[m.stage] ?? [words(m.stage), 'warn'];
  return h('article', { class: `match ${tone}`, 'data-stage': m.stage },
    h('h3', null, stage),
    h('p', { class: 'next' }, h('span', { class: 'label' }, 'Next: '), m.next),
    h('dl', null,
      row('RRN', m.rrn),
      row('Amount', m.amount === null ? null : money(m.amount)),
      row('Terminal', m.terminalId),
      row('Date', m.day),
      row('Due by', m.dueBy),
      row('Paid', m.credits.length === 0 ? null : m.credits.map((c) => `${money(c.amount)} on ${c.settlementDate}`).join('; ')),
      row('Cases', m.cases.length === 0 ? null : m.cases.map((c) => `${words(c.class)}: ${c.suggestedAction}`).join(' / ')),
    ),
  );
}

/** The "where is my money" form: by RRN, or by the card's last 4 digits, the amount and the day. */
export function wireLookup(form, out, token) {
  const field = (name) => form.elements.namedItem(name);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const rrn = field('rrn').value.trim();
    let query;
    if (rrn !== '') {
      if (!/^[0-9A-Za-z ]{1,12}$/.test(rrn)) return show(out, 'The RRN is the 12-character reference on the receipt (letters and digits).');
      query = { rrn };
    } else {
      const last4 = field('last4').value.trim();
      const amount = parseMoney(field('amount').value);
      const date = field('date').value;
      if (!/^\d{4}$/.test(last4)) return show(out, 'Enter the RRN, or the last 4 digits of the card with the amount and the date.');
      if (amount === null) return show(out, 'The amount looks like 12.34.');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return show(out, 'Pick the date of the sale.');
      query = { last4, amount, date };
    }
    show(out, 'Looking…');
    try {
      const res = await get(token(), '/recon/lookup', query);
      out.replaceChildren(...res.matches.map(match));
    } catch (err) {
      show(out, err.code === 'TRANSACTION_NOT_FOUND' ? 'No sale of yours matches. Check the RRN on the receipt, or try the card, amount and date.' : `The search failed: ${err.message}`);
    }
  });
}

function show(out, text) {
  out.replaceChildren(h('p', { class: 'hint' }, text));
}
