// Amounts arrive as integer minor units with an ISO 4217 numeric currency; they are shown with the currency's
// decimals, computed on integers (no floating point).

// ISO 4217 minor-unit exponents that are not 2
const EXPONENTS = { '392': 0, '410': 0, '704': 0, '952': 0, '048': 3, '368': 3, '400': 3, '414': 3, '434': 3, '512': 3, '788': 3 };

export function money(minor, currency = '840') {
  if (minor === null || minor === undefined) return '';
  const exp = EXPONENTS[currency] ?? 2;
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (exp === 0) return `${sign}${abs}`;
  const unit = 10 ** exp;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(exp, '0')}`;
}

/** "12.34" or "12" -> minor units; null when it is not an amount. */
export function parseMoney(text, currency = '840') {
  const exp = EXPONENTS[currency] ?? 2;
  const m = /^\s*(\d{1,10})(?:[.,](\d+))?\s*$/.exec(text);
  if (m === null || (m[2] ?? '').length > exp) return null;
  return Number(m[1]) * 10 ** exp + Number((m[2] ?? '').padEnd(exp, '0') || 0);
}

/** Net of a totals object (sales - refunds). */
export function net(t) {
  return t === null || t === undefined ? null : t.saleAmount - t.refundAmount;
}

/** First 6 / last 4 at most, even if something upstream ever sent more. */
export function maskedPan(p) {
  if (typeof p !== 'string' || p === '') return '—';
  const digits = p.replace(/\D/g, '');
  if (digits.length === p.length && digits.length >= 12) return `${p.slice(0, 6)}${'*'.repeat(p.length - 10)}${p.slice(-4)}`;
  return p;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

export function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** YYYY-MM-DD in the browser's time zone. */
export function day(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function dateTime(ms) {
  return `${day(ms)} ${clock(ms).slice(0, 5)}`;
}

/** "RECEIPT_WITHOUT_CREDIT" -> "Receipt without credit". */
export function words(code) {
  const s = String(code ?? '').toLowerCase().replace(/[_.-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
