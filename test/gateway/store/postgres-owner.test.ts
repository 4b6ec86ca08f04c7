import { hostname } from 'node:os';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresJournalOwner } from '../../../gateway/store/postgres-owner.js';
import { waitFor } from '../../e2e/stack.js';
import { adminClient, PG_URL, schemaName } from './postgres-fixture.js';

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin?.end();
});

/** The sessions holding (or taking) an owner lock for this process. */
const ownerSessions = async (): Promise<number[]> =>
  (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [`pos-gateway owner pid ${process.pid} on ${hostname()}`.slice(0, 63)])).rows.map((r) => r.pid);

describe('PostgresJournalOwner', () => {
  it('holds a schema against a second owner until released', async () => {
    const schema = schemaName('posgw_owner');
    const first = await PostgresJournalOwner.take(PG_URL, schema, 'test', () => undefined);
    await expect(PostgresJournalOwner.take(PG_URL, schema, 'test', () => undefined)).rejects.toMatchObject({
      code: 'JOURNAL_IN_USE',
      message: expect.stringMatching(/^journal schema "posgw_owner_\w+" at PostgreSQL test is in use by "pos-gateway owner pid \d+ on .+" \(since \d{4}-/),
    });
    // another schema is another journal
    const other = await PostgresJournalOwner.take(PG_URL, schemaName('posgw_owner'), 'test', () => undefined);
    await other.release();
    await first.release();
    const again = await PostgresJournalOwner.take(PG_URL, schema, 'test', () => undefined);
    await again.release();
  });

  it('says when its connection is lost, and takes the lock again on a new one', async () => {
    const schema = schemaName('posgw_owner');
    const lost: string[] = [];
    const owner = await PostgresJournalOwner.take(PG_URL, schema, 'test', (m) => lost.push(m));
    try {
      const [pid] = await ownerSessions();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await waitFor(() => lost.length > 0, 5_000, 'the lost lock told');
      expect(lost[0]).toContain('the connection holding the journal lock closed');
      // taken again on a new session: a second owner is refused once more
      await waitFor(async () => (await ownerSessions()).some((p) => p !== pid), 5_000, 'the lock taken on a new session');
      await expect(PostgresJournalOwner.take(PG_URL, schema, 'test', () => undefined)).rejects.toMatchObject({ code: 'JOURNAL_IN_USE' });
    } finally {
      await owner.release();
    }
    await waitFor(async () => (await ownerSessions()).length === 0, 5_000, 'no owner session left');
  });
});
