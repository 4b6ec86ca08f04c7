import { h } from './dom.js';
import { dateTime, money, words } from './format.js';

// the most severe first; the full list is in the reconciliation API
const SHOWN = 30;

export function renderCases(list, empty, more, cases) {
  empty.hidden = cases.length > 0;
  more.hidden = cases.length <= SHOWN;
  more.textContent = `and ${cases.length - SHOWN} more open cases (all of them: GET /recon/cases?format=csv).`;
  list.replaceChildren(
    ...cases.slice(0, SHOWN).map((c) =>
      h('li', { class: `case sev-${c.severity}`, 'data-case': c.id },
        h('div', { class: 'case-head' },
          h('span', { class: `badge sev-${c.severity}` }, c.severity),
          h('strong', null, words(c.class)),
          c.amount !== null ? h('span', { class: 'num' }, money(c.amount, c.currency ?? '840')) : null,
        ),
        h('p', { class: 'explanation' }, c.explanation),
        c.likelyCause ? h('p', { class: 'cause' }, h('span', { class: 'label' }, 'Likely cause: '), c.likelyCause) : null,
        h('p', { class: 'action' }, h('span', { class: 'label' }, 'What to do: '), c.suggestedAction),
        h('p', { class: 'meta' },
          [c.terminalId && `terminal ${c.terminalId}`, c.rrn && `RRN ${c.rrn}`, `opened ${dateTime(c.openedAt)}`, c.status !== 'open' && c.status].filter(Boolean).join(' · ')),
      ),
    ),
  );
}
