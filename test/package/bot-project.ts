/**
 * A bot author's project, as the README's "Install" section starts one: `threadline` installed from the packed
 * tarball, TypeScript compiled with tsc, one bot, and its kit test run with node's own test runner.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Our number in the project's conversations, and the phone that texts it (numbers no other test uses). */
export const OUR_NUMBER = '+19195550177';
export const HANDSET = '+19195558642';

const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'my-bots', version: '1.0.0', private: true }, null, 2),
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        types: ['node'],
        skipLibCheck: true,
        rootDir: 'src',
        outDir: 'dist',
      },
      include: ['src'],
    },
    null,
    2,
  ),
  'src/bots/parrot.ts': `import { defineBot } from 'threadline/workflows';

/** Asks for a word and shouts it back. */
export const parrotBot = defineBot(async (chat) => {
  const word = await chat.ask('Say a word and I will shout it back.', { timeout: '10 minutes' });
  if (word === null) return;
  await chat.say(\`\${word.text.trim().toUpperCase()}!\`);
});
`,
  'src/bots/index.ts': `export { parrotBot } from './parrot';
`,
  'src/test/parrot.test.ts': `import { test } from 'node:test';
import { createBotTestEnvironment } from 'threadline/kit';

test('the parrot asks for a word and shouts it back', async () => {
  const kit = await createBotTestEnvironment({ workflows: { workflowsPath: require.resolve('../bots') } });
  try {
    const chat = await kit.startBot('parrotBot');
    await chat.text('hi');
    await chat.expectReply('Say a word and I will shout it back.');
    await chat.text('hello');
    await chat.expectReply('HELLO!');
    const outcome = await chat.result();
    if (outcome.ended !== 'bot-finished') throw new Error(\`the conversation ended: \${outcome.ended}\`);
  } finally {
    await kit.teardown();
  }
});
`,
};

/** Writes the project's files into `dir`. */
export function writeBotProject(dir: string): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects on a non-zero exit (the test asserts the code). */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<Finished>((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What a run printed, for an assertion's message. */
export function output(finished: Finished): string {
  return `exit code ${finished.code}\n--- stdout\n${finished.stdout}\n--- stderr\n${finished.stderr}`;
}
