/**
 * The authoring guide cannot rot: each of its code blocks is a file in docs/snippets/ (type-checked by `tsc`, which
 * includes docs/), byte for byte, and the snippets run here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';
import { orderReadyBotFallsBackAndTimesOut } from '../../docs/snippets/order-ready-bot.kit';
import { replayRecordedHistories } from '../../docs/snippets/replay-fixtures';

const root = path.resolve(__dirname, '../..');
const snippetDir = path.join(root, 'docs/snippets');

function codeBlocks(doc: string): { snippet: string | null; code: string }[] {
  const text = fs.readFileSync(path.join(root, doc), 'utf8');
  const blocks: { snippet: string | null; code: string }[] = [];
  const fence = /(?:<!-- snippet: (\S+) -->\n)?```[a-z]*\n([\s\S]*?)```/g;
  for (let m = fence.exec(text); m; m = fence.exec(text)) blocks.push({ snippet: m[1] ?? null, code: m[2]! });
  return blocks;
}

describe('the authoring guide', () => {
  it('shows every snippet file, each byte-identical to its code block', () => {
    const blocks = codeBlocks('docs/authoring-guide.md');
    assert.ok(blocks.length >= 4);
    for (const block of blocks) {
      assert.ok(block.snippet, `a code block is not a snippet file:\n${block.code.slice(0, 200)}`);
      assert.equal(block.code, fs.readFileSync(path.join(root, block.snippet), 'utf8'), `${block.snippet} differs`);
    }
    const shown = new Set(blocks.map((b) => b.snippet));
    for (const file of fs.readdirSync(snippetDir))
      assert.ok(shown.has(`docs/snippets/${file}`), `${file} is not shown`);
  });

  it('has no code blocks in the versioning guide that are not snippet files', () => {
    for (const block of codeBlocks('docs/versioning.md')) assert.ok(block.snippet);
  });

  describe('its snippets run', () => {
    let kit: BotTestEnvironment;
    before(async () => {
      kit = await createBotTestEnvironment({ workflows: { workflowsPath: path.join(snippetDir, 'bots.ts') } });
    });
    after(async () => {
      await kit?.teardown();
    });

    it('the order-ready bot passes the kit test the guide shows', async () => {
      await orderReadyBotFallsBackAndTimesOut(kit);
    });

    it('replays the committed histories with the replay snippet', async () => {
      const failures = await replayRecordedHistories(
        path.join(root, 'test/fixtures/histories'),
        path.join(root, 'workflows/index.ts'),
      );
      assert.deepEqual(failures, []);
    });
  });
});
