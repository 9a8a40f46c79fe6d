/**
 * The load report as one self-contained HTML page: the headline figures, then charts drawn inline as SVG
 * (load/svg.ts; no script, no stylesheet or font from anywhere else): conversations ended per second over the run,
 * reply latency p50/p90/p99 in all and per expect step, failures by reason and error code, messages and cost; then
 * the failures' examples and the settings. Opens from disk, attaches to an issue, prints.
 */
import { barChart, columnChart, COLORS, escapeXml, formatNumber } from './svg';
import type { LoadReport } from './report';

const money = (amount: number, currency: string) => `${amount.toFixed(amount >= 1 ? 2 : 4)} ${currency}`;

function failureLabel(f: LoadReport['failures'][number]): string {
  const code = f.code !== undefined ? ` ${f.code}` : '';
  const name = f.name !== undefined && f.name !== `HTTP ${f.code}` ? ` ${f.name}` : '';
  return `${f.reason}${code}${name}`;
}

function latencyChart(report: LoadReport): string {
  const bars = [
    { label: 'all replies p50', value: report.replyLatencyMs.p50 },
    { label: 'all replies p90', value: report.replyLatencyMs.p90 },
    { label: 'all replies p99', value: report.replyLatencyMs.p99 },
  ];
  for (const step of report.steps) {
    if (!step.latencyMs || step.latencyMs.n === 0) continue;
    bars.push(
      { label: `step ${step.step + 1} p50`, value: step.latencyMs.p50 },
      { label: `step ${step.step + 1} p99`, value: step.latencyMs.p99 },
    );
  }
  return barChart({
    title: 'Reply latency, ms (from the text leaving a handset to the reply reaching the emulator)',
    bars: bars
      .filter((b) => Number.isFinite(b.value))
      .map((b) => ({ ...b, color: b.label.includes('p50') ? COLORS.threadline : COLORS.bare })),
    unit: 'ms',
    empty: 'no replies',
  });
}

function timelineChart(report: LoadReport): string {
  return columnChart({
    title: 'Conversations ended, per second of the run',
    series: [
      { name: 'completed', color: COLORS.met, values: report.timeline.map((t) => t.completed) },
      { name: 'failed', color: COLORS.missed, values: report.timeline.map((t) => t.failed) },
    ],
    xLabel: (i) => `${i} s`,
    unit: 'conversations',
  });
}

function failuresChart(report: LoadReport): string {
  return barChart({
    title: 'Failures by reason and error code (conversations)',
    bars: report.failures.map((f) => ({ label: failureLabel(f), value: f.count, color: COLORS.missed })),
    unit: '',
    empty: 'no failures',
  });
}

function messagesChart(report: LoadReport): string {
  const { inbound, outbound } = report.messages;
  return barChart({
    title: `Messages and SMS segments (cost ${money(report.cost.total, report.cost.currency)})`,
    bars: [
      { label: 'texts from handsets', value: inbound.messages, color: COLORS.bare },
      { label: 'their segments', value: inbound.segments, color: COLORS.bare },
      { label: 'replies from the bot', value: outbound.messages },
      { label: 'their segments', value: outbound.segments },
    ],
    unit: '',
  });
}

const row = (name: string, value: string) => `<tr><th>${escapeXml(name)}</th><td>${escapeXml(value)}</td></tr>`;

/** The report as an HTML document. */
export function htmlReport(report: LoadReport): string {
  const c = report.conversations;
  const cost = report.cost;
  const headline = [
    row('conversations', `${c.completed} completed, ${c.failed} failed, of ${c.started} started`),
    row('conversations per second', formatNumber(c.perSecond)),
    row(
      'reply latency',
      `p50 ${report.replyLatencyMs.p50} ms, p90 ${report.replyLatencyMs.p90} ms, p99 ${report.replyLatencyMs.p99} ms (${report.replyLatencyMs.n} replies)`,
    ),
    row('texts acknowledged per second', formatNumber(report.sends.acknowledgedPerSecond)),
    row(
      'cost',
      `${money(cost.total, cost.currency)} (in ${money(cost.inbound, cost.currency)}, out ${money(cost.outbound, cost.currency)}; ` +
        `${money(cost.perConversation, cost.currency)} per conversation; price table: ${cost.priceTable})`,
    ),
    row('run time', `${(report.durationMs / 1000).toFixed(1)} s`),
  ].join('\n');
  const failures = report.failures
    .map(
      (f) =>
        `<li><b>${escapeXml(failureLabel(f))}</b>: ${f.count}${f.description ? ` <span class="muted">${escapeXml(f.description)}</span>` : ''}<ul>` +
        f.examples
          .map(
            (e) =>
              `<li>${escapeXml(e.handset)}${e.step !== undefined ? `, step ${e.step + 1}` : ''}${e.detail ? `: ${escapeXml(e.detail)}` : ''}</li>`,
          )
          .join('') +
        '</ul></li>',
    )
    .join('\n');
  const settings = Object.entries(report.settings)
    .map(([k, v]) => row(k, String(v)))
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Load test: ${escapeXml(report.script.name)}</title>
<style>
  body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1f2328; margin: 24px; max-width: 760px; }
  table { border-collapse: collapse; margin: 12px 0 20px; }
  th { text-align: left; font-weight: 600; padding: 3px 16px 3px 0; vertical-align: top; }
  td { padding: 3px 0; }
  figure { margin: 0 0 16px; }
  .muted { color: #57606a; }
</style>
</head>
<body>
<h1>Load test: ${escapeXml(report.script.name)}</h1>
<p class="muted">${escapeXml(report.script.description ?? '')} Run by threadline load on ${escapeXml(report.date)}.</p>
<table>
${headline}
</table>
<figure class="chart">${timelineChart(report)}</figure>
<figure class="chart">${latencyChart(report)}</figure>
<figure class="chart">${failuresChart(report)}</figure>
<figure class="chart">${messagesChart(report)}</figure>
<h2>Failures</h2>
${failures ? `<ul>\n${failures}\n</ul>` : '<p>None.</p>'}
<h2>Settings</h2>
<table>
${settings}
</table>
</body>
</html>
`;
}
