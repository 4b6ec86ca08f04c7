/** "500ms", "2s", "1.5s", "2m", "26h", "+2h", "-90s" -> milliseconds; a bare number is seconds. */
export function parseDuration(text: unknown, name: string, opts: { signed?: boolean; maxMs?: number } = {}): number {
  const m = typeof text === 'string' ? /^([+-])?(\d+)(?:\.(\d{1,3}))?(ms|s|m|h)?$/.exec(text.trim()) : null;
  if (m === null || (m[1] !== undefined && opts.signed !== true)) {
    throw new TypeError(`${name} must be a duration such as ${opts.signed === true ? '"+2h", "-26h", "90s"' : '"500ms", "2s", "1.5m"'}`);
  }
  const [, sign, whole, fraction = '', unit = 's'] = m;
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  if (unit === 'ms' && fraction !== '') throw new TypeError(`${name} in ms takes no decimals`);
  const ms = Number(whole) * scale + Math.round((Number(fraction.padEnd(3, '0')) * scale) / 1000);
  const max = opts.maxMs ?? 24 * 3_600_000;
  if (ms > max) throw new TypeError(`${name} must be at most ${formatDuration(max)}`);
  return sign === '-' ? -ms : ms;
}

export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a >= 3_600_000 && a % 3_600_000 === 0) return `${sign}${a / 3_600_000}h`;
  if (a >= 60_000 && a % 60_000 === 0) return `${sign}${a / 60_000}m`;
  if (a >= 1000 && a % 1000 === 0) return `${sign}${a / 1000}s`;
  return `${sign}${a}ms`;
}
