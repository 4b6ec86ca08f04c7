import { hostname } from 'node:os';
import pg from 'pg';
import { JournalError, JournalErrorCodes } from './errors.js';

/**
 * One gateway per PostgreSQL journal schema, as for a SQLite file (see JournalOwner): a session-level advisory lock
 * on a connection of its own, held while the gateway runs. PostgreSQL drops it when that session ends, however the
 * gateway ends. The import command does not take it: its transactions queue behind the gateway's on the journal's
 * transaction-level lock.
 *
 * A lost connection loses the lock: `onLost` hears of it (the gateway logs an error) and the lock is taken again on
 * a new connection as soon as one can be made, unless another gateway took it meanwhile (`onLost` hears that too).
 */
export class PostgresJournalOwner {
  private client: pg.Client | undefined;
  private released = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: string,
    private readonly address: string,
    private readonly key: string,
    private readonly onLost: (message: string) => void,
  ) {}

  /** Takes the journal schema, or throws JOURNAL_IN_USE naming the gateway that holds it. */
  static async take(url: string, schema: string, address: string, onLost: (message: string) => void): Promise<PostgresJournalOwner> {
    const owner = new PostgresJournalOwner(url, address, `posgw-owner:${schema}`, onLost);
    const holder = await owner.lock();
    if (holder !== undefined) {
      throw new JournalError(JournalErrorCodes.inUse, `journal schema "${schema}" at PostgreSQL ${address} is in use by ${holder}: one gateway writes a journal at a time`);
    }
    return owner;
  }

  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    // ending the session releases its advisory lock
    await c?.end().catch(() => undefined);
  }

  /** Undefined once the lock is held; else who holds it. */
  private async lock(): Promise<string | undefined> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      // what a refused gateway reads of this one in pg_stat_activity
      application_name: `pos-gateway owner pid ${process.pid} on ${hostname()}`.slice(0, 63),
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.key]);
      if (!rows[0].ok) {
        const holder = await client.query<{ name: string; since: Date }>(HOLDER_SQL, [this.key]);
        await client.end();
        const h = holder.rows[0];
        return h === undefined ? 'another session' : `"${h.name}" (since ${h.since.toISOString()})`;
      }
    } catch (e) {
      await client.end().catch(() => undefined);
      throw new JournalError(JournalErrorCodes.unreachable, `journal: cannot take the journal's lock at PostgreSQL ${this.address}: ${(e as Error).message}`, { cause: e });
    }
    client.on('error', () => undefined);
    client.once('end', () => this.lost());
    this.client = client;
    return undefined;
  }

  private lost(): void {
    this.client = undefined;
    if (this.released) return;
    this.onLost('the connection holding the journal lock closed: another gateway could start on this journal until it is taken again');
    const again = (): void => {
      this.retry = setTimeout(() => {
        if (this.released) return;
        this.lock().then(
          (holder) => {
            if (holder !== undefined) this.onLost(`the journal lock is held by ${holder} now: two gateways write this journal; stop one`);
            else if (this.released) void this.release();
          },
          () => again(),
        );
      }, RETRY_MS);
      this.retry.unref();
    };
    again();
  }
}

const RETRY_MS = 1000;

/** The session holding an advisory lock on a bigint key: PostgreSQL shows it as two 32-bit halves. */
const HOLDER_SQL = `SELECT a.application_name AS name, a.backend_start AS since
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.classid::bigint = (hashtext($1)::bigint >> 32) & 4294967295 AND l.objid::bigint = hashtext($1)::bigint & 4294967295`;
