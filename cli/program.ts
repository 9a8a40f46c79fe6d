/**
 * The `threadline` command: every Threadline process and a few operator tools, with `--help` on each. Settings come
 * from the environment (config/env.ts; Temporal's own TEMPORAL_* variables); the few options here override it.
 *
 * Exit codes: 0 done (a long-running command: stopped cleanly), 1 failed (the reason on stderr), 2 wrong usage.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import type { listConversations, printTranscript, showConversation } from './conversations';
import type { LoadCommandOptions } from './load';
import type { send } from './send';

// Each command loads its module when it runs, so that `--help` and the quick commands do not load the whole stack.
const start = async () => (await import('./start')).main();
const worker = async () => (await import('./worker')).main();
const server = async () => (await import('./server')).main();
const emulator = async () => (await import('./emulator')).main();
const toolchain = async () => (await import('./toolchain')).main();

const WORKFLOWS_HELP =
  'the module that exports your bots by name (sets THREADLINE_WORKFLOWS; default: the bots that come with Threadline)';

const ENVIRONMENT_HELP = `
Settings come from the environment; the main ones:
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE   the Temporal server, namespace and task queue
  THREADLINE_WORKFLOWS, THREADLINE_DEFAULT_BOT, THREADLINE_ROUTES   your bots, and which bot answers which number
  BANDWIDTH_BASE_URL, BANDWIDTH_ACCOUNT_ID, BANDWIDTH_CLIENT_ID, BANDWIDTH_CLIENT_SECRET, BANDWIDTH_APPLICATION_ID,
  BANDWIDTH_NUMBER   Bandwidth (unset BANDWIDTH_BASE_URL: the local emulator)
  PORT, PUBLIC_URL, EMULATOR_PORT, DATABASE_URL, THREADLINE_DATA_DIR, OPERATOR_TOKEN, LOG_LEVEL
The whole list is in the README ("Configuration").

Exit codes: 0 done (a long-running command: stopped cleanly), 1 failed (the reason on stderr), 2 wrong usage.`;

/** This package's version (its package.json, found by name from the repository and from the installed package). */
function packageVersion(): string {
  const file = require.resolve('threadline/package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** `--workflows` for the commands that run or route to bots. */
function withWorkflows(command: Command): Command {
  return command.option('--workflows <module>', WORKFLOWS_HELP).hook('preAction', (cmd) => {
    const { workflows } = cmd.opts<{ workflows?: string }>();
    if (workflows) process.env.THREADLINE_WORKFLOWS = workflows;
  });
}

/** `--server-url` and `--token` for the operator API commands. */
function withOperatorApi(command: Command): Command {
  return command
    .option('--server-url <url>', 'the webhook server (default THREADLINE_SERVER_URL, else PUBLIC_URL, else :PORT)')
    .option('--token <token>', 'the operator API token (default OPERATOR_TOKEN)')
    .option('--json', 'print the API\u2019s JSON');
}

/** Builds the program; `print` receives what a command prints on stdout. */
export function createProgram(print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Command {
  const program = new Command('threadline')
    .description('SMS/MMS conversations as durable Temporal workflows on the Bandwidth Messaging API')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ENVIRONMENT_HELP);

  withWorkflows(
    program
      .command('start')
      .description(
        'the whole stack on one machine: a Temporal dev server (unless one answers at TEMPORAL_ADDRESS), the ' +
          'Bandwidth emulator, the webhook server and a worker',
      ),
  ).action(() => start());

  withWorkflows(
    program
      .command('worker')
      .description('a worker: runs the bots (your --workflows module, bundled at start) and the send activities'),
  ).action(() => worker());

  withWorkflows(
    program
      .command('server')
      .description('the webhook server (Bandwidth callbacks) and the operator API, without a worker'),
  ).action(() => server());

  program
    .command('emulator')
    .description('the local Bandwidth emulator on its own (EMULATOR_PORT; handsets at /emulator/handsets)')
    .action(() => emulator());

  program
    .command('toolchain')
    .description(
      'installs the Temporal CLI (dev server) and the time-skipping test server (for threadline/kit) into the cache',
    )
    .action(() => toolchain());

  program
    .command('send')
    .description(
      'sends one text: from a simulated phone to our number through the emulator, or from our number through ' +
        'Bandwidth; prints the message id',
    )
    .argument('<text>', 'the text')
    .option('--from <number>', 'the sender: the phone (emulator), or our number (bandwidth; default BANDWIDTH_NUMBER)')
    .option('--to <number>', 'the recipient: our number (emulator; default BANDWIDTH_NUMBER), or the phone (bandwidth)')
    .addOption(
      new Option(
        '--via <api>',
        'emulator or bandwidth (default: the emulator unless BANDWIDTH_BASE_URL is set)',
      ).choices(['emulator', 'bandwidth']),
    )
    .option('--emulator-url <url>', 'the emulator (default http://127.0.0.1:EMULATOR_PORT)')
    .addOption(
      new Option('--wait <seconds>', 'wait this long for the reply and print it (emulator)').argParser((value) => {
        const seconds = Number(value);
        if (!(seconds > 0)) throw new Error(`--wait must be a positive number of seconds, not ${value}`);
        return seconds;
      }),
    )
    .action(async (text: string, options: Parameters<typeof send>[1]) =>
      (await import('./send')).send(text, options, print),
    );

  program
    .command('load')
    .description(
      'load-tests a bot: simulated handsets run a scripted dialogue through the emulator; reports conversations/s, ' +
        'reply latency, failures by error code, segments and cost (JSON and HTML; docs/load-testing.md)',
    )
    .argument(
      '<script>',
      'the dialogue: a .json file, or a .ts/.js module exporting it (e.g. load/scripts/greeter.json)',
    )
    .option('--emulator-url <url>', 'the emulator of the stack under test (default http://127.0.0.1:EMULATOR_PORT)')
    .option('--bot-number <number>', 'the number the handsets text (default BANDWIDTH_NUMBER)')
    .option('--handsets <n>', 'simulated phones (default 10)')
    .option('--conversations <n>', 'conversations in all (default: one per handset, or unbounded with --duration)')
    .option('--duration <duration>', 'start conversations for this long (e.g. 60s)')
    .option('--concurrency <n>', 'conversations at once (default: --handsets)')
    .option('--in-flight <n>', 'texts being posted at once (default: --concurrency)')
    .option('--ramp <duration>', 'start the first conversations evenly over this long (default 0)')
    .option('--first-handset <n>', 'handset i is +1919 and 6000000 + n + i (default: a random block of new phones)')
    .addOption(
      new Option('--via <path>', 'texts through the emulator (handset) or as callbacks to the webhook server').choices([
        'handset',
        'webhook',
      ]),
    )
    .option('--webhook-url <url>', 'with --via webhook: the webhook server (default PUBLIC_URL/callbacks/messaging)')
    .option('--lift-rate-limit', 'lift the account\u2019s send rate limit through the emulator\u2019s admin API first')
    .option('--own-stack', 'start a stack in this process (Temporal dev server, emulator, server, worker) and test it')
    .option('--bot <name>', 'with --own-stack: the bot that answers (default THREADLINE_DEFAULT_BOT)')
    .option('--settle <duration>', 'wait this long at most for the replies\u2019 delivery outcomes (default 10s)')
    .option('--prices <file>', 'a price table (JSON; default THREADLINE_PRICE_TABLE, else the built-in list prices)')
    .option('--out <prefix>', 'write <prefix>.json and <prefix>.html (default load-report)')
    .option('--max-failures <n>', 'exit 1 when more conversations than this fail')
    .action(async (script: string, options: LoadCommandOptions) =>
      (await import('./load')).load(script, options, print),
    );

  const conversations = program
    .command('conversations')
    .description('conversations through the operator API of a running webhook server');
  withOperatorApi(conversations.command('list').description('lists conversations, newest first'))
    .option('--our-number <number>', 'only conversations on this number of ours')
    .option('--participant <number>', 'only conversations with this participant')
    .option('--state <state>', 'only conversations in this state')
    .addOption(new Option('--status <status>', 'running, closed or all').choices(['running', 'closed', 'all']))
    .option('--limit <n>', 'at most this many (1-100, default 20)')
    .option('--cursor <cursor>', 'the next page (printed after a full page)')
    .action(async (options: Parameters<typeof listConversations>[0]) =>
      (await import('./conversations')).listConversations(options, print),
    );
  withOperatorApi(conversations.command('show').description('one conversation (JSON)'))
    .argument('<conversationId>')
    .action(async (id: string, options: Parameters<typeof showConversation>[1]) =>
      (await import('./conversations')).showConversation(id, options, print),
    );
  withOperatorApi(conversations.command('transcript').description('a conversation\u2019s messages, one a line'))
    .argument('<conversationId>')
    .action(async (id: string, options: Parameters<typeof printTranscript>[1]) =>
      (await import('./conversations')).printTranscript(id, options, print),
    );
  return program;
}
