/**
 * The chaos run's report: one row per phase (its faults; texts sent; answers expected and received; lost, duplicated,
 * unexpected, undelivered and unrecorded answers; wall time) and a total, as a Markdown table that docs/operations.md
 * takes as is; then notes, and the reasons the run failed, if it did.
 */
import { KILL_TARGETS, type KillTarget } from './faults';
import { noInboxes, type InboxCount } from './handsets';
import { type PhaseResult } from './phase';

const PART: Record<KillTarget, string> = {
  worker: 'worker',
  server: 'webhook server',
  temporal: 'Temporal',
  emulator: 'emulator',
};
const API_FAULT_NAMES: Record<string, string> = {
  error500: '500',
  error503: '503',
  error429: '429',
  acceptThenTimeout: 'accepted, no answer',
  hang: 'hang',
};

/** The faults column of a phase. */
function faultsOf(result: PhaseResult): string {
  if (!result.available) return 'not available (the emulator has no API faults)';
  const { plan, tally } = result;
  const parts: string[] = [];
  for (const target of KILL_TARGETS) {
    const asked = plan.kills[target];
    if (asked === 0) continue;
    const done = tally?.kills[target] ?? 0;
    const midSend = target === 'worker' && tally?.midSend ? ` (${tally.midSend} mid-send)` : '';
    parts.push(
      `${done === asked ? done : `${done} of ${asked}`} ${PART[target]} SIGKILL${asked === 1 ? '' : 's'}${midSend}`,
    );
  }
  if (plan.callbacks) {
    parts.push(`${tally?.callbackDuplicates ?? '?'} callbacks duplicated, 30 % reordered`);
  }
  if (plan.apiFaults) {
    const counts = Object.entries(tally?.apiFaults ?? {}).filter(([, n]) => n > 0);
    parts.push(
      counts.length === 0
        ? 'no API faults drawn'
        : `API faults: ${counts.map(([kind, n]) => `${API_FAULT_NAMES[kind] ?? kind} x${n}`).join(', ')}`,
    );
  }
  return parts.join('; ') || 'none';
}

/** The counted columns, in the table's order. */
const COUNTED = [
  'texts',
  'expected',
  'received',
  'lost',
  'duplicated',
  'unexpected',
  'undelivered',
  'unrecorded',
] as const;

const COLUMNS = ['phase', 'faults', ...COUNTED, 'time'];

function row(name: string, faults: string, count: InboxCount, seconds: number): string[] {
  return [name, faults, ...COUNTED.map((key) => String(count[key])), `${seconds} s`];
}

/** The Markdown table: a row per phase and a total. */
export function formatTable(results: readonly PhaseResult[]): string {
  const total = noInboxes();
  for (const r of results) for (const key of COUNTED) total[key] += r.count[key];
  const kills = results.reduce((sum, r) => sum + KILL_TARGETS.reduce((n, t) => n + (r.tally?.kills[t] ?? 0), 0), 0);
  const midSend = results.reduce((sum, r) => sum + (r.tally?.midSend ?? 0), 0);
  const rows = [
    COLUMNS,
    ...results.map((r) => row(r.plan.name, faultsOf(r), r.count, r.seconds)),
    row(
      '**total**',
      `${kills} SIGKILLs (${midSend} mid-send)`,
      total,
      results.reduce((sum, r) => sum + r.seconds, 0),
    ),
  ];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const numeric = (c: number) => c >= 2;
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => (numeric(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (numeric(c) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** How many findings (answers lost or duplicated) a phase lists at most. */
const FINDINGS_SHOWN = 20;

/**
 * What else the run saw: each answer lost or duplicated (which handset, when), parts that died on their own, kills
 * after the load, answers that came late.
 */
export function notesOf(results: readonly PhaseResult[]): string[] {
  const notes: string[] = [];
  for (const r of results) {
    const name = r.plan.name;
    for (const finding of r.count.findings.slice(0, FINDINGS_SHOWN)) notes.push(`${name}: ${finding}`);
    if (r.count.findings.length > FINDINGS_SHOWN) {
      notes.push(`${name}: ... and ${r.count.findings.length - FINDINGS_SHOWN} more`);
    }
    for (const note of r.tally?.notes ?? []) notes.push(`${name}: ${note}`);
    if (r.tally && r.tally.afterLoad > 0)
      notes.push(`${name}: ${r.tally.afterLoad} kills came after the handsets had finished`);
    if (r.replyTimeouts > 0) {
      notes.push(`${name}: ${r.replyTimeouts} answers took longer than the reply timeout (the handset texted again)`);
    }
    const exits = new Map<string, number>();
    for (const e of r.exits) exits.set(e.part, (exits.get(e.part) ?? 0) + 1);
    for (const [part, n] of exits) notes.push(`${name}: ${part} exited on its own ${n} time(s) and was started again`);
  }
  return notes;
}

/**
 * Why the run failed: any answer lost, duplicated, unexpected, undelivered or unrecorded, fewer kills than asked, a
 * phase error.
 */
export function failuresOf(results: readonly PhaseResult[]): string[] {
  const failures: string[] = [];
  for (const r of results) {
    const name = r.plan.name;
    if (r.error) failures.push(`${name}: ${r.error}`);
    if (!r.available) continue;
    const c = r.count;
    if (c.lost > 0) failures.push(`${name}: ${c.lost} texts got no answer`);
    if (c.duplicated > 0) failures.push(`${name}: ${c.duplicated} answers were sent twice`);
    if (c.unexpected > 0) failures.push(`${name}: ${c.unexpected} answers answer no text that was sent`);
    if (c.undelivered > 0) failures.push(`${name}: ${c.undelivered} answers were accepted but never delivered`);
    if (c.unrecorded > 0) failures.push(`${name}: ${c.unrecorded} answers are missing from the message records`);
    if (!r.settled && !r.error) failures.push(`${name}: did not settle (work still pending at the settle timeout)`);
    for (const target of KILL_TARGETS) {
      const asked = r.plan.kills[target];
      const done = r.tally?.kills[target] ?? 0;
      if (done < asked) failures.push(`${name}: ${done} of ${asked} ${PART[target]} SIGKILLs happened`);
    }
  }
  return failures;
}
