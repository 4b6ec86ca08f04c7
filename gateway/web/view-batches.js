import { cell, h } from './dom.js';
import { count, money, net } from './format.js';

const STATUS = {
  open: 'Open',
  balanced: 'Closed, in balance',
  balanced_after_upload: 'Closed, in balance after upload',
  out_of_balance: 'Closed, out of balance',
};

function totals(t, label) {
  if (t === null || t === undefined) return cell(label, { class: 'num muted' }, 'not yet');
  const parts = [count(t.saleCount, 'sale')];
  if (t.refundCount > 0) parts.push(count(t.refundCount, 'refund'));
  return cell(label, { class: 'num' }, money(net(t)), h('small', null, parts.join(', ')));
}

function variance(v, what, unpaid) {
  if (v === null) return h('div', { class: 'var' }, h('small', null, what), '—');
  const cls = v === 0 ? 'var zero' : 'var diff';
  return h('div', { class: cls }, h('small', null, what), v === 0 ? '0.00' : money(v), unpaid && v !== 0 ? h('small', null, 'not paid yet') : null);
}

export function renderBatches(tbody, empty, batches) {
  empty.hidden = batches.length > 0;
  tbody.replaceChildren(
    ...batches.map((b) => {
      const unpaid = b.funded.saleCount === 0 && b.funded.refundCount === 0;
      const off = b.variance.terminalVsHost !== null && b.variance.terminalVsHost !== 0;
      return h('tr', { 'data-batch': `${b.terminalId}/${b.batchNo}`, class: off || b.status === 'out_of_balance' ? 'alarm' : null },
        cell('Batch', null, b.terminalId, h('small', null, `batch ${b.batchNo}`)),
        cell('Status', null, STATUS[b.status] ?? b.status),
        totals(b.terminal, 'Terminal'),
        totals(b.host, 'Host'),
        totals(b.funded, 'Funded'),
        cell('Variance', { class: 'num' },
          variance(b.variance.terminalVsHost, 'host − terminal', false),
          variance(b.variance.fundedVsHost, 'funded − host', unpaid)),
      );
    }),
  );
}
