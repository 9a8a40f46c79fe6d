import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromFixture } from '../../test/replay/history-json';

/**
 * Replays every recorded history in `dir` against the bots in `workflowsPath`; resolves with how many replayed (so a
 * test can tell "all passed" from "none found") and the failures.
 */
export async function replayRecordedHistories(
  dir: string,
  workflowsPath: string,
): Promise<{ replayed: number; failures: string[] }> {
  const histories = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromFixture(fs.readFileSync(path.join(dir, file), 'utf8')),
    }));
  let replayed = 0;
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath }, histories)) {
    replayed += 1;
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  return { replayed, failures };
}
