import { h, s } from './dom.js';
import { money } from './format.js';

// plot area inside the 480 x 170 view box
const X0 = 34;
const X1 = 436;
const Y0 = 140;
const Y1 = 12;
const SLOT = (X1 - X0) / 24;

function niceMax(n) {
  for (const m of [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]) if (n <= m) return m;
  return Math.ceil(n / 10000) * 10000;
}

function pct(a, total) {
  return total === 0 ? null : Math.round((a / total) * 100);
}

/** Sales per hour as bars (left scale) and the approval rate as a line (right scale, 0-100 %). */
export function renderChart(summary, box, today) {
  const all = today.hours.reduce((t, x) => ({ approved: t.approved + x.approved, declined: t.declined + x.declined, amount: t.amount + x.approvedAmount }), { approved: 0, declined: 0, amount: 0 });
  const total = all.approved + all.declined;
  summary.textContent = total === 0
    ? `${today.day}: no sales yet today.`
    : `${today.day}: ${total} sales, ${all.approved} approved (${pct(all.approved, total)} %), ${money(all.amount)} approved.`;

  const max = niceMax(Math.max(1, ...today.hours.map((x) => x.approved + x.declined)));
  const y = (n) => Y0 - ((Y0 - Y1) * n) / max;
  const yRate = (p) => Y0 - ((Y0 - Y1) * p) / 100;
  const parts = [
    s('title', null, `Sales per hour and approval rate on ${today.day}`),
    s('line', { x1: X0, y1: Y0, x2: X1, y2: Y0, class: 'axis' }),
    s('line', { x1: X0, y1: Y1, x2: X1, y2: Y1, class: 'grid' }),
    s('line', { x1: X0, y1: (Y0 + Y1) / 2, x2: X1, y2: (Y0 + Y1) / 2, class: 'grid' }),
    s('text', { x: X0 - 4, y: Y1 + 4, class: 'tick end' }, String(max)),
    s('text', { x: X0 - 4, y: Y0, class: 'tick end' }, '0'),
    s('text', { x: X1 + 4, y: Y1 + 4, class: 'tick rate' }, '100%'),
    s('text', { x: X1 + 4, y: (Y0 + Y1) / 2 + 4, class: 'tick rate' }, '50%'),
  ];
  const points = [];
  today.hours.forEach((x, hour) => {
    const n = x.approved + x.declined;
    const cx = X0 + SLOT * hour + SLOT / 2;
    if (hour % 3 === 0) parts.push(s('text', { x: cx, y: Y0 + 14, class: 'tick mid' }, String(hour).padStart(2, '0')));
    if (n === 0) return;
    const rate = pct(x.approved, n);
    const label = `${String(hour).padStart(2, '0')}:00–${String(hour + 1).padStart(2, '0')}:00: ${n} sales, ${x.approved} approved (${rate} %)`;
    parts.push(s('rect', { x: cx - SLOT * 0.35, y: y(n), width: SLOT * 0.7, height: Y0 - y(n), class: 'bar', 'data-hour': hour }, s('title', null, label)));
    points.push([cx, yRate(rate), label]);
  });
  if (points.length > 1) parts.push(s('polyline', { points: points.map(([px, py]) => `${px},${py}`).join(' '), class: 'rate-line' }));
  for (const [px, py, label] of points) parts.push(s('circle', { cx: px, cy: py, r: 3, class: 'rate-dot' }, s('title', null, label)));
  box.replaceChildren(
    s('svg', { viewBox: '0 0 480 170', role: 'img', 'aria-label': `Sales per hour and approval rate on ${today.day}` }, ...parts),
    h('p', { class: 'legend' }, h('span', { class: 'key bar' }), 'sales per hour (left scale) ', h('span', { class: 'key rate' }), 'approval rate (right scale)'),
  );
}
