import { h } from './dom.js';
import { dateTime } from './format.js';

function scope(s) {
  return s.kind === 'gateway' ? 'the whole gateway' : `${s.kind} ${s.id ?? ''}`.trim();
}

export function renderAlerts(section, list, alerts) {
  section.hidden = alerts.length === 0;
  list.replaceChildren(
    ...alerts.map((a) =>
      h('li', { class: `alert sev-${a.severity}`, 'data-alert': a.id },
        h('p', null, h('span', { class: `badge sev-${a.severity}` }, a.severity), ' ', a.message),
        h('p', { class: 'action' }, h('span', { class: 'label' }, 'First action: '), a.firstAction),
        h('p', { class: 'meta' }, `${scope(a.scope)} · since ${dateTime(a.startedAt)}`),
      ),
    ),
  );
}
