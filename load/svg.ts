/**
 * Hand-written SVG charts, shared by the load tool's HTML report (load/html-report.ts) and the benchmark's chart
 * (bench/chart.ts): text escaping, number formatting, the house palette, and two charts (horizontal bars, and columns
 * over time). A charting library would bring a DOM or a canvas for a few dozen rectangles; this is self-contained SVG
 * that any browser or GitHub renders, with a `<title>` tooltip on every bar.
 */

/** Text and attribute values made safe for SVG and HTML. */
export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1,234 from 100 up, one decimal below. */
export const formatNumber = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 10) / 10);

export const COLORS = {
  threadline: '#2b6cd4',
  bare: '#9aa3ad',
  met: '#1a7f37',
  missed: '#cf222e',
  target: '#444',
  grid: '#d0d7de',
} as const;

export const FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/** The text styles every chart uses. */
export const CHART_STYLE = `
    .title { font-size: 16px; font-weight: 600; fill: #1f2328; }
    .panel { font-size: 13px; font-weight: 600; fill: #1f2328; }
    .label, .verdict { font-size: 12px; fill: #1f2328; }
    .value, .note, .legend { font-size: 11px; fill: #57606a; }`;

/** An `<svg>` element of the given size around `body`, with the shared styles and a white background. */
export function svgDocument(width: number, height: number, body: string, label?: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}"${label ? ` role="img" aria-label="${escapeXml(label)}"` : ''}>
  <style>${CHART_STYLE}
  </style>
  <rect width="100%" height="100%" fill="#ffffff"/>
  ${body}
</svg>
`;
}

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

/** Horizontal bars on one scale, each labelled on the left with its value after it. */
export function barChart(options: {
  title: string;
  bars: Bar[];
  unit: string;
  width?: number;
  empty?: string;
}): string {
  const width = options.width ?? 720;
  const bar = 16;
  const rows = options.bars;
  // Room for the longest label (about 6.5 px a character at 12 px), up to half the width.
  const labelWidth = Math.min(width / 2, Math.max(230, ...rows.map((b) => 24 + b.label.length * 6.5)));
  const track = width - labelWidth - 90;
  const max = Math.max(...rows.map((b) => b.value), 0) || 1;
  const parts = [`<text x="16" y="24" class="panel">${escapeXml(options.title)}</text>`];
  let y = 40;
  if (rows.length === 0) {
    parts.push(`<text x="16" y="${y + 12}" class="note">${escapeXml(options.empty ?? 'nothing to show')}</text>`);
    y += bar + 8;
  }
  for (const b of rows) {
    const w = Math.max(1, (b.value / max) * track);
    const text = `${formatNumber(b.value)}${options.unit ? ` ${options.unit}` : ''}`;
    parts.push(
      `<text x="16" y="${y + bar - 4}" class="label">${escapeXml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${b.color ?? COLORS.threadline}"><title>${escapeXml(`${b.label}: ${text}`)}</title></rect>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + bar - 4}" class="value">${escapeXml(text)}</text>`,
    );
    y += bar + 8;
  }
  return svgDocument(width, y + 8, parts.join('\n  '), options.title);
}

export interface ColumnSeries {
  name: string;
  color: string;
  values: number[];
}

/** Stacked columns, one per x (e.g. each second of a run), with a legend and a y axis of three ticks. */
export function columnChart(options: {
  title: string;
  series: ColumnSeries[];
  xLabel: (index: number) => string;
  unit: string;
  width?: number;
  height?: number;
}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 240;
  const left = 56;
  const top = 56;
  const plotWidth = width - left - 16;
  const plotHeight = height - top - 36;
  const count = Math.max(0, ...options.series.map((s) => s.values.length));
  const totals = Array.from({ length: count }, (_, i) => options.series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const max = Math.max(...totals, 0) || 1;
  const step = count > 0 ? plotWidth / count : plotWidth;
  const columnWidth = Math.max(1, step * 0.8);
  const parts = [`<text x="16" y="24" class="panel">${escapeXml(options.title)}</text>`];
  let legendX = 16;
  for (const s of options.series) {
    parts.push(
      `<rect x="${legendX}" y="34" width="12" height="10" fill="${s.color}"/><text x="${legendX + 16}" y="43" class="legend">${escapeXml(s.name)}</text>`,
    );
    legendX += 24 + s.name.length * 6.5;
  }
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotHeight * (1 - fraction);
    parts.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${COLORS.grid}" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" class="value" text-anchor="end">${formatNumber(max * fraction)}</text>`,
    );
  }
  for (let i = 0; i < count; i++) {
    let base = top + plotHeight;
    const x = left + i * step + (step - columnWidth) / 2;
    for (const s of options.series) {
      const value = s.values[i] ?? 0;
      if (value <= 0) continue;
      const h = (value / max) * plotHeight;
      base -= h;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${base.toFixed(1)}" width="${columnWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${options.xLabel(i)}: ${formatNumber(value)} ${s.name} ${options.unit}`)}</title></rect>`,
      );
    }
  }
  const ticks = count <= 1 ? [0] : [0, Math.floor((count - 1) / 2), count - 1];
  for (const i of new Set(ticks)) {
    const x = left + i * step + step / 2;
    parts.push(
      `<text x="${x.toFixed(1)}" y="${top + plotHeight + 16}" class="value" text-anchor="middle">${escapeXml(options.xLabel(i))}</text>`,
    );
  }
  return svgDocument(width, height, parts.join('\n  '), options.title);
}
