/**
 * Replay tests: every recorded history in test/fixtures/histories/ (real conversations, recorded from a dev server by
 * test/replay/record.ts) must replay against today's bots without a nondeterminism error. This is what keeps a change
 * to a bot from breaking the conversations already running on it. Replay needs no server.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Worker, bundleWorkflowCode, type ReplayWorkerOptions } from '@temporalio/worker';
import { workflowSource } from '../helpers/temporal';
import { historyFromFixture } from './history-json';

const dir = path.resolve(__dirname, '../fixtures/histories');
const fixtures = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

function load(file: string) {
  return {
    workflowId: path.basename(file, '.json'),
    history: historyFromFixture(fs.readFileSync(path.join(dir, file), 'utf8')),
  };
}

const ids = (files: string[]) => files.map((file) => path.basename(file, '.json')).sort();

async function replayAll(options: ReplayWorkerOptions, files: string[]): Promise<Map<string, Error | undefined>> {
  const results = new Map<string, Error | undefined>();
  for await (const result of Worker.runReplayHistories(options, files.map(load))) {
    results.set(result.workflowId, result.error);
  }
  return results;
}

describe('replaying recorded conversations', () => {
  it('has recorded histories of every example bot to replay', () => {
    for (const bot of ['greeter', 'survey-v1', 'survey-v2', 'group-coordinator', 'photo-follow-up']) {
      assert.ok(
        fixtures.some((f) => f.startsWith(bot)),
        `no recorded history for ${bot}`,
      );
    }
  });

  it('replays every recorded history against the current bots', async () => {
    assert.ok(fixtures.length > 0, 'no recorded histories');
    const results = await replayAll(workflowSource(), fixtures);
    assert.deepEqual([...results.keys()].sort(), ids(fixtures), 'not every recorded history replayed');
    for (const [workflowId, error] of results) assert.equal(error, undefined, `${workflowId}: ${String(error)}`);
  });

  describe('the survey intro patch', () => {
    const v1 = fixtures.filter((f) => f.startsWith('survey-v1'));
    let unpatched: ReplayWorkerOptions;
    before(async () => {
      const bundle = await bundleWorkflowCode({
        workflowsPath: path.resolve(__dirname, 'unpatched-survey.ts'),
        logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
      });
      unpatched = { workflowBundle: bundle };
    });

    it('is what lets surveys started on version 1 replay: without it they fail with a nondeterminism error', async () => {
      assert.ok(v1.length >= 2);
      const results = await replayAll(unpatched, v1);
      assert.deepEqual([...results.keys()].sort(), ids(v1), 'not every version-1 history replayed');
      for (const [workflowId, error] of results) {
        assert.ok(error, `${workflowId} replayed without the patch`);
        assert.match(error.name, /DeterminismViolationError/);
      }
    });
  });
});
