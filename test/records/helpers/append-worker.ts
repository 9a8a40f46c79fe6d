/**
 * A separate process that opens a record store and appends numbered records, so tests can append to one database
 * from two processes at once. Usage: `node --import tsx append-worker.ts <target JSON> <start> <end> <batch> [down]`.
 * Prints `{"inserted":n,"duplicates":n}` on standard output.
 */
import { createRecordStore, type RecordStoreTarget } from '../../../records';
import { numberedRecord, range } from './records';

async function run(): Promise<void> {
  const [targetJson, start, end, batch, order] = process.argv.slice(2);
  const target = JSON.parse(targetJson ?? '') as RecordStoreTarget;
  const indexes = range(Number(start), Number(end));
  if (order === 'down') indexes.reverse();
  const store = await createRecordStore(target);
  let inserted = 0;
  let duplicates = 0;
  try {
    for (let k = 0; k < indexes.length; k += Number(batch)) {
      const result = await store.append(indexes.slice(k, k + Number(batch)).map(numberedRecord));
      inserted += result.inserted;
      duplicates += result.duplicates;
    }
  } finally {
    await store.close();
  }
  process.stdout.write(JSON.stringify({ inserted, duplicates }));
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
