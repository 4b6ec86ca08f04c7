/** Settlement dates and cutover instants, all in UTC on the stub's injectable clock. */

const DAY_MS = 86_400_000;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight UTC of a cutover given as 'HH:MM'; throws naming the option. */
export function parseCutover(v: unknown, name: string): number {
  const m = typeof v === 'string' ? HH_MM.exec(v) : null;
  if (m === null) throw new TypeError(`"${name}" must be a time of day HH:MM (UTC), 00:00 to 23:59`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The ISO date (YYYY-MM-DD) of an instant. */
export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOf(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS);
}

/** The first cutover instant strictly after `ms`. */
export function nextCutover(ms: number, minutes: number): number {
  const midnight = Math.floor(ms / DAY_MS) * DAY_MS;
  const today = midnight + minutes * 60_000;
  return today > ms ? today : today + DAY_MS;
}
