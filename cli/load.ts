/**
 * `threadline load` (and `npm run load`): N simulated handsets run a script's dialogue against a bot through the
 * emulator (load/runner.ts), then the report is printed and written as JSON and as a self-contained HTML page with
 * charts. Against a running stack (`npm start`, or any stack with Threadline's emulator: --emulator-url, --bot-number),
 * or with --own-stack against a stack of its own in this process. docs/load-testing.md has the script format and every
 * report field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/env';
import { liftRateLimit } from '../load/emulator-admin';
import { htmlReport } from '../load/html-report';
import { startOwnStack, type OwnStack } from '../load/own-stack';
import { loadPriceTable } from '../load/prices';
import type { LoadReport } from '../load/report';
import { runLoad, type Injection } from '../load/runner';
import { loadScriptFile, LoadScriptError } from '../load/script';
import { parseDuration } from '../workflows/duration';
import { CliError } from './cli-error';

export interface LoadCommandOptions {
  emulatorUrl?: string;
  botNumber?: string;
  handsets?: string;
  conversations?: string;
  duration?: string;
  concurrency?: string;
  inFlight?: string;
  ramp?: string;
  firstHandset?: string;
  via?: 'handset' | 'webhook';
  webhookUrl?: string;
  liftRateLimit?: boolean;
  ownStack?: boolean;
  bot?: string;
  settle?: string;
  prices?: string;
  out?: string;
  maxFailures?: string;
}

function count(value: string | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`${name} must be a whole number of at least ${min}, not ${value}`);
  return n;
}

function duration(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(/^\d+$/.test(value) ? Number(value) : (value as never));
  } catch {
    throw new CliError(`${name}: not a duration: ${value} (e.g. 500ms, 30s, 2m)`);
  }
}

/** The lines printed at the end of a run. */
export function describeReport(report: LoadReport, files: string[]): string[] {
  const c = report.conversations;
  const l = report.replyLatencyMs;
  const lines = [
    `${report.script.name}: ${c.completed} of ${c.started} conversations completed, ${c.failed} failed, in ${(report.durationMs / 1000).toFixed(1)} s`,
    `  ${c.perSecond} conversations/s; reply latency p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms (${l.n} replies)`,
    `  messages: ${report.messages.inbound.messages} in (${report.messages.inbound.segments} segments), ` +
      `${report.messages.outbound.messages} out (${report.messages.outbound.segments} segments); ` +
      `cost ${report.cost.total} ${report.cost.currency} (price table: ${report.cost.priceTable})`,
  ];
  for (const f of report.failures) {
    lines.push(
      `  failed: ${f.count} × ${f.reason}${f.code !== undefined ? ` ${f.code}` : ''}${f.name ? ` ${f.name}` : ''}`,
    );
  }
  lines.push(`  report: ${files.join(', ')}`);
  return lines;
}

/** Runs `threadline load <script>`; prints progress and the summary with `print`. */
export async function load(scriptFile: string, options: LoadCommandOptions, print: (line: string) => void) {
  let script;
  try {
    script = loadScriptFile(scriptFile);
  } catch (err) {
    if (err instanceof LoadScriptError) throw new CliError(err.message);
    throw err;
  }
  let prices;
  try {
    prices = loadPriceTable(options.prices);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const config = loadConfig();
  let own: OwnStack | undefined;
  let emulatorUrl = options.emulatorUrl ?? config.emulator.baseUrl;
  let webhookUrl = options.webhookUrl ?? `${config.server.publicUrl}/callbacks/messaging`;
  if (options.ownStack) {
    print('starting an own stack (Temporal dev server, emulator, webhook server, worker)...');
    // The worker's SDK logs at WARN here: the run's progress is what this command prints.
    const { DefaultLogger, Runtime } = await import('@temporalio/worker');
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    own = await startOwnStack({ bot: options.bot, log: print });
    emulatorUrl = own.emulatorUrl;
    webhookUrl = `${own.serverUrl}/callbacks/messaging`;
  } else if (options.bot) {
    throw new CliError('--bot chooses the bot of --own-stack; a running stack answers with its own routing');
  }
  const botNumber = options.botNumber ?? (own ?? { config }).config.bandwidth.number;
  const injection: Injection =
    options.via === 'webhook'
      ? { via: 'webhook', url: webhookUrl, applicationId: (own ?? { config }).config.bandwidth.applicationId }
      : { via: 'handset' };
  try {
    if (options.liftRateLimit && !own) await liftRateLimit(emulatorUrl, config.bandwidth.accountId);
    const handsets = count(options.handsets, '--handsets') ?? 10;
    print(`${script.name}: ${handsets} handsets texting ${botNumber} through ${emulatorUrl}`);
    const report = await runLoad({
      emulatorUrl,
      botNumber,
      script,
      handsets,
      conversations: count(options.conversations, '--conversations'),
      durationMs: duration(options.duration, '--duration'),
      concurrency: count(options.concurrency, '--concurrency'),
      inFlight: count(options.inFlight, '--in-flight'),
      rampMs: duration(options.ramp, '--ramp'),
      firstHandset: count(options.firstHandset, '--first-handset', 0),
      injection,
      settleMs: duration(options.settle, '--settle'),
      prices: prices.table,
      priceSource: prices.source,
      log: print,
    }).catch((err: unknown) => {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      if (cause === 'ECONNREFUSED') {
        throw new CliError(`cannot reach the emulator at ${emulatorUrl}: is the stack running (npm start)?`);
      }
      throw err;
    });
    const out = options.out ?? 'load-report';
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(`${out}.json`, `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(`${out}.html`, htmlReport(report));
    for (const line of describeReport(report, [`${out}.json`, `${out}.html`])) print(line);
    const allowed = count(options.maxFailures, '--max-failures', 0);
    if (allowed !== undefined && report.conversations.failed > allowed) {
      throw new CliError(`${report.conversations.failed} conversations failed (at most ${allowed} allowed)`);
    }
  } finally {
    await own?.stop();
  }
}
