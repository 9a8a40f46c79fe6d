/**
 * `npm run bench:chart` (and the end of `npm run bench`): docs/bench.svg, Threadline's latency and capacity beside bare
 * Temporal's, drawn from bench/results.json. Hand-written SVG (bars, text, one dashed target mark per row): a charting
 * library would bring a DOM or a canvas for a dozen rectangles. Each row has its own scale; the dashed mark is where
 * Threadline's bar would have to end to meet the target. Escaping, number format, palette and styles are the load
 * tool's (load/svg.ts), so the benchmark chart and the load report look alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CHART_STYLE, COLORS, escapeXml as escape, FONT, formatNumber as number } from '../load/svg';
import { readResults } from './targets';

const OUT = path.resolve(__dirname, '../docs/bench.svg');

interface Row {
  label: string;
  /** Threadline's figure and bare Temporal's, in `unit`; null when not measured. */
  values: { threadline: number; bare: number } | null;
  unit: string;
  /** Threadline must stay below (latency) or above (capacity) `bare × ratio`. */
  target: { ratio: number; direction: 'at most' | 'at least' };
  source: string;
}

interface Panel {
  title: string;
  rows: Row[];
}

const P50 = z.object({ p50: z.number() });
const Latency = z.object({
  oneConversation: z.object({ threadlineReplyAccepted: P50, bareLocalActivity: P50 }),
  twentyConversations: z.object({ threadlineReplyAccepted: P50, bareLocalActivity: P50 }),
});
const Burst = z.object({ turnsPerSecond: z.object({ threadline: z.number(), bare: z.number() }) });
const Handoff = z.object({ callbacksPerSecond: z.number(), bareSignalWithStartPerSecond: z.number() });
const Dated = z.object({ date: z.string() });

function panels(results: Record<string, unknown>): Panel[] {
  const latency = Latency.safeParse(results.replyLatency);
  const burst = Burst.safeParse(results.burst);
  const handoff = Handoff.safeParse(results.handoff);
  return [
    {
      title: 'Reply latency, p50 in ms (shorter is better)',
      rows: [
        {
          label: 'one conversation',
          values: latency.success
            ? {
                threadline: latency.data.oneConversation.threadlineReplyAccepted.p50,
                bare: latency.data.oneConversation.bareLocalActivity.p50,
              }
            : null,
          unit: 'ms',
          target: { ratio: 1.5, direction: 'at most' },
          source: 'replyLatency',
        },
        {
          label: '20 conversations at once',
          values: latency.success
            ? {
                threadline: latency.data.twentyConversations.threadlineReplyAccepted.p50,
                bare: latency.data.twentyConversations.bareLocalActivity.p50,
              }
            : null,
          unit: 'ms',
          target: { ratio: 2, direction: 'at most' },
          source: 'replyLatency',
        },
      ],
    },
    {
      title: 'Capacity, per second (longer is better)',
      rows: [
        {
          label: '1,000 new conversations: first replies',
          values: burst.success ? burst.data.turnsPerSecond : null,
          unit: '/s',
          target: { ratio: 0.5, direction: 'at least' },
          source: 'burst',
        },
        {
          label: 'callbacks handed to Temporal',
          values: handoff.success
            ? { threadline: handoff.data.callbacksPerSecond, bare: handoff.data.bareSignalWithStartPerSecond }
            : null,
          unit: '/s',
          target: { ratio: 0.9, direction: 'at least' },
          source: 'handoff',
        },
      ],
    },
  ];
}

const WIDTH = 720;
const LABEL = 250;
const TRACK = 380;
const BAR = 14;

function rowSvg(row: Row, y: number): string {
  const parts = [`<text x="16" y="${y + BAR - 3}" class="label">${escape(row.label)}</text>`];
  if (!row.values) {
    parts.push(
      `<text x="${LABEL}" y="${y + BAR - 3}" class="note">not measured (bench/results.json: ${row.source})</text>`,
    );
    return parts.join('\n  ');
  }
  const { threadline, bare } = row.values;
  const goal = bare * row.target.ratio;
  const max = Math.max(threadline, bare, goal) * 1.05;
  const scale = (v: number) => Math.max(1, (v / max) * TRACK);
  const ratio = threadline / bare;
  const met = row.target.direction === 'at most' ? threadline <= goal : threadline >= goal;
  // The value goes after the bar, or after the target mark when that sits just past the bar's end.
  const labelX = (value: number) => {
    const end = scale(value);
    const mark = scale(goal);
    return LABEL + (mark >= end - 2 && mark < end + 40 ? mark : end) + 6;
  };
  const bar = (value: number, top: number, color: string, name: string) =>
    `<rect x="${LABEL}" y="${top}" width="${scale(value).toFixed(1)}" height="${BAR}" fill="${color}"><title>${name}: ${number(value)} ${row.unit}</title></rect>\n  ` +
    `<text x="${labelX(value).toFixed(1)}" y="${top + BAR - 3}" class="value">${number(value)} ${row.unit}</text>`;
  parts.push(bar(threadline, y, COLORS.threadline, 'Threadline'));
  parts.push(bar(bare, y + BAR + 4, COLORS.bare, 'bare Temporal'));
  const gx = (LABEL + scale(goal)).toFixed(1);
  parts.push(
    `<line x1="${gx}" x2="${gx}" y1="${y - 3}" y2="${y + BAR + 3}" stroke="${COLORS.target}" stroke-width="1.5" stroke-dasharray="3 2"/>`,
  );
  const shown = ratio >= 10 ? Math.round(ratio) : Math.round(ratio * 100) / 100;
  const verdict = `${shown}× bare, target ${row.target.direction === 'at most' ? '≤' : '≥'} ${row.target.ratio}×: ${met ? 'met' : 'missed'}`;
  parts.push(
    `<text x="16" y="${y + 2 * BAR + 1}" class="verdict" fill="${met ? COLORS.met : COLORS.missed}">${escape(verdict)}</text>`,
  );
  return parts.join('\n  ');
}

/** The chart as SVG text, from the figures in `results`. */
export function chartSvg(results: Record<string, unknown>): string {
  const body: string[] = [];
  let y = 64;
  for (const panel of panels(results)) {
    body.push(`<text x="16" y="${y}" class="panel">${escape(panel.title)}</text>`);
    y += 16;
    for (const row of panel.rows) {
      body.push(rowSvg(row, y));
      y += 2 * BAR + 20;
    }
    y += 14;
  }
  const dates = ['replyLatency', 'burst', 'handoff']
    .map((key) => {
      const parsed = Dated.safeParse(results[key]);
      return parsed.success ? `${key} ${parsed.data.date.slice(0, 10)}` : null;
    })
    .filter((d): d is string => d !== null);
  const height = y + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}">
  <style>${CHART_STYLE}
  </style>
  <rect width="100%" height="100%" fill="#ffffff"/>
  <text x="16" y="24" class="title">Threadline against bare Temporal: same dev server, same run</text>
  <rect x="16" y="36" width="12" height="10" fill="${COLORS.threadline}"/><text x="32" y="45" class="legend">Threadline</text>
  <rect x="110" y="36" width="12" height="10" fill="${COLORS.bare}"/><text x="126" y="45" class="legend">bare Temporal</text>
  <line x1="232" x2="232" y1="35" y2="47" stroke="${COLORS.target}" stroke-width="1.5" stroke-dasharray="3 2"/><text x="238" y="45" class="legend">target (each row to its own scale)</text>
  ${body.join('\n  ')}
  <text x="16" y="${height - 10}" class="note">Drawn by npm run bench from bench/results.json (${escape(dates.join(', ') || 'no figures')}).</text>
</svg>
`;
}

if (require.main === module) {
  fs.writeFileSync(OUT, chartSvg(readResults()));
  process.stdout.write(`${path.relative(process.cwd(), OUT)} written\n`);
}
