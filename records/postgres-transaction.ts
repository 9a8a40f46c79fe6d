/** One PostgreSQL transaction on a pooled client: committed when `work` resolves, rolled back when it throws. */
import type { PoolClient } from 'pg';

export async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
