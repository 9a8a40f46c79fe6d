/**
 * Load scripts (load/script.ts): the examples in load/scripts and docs/load-testing.md parse, and a script with a
 * mistake is refused with the file, the line and the field of each problem.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScriptFile, LoadScriptError, parseLoadScriptJson, replyMatches } from '../../load/script';

const ROOT = path.resolve(__dirname, '../..');

/** The problems a script is refused with. */
function problemsOf(text: string, source = 'bad.json'): string[] {
  try {
    parseLoadScriptJson(text, source);
  } catch (err) {
    assert.ok(err instanceof LoadScriptError, String(err));
    return err.problems;
  }
  assert.fail('the script was accepted');
}

describe('load scripts', () => {
  it('reads every example script in load/scripts, with durations in milliseconds', () => {
    const dir = path.join(ROOT, 'load/scripts');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.includes('greeter.json'));
    for (const file of files) {
      const script = loadScriptFile(path.join(dir, file));
      assert.ok(script.steps.length > 0, file);
    }
    const greeter = loadScriptFile(path.join(dir, 'greeter.json'));
    assert.deepEqual(greeter.steps[0], { kind: 'send', text: 'hi', media: [] });
    assert.deepEqual(greeter.steps[2], { kind: 'think', minMs: 500, maxMs: 2000 });
    assert.equal(greeter.steps[4]!.kind === 'expect' && greeter.steps[4]!.timeoutMs, 30_000);
  });

  it('reads the example in docs/load-testing.md', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/load-testing.md'), 'utf8');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const scripts = blocks.filter((b) => b.includes('"steps"'));
    assert.ok(scripts.length > 0, 'the doc has a JSON script');
    for (const block of scripts) assert.ok(parseLoadScriptJson(block, 'docs/load-testing.md').steps.length > 0);
  });

  it('names the line and the field of a bad regular expression, an unknown key and a bad duration', () => {
    const text = [
      '{',
      '  "steps": [',
      '    { "send": "hi" },',
      '    { "expect": { "regex": "([a-z" } },',
      '    { "think": "soon" },',
      '    { "send": "again", "wait": 3 }',
      '  ]',
      '}',
    ].join('\n');
    const problems = problemsOf(text);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^bad\.json:4: steps\[1\]\.expect\.regex: not a regular expression/);
    assert.match(problems[1]!, /^bad\.json:5: steps\[2\]\.think: .*not a duration: 'soon'/);
    assert.match(problems[2]!, /^bad\.json:6: steps\[3\]: .*"wait"/);
  });

  it('refuses a step that is two things at once, a timeout without an expect, and an empty script', () => {
    const both = problemsOf(
      '{ "steps": [\n  { "send": "hi", "expect": "any" },\n  { "send": "x", "timeout": "1s" }\n] }',
    );
    assert.match(both[0]!, /^bad\.json:2: steps\[0\]: a step is one of send, expect or think \(got send and expect\)/);
    assert.match(both[1]!, /^bad\.json:3: steps\[1\]\.timeout: timeout belongs to an expect step/);
    assert.match(problemsOf('{ "steps": [] }')[0]!, /steps: a script needs at least one step/);
  });

  it('gives the line of a JSON syntax error', () => {
    const problems = problemsOf('{\n  "steps": [\n    { "send": "hi" }\n    { "expect": "any" }\n  ]\n}');
    assert.match(problems[0]!, /^bad\.json:4: not JSON/);
  });

  it('reads a script module and checks it the same way', () => {
    const dir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? os.tmpdir(), 'load-script-'));
    const good = path.join(dir, 'good.js');
    fs.writeFileSync(
      good,
      'module.exports = { default: { steps: [{ send: "hi" }, { expect: { regex: "^hello", flags: "i" } }] } };',
    );
    const script = loadScriptFile(good);
    assert.equal(script.name, 'good');
    const expect = script.steps[1]!;
    assert.ok(expect.kind === 'expect' && replyMatches(expect.expect, 'Hello there'));
    assert.ok(expect.kind === 'expect' && !replyMatches(expect.expect, 'Well, hello'));

    const bad = path.join(dir, 'bad.js');
    fs.writeFileSync(bad, 'module.exports = { steps: [{ send: "" }] };');
    assert.throws(() => loadScriptFile(bad), /bad\.js: steps\[0\]\.send\.text: /);
  });
});
