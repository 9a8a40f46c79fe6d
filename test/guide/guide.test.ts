/**
 * The guides cannot rot. Each code block of the authoring guide is a file in docs/snippets/ (type-checked by `tsc`,
 * which includes docs/), byte for byte, and the snippets run here. Each code block of the versioning guide is a run
 * of consecutive lines of the repository file it names (an excerpt), so it changes when that code does.
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

/** A fenced code block, and the file its marker says it shows: whole (`snippet`) or in part (`excerpt`). */
interface CodeBlock {
  snippet: string | null;
  excerpt: string | null;
  code: string;
}

function codeBlocks(doc: string): CodeBlock[] {
  const text = fs.readFileSync(path.join(root, doc), 'utf8');
  const blocks: CodeBlock[] = [];
  const fence = /(?:<!-- (snippet|excerpt): (\S+) -->\n)?```[a-z]*\n([\s\S]*?)```/g;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    blocks.push({
      snippet: m[1] === 'snippet' ? m[2]! : null,
      excerpt: m[1] === 'excerpt' ? m[2]! : null,
      code: m[3]!,
    });
  }
  return blocks;
}

/** Whether the lines of `code` are consecutive lines of `file`, all indented by the same amount there. */
function isExcerptOf(code: string, file: string): boolean {
  const wanted = code.trimEnd().split('\n');
  const lines = file.split('\n');
  return lines.some((line, start) => {
    const indent = line.slice(0, line.length - wanted[0]!.length);
    return (
      line.endsWith(wanted[0]!) &&
      indent.trim() === '' &&
      wanted.every((w, i) => lines[start + i] === (w === '' ? '' : indent + w))
    );
  });
}

describe('the authoring guide', () => {
  it('shows every snippet file, each byte-identical to its code block', () => {
    const blocks = codeBlocks('docs/authoring-guide.md');
    assert.ok(blocks.length >= 4, `the authoring guide shows ${blocks.length} code blocks`);
    for (const block of blocks) {
      assert.ok(block.snippet, `a code block is not a snippet file:\n${block.code.slice(0, 200)}`);
      assert.equal(block.code, fs.readFileSync(path.join(root, block.snippet), 'utf8'), `${block.snippet} differs`);
    }
    const shown = new Set(blocks.map((b) => b.snippet));
    for (const file of fs.readdirSync(snippetDir))
      assert.ok(shown.has(`docs/snippets/${file}`), `${file} is not shown`);
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
      const dir = path.join(root, 'test/fixtures/histories');
      const recorded = fs.readdirSync(dir).filter((file) => file.endsWith('.json')).length;
      assert.ok(recorded > 0, 'no recorded histories');
      const result = await replayRecordedHistories(dir, path.join(root, 'workflows/index.ts'));
      assert.deepEqual(result, { replayed: recorded, failures: [] });
    });
  });
});

describe('the versioning guide', () => {
  it('shows only code that is in the repository, line for line', () => {
    const blocks = codeBlocks('docs/versioning.md');
    assert.ok(blocks.length >= 3, `the versioning guide shows ${blocks.length} code blocks`);
    for (const block of blocks) {
      assert.ok(block.excerpt, `a code block is not an excerpt:\n${block.code.slice(0, 200)}`);
      const file = fs.readFileSync(path.join(root, block.excerpt), 'utf8');
      assert.ok(isExcerptOf(block.code, file), `not in ${block.excerpt}:\n${block.code}`);
    }
  });
});
