/**
 * An experiment's report: one self-contained HTML file (no script, no outside resource) with the
 * finding, the explanation, a table of final figures, the curves on shared axes and the per-layer
 * traces drawn in as SVG, the pictures as PNG data, and each variant's config, the seed, the data and
 * the Locus version. It opens in any browser and can be mailed or archived as it is.
 */
import sharp from 'sharp';
import { type ExperimentPicture, type ExperimentResults, figureName, formatFigure } from '../../protocol/experiments.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4'];

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

interface Line {
  name: string;
  points: { x: number; y: number }[];
}

/** A line chart as SVG: shared axes, one colour and dash per line, a legend below. */
export function svgChart(title: string, lines: readonly Line[], o: { xTitle: string; log?: boolean; width?: number; height?: number } = { xTitle: 'epoch' }): string {
  const W = o.width ?? 520;
  const H = o.height ?? 260;
  const m = { l: 56, r: 12, t: 26, b: 36 };
  const ty = (v: number) => (o.log ? Math.log10(v) : v);
  const pts = lines.flatMap((l) => l.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.log || p.y > 0));
  // The legend in rows of at most four entries, under the chart.
  const perRow = 4;
  const legendRows = Math.ceil(lines.length / perRow);
  const legend = Array.from({ length: legendRows }, (_, r) =>
    lines
      .slice(r * perRow, (r + 1) * perRow)
      .map((l, k) => {
        const i = r * perRow + k;
        return `<tspan fill="${PALETTE[i % PALETTE.length]}"${k === 0 ? ` x="${56}" dy="${r === 0 ? 0 : 14}"` : ''}>${DASHES[i % DASHES.length] ? '┅' : '━'} ${esc(l.name)}  </tspan>`;
      })
      .join(''),
  ).join('');
  if (!pts.length) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="60" role="img" aria-label="${esc(title)}: no data"><text x="4" y="18" font-size="13">${esc(title)}: no data</text></svg>`;
  let x0 = Math.min(...pts.map((p) => p.x));
  let x1 = Math.max(...pts.map((p) => p.x));
  let y0 = Math.min(...pts.map((p) => ty(p.y)));
  let y1 = Math.max(...pts.map((p) => ty(p.y)));
  if (x1 === x0) {
    x0 -= 1;
    x1 += 1;
  }
  if (y1 === y0) {
    y0 -= 1;
    y1 += 1;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - ((ty(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const ticks = (a: number, b: number, n: number) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : Number(v.toPrecision(3)).toString());
  const yt = ticks(y0, y1, 4)
    .map((v) => `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(o.log ? 10 ** v : v).toFixed(1)}" y2="${Y(o.log ? 10 ** v : v).toFixed(1)}" stroke="#e3e3e3"/><text x="${m.l - 4}" y="${(Y(o.log ? 10 ** v : v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${fmt(o.log ? 10 ** v : v)}</text>`)
    .join('');
  // Whole numbers on an axis of steps or epochs.
  const whole = pts.every((p) => Number.isInteger(p.x));
  const xs = whole && x1 - x0 <= 10 ? Array.from({ length: Math.round(x1 - x0) + 1 }, (_, i) => Math.round(x0) + i) : x1 - x0 >= 5 ? [...new Set(ticks(x0, x1, 5).map(Math.round))] : ticks(x0, x1, 5);
  const xt = xs
    .map((v) => `<text x="${X(v).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle" font-size="10">${fmt(v)}</text>`)
    .join('');
  const paths = lines
    .map((l, i) => {
      const d = l.points
        .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.log || p.y > 0))
        .map((p, j) => `${j ? 'L' : 'M'}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`)
        .join('');
      const dash = DASHES[i % DASHES.length];
      return d ? `<path d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>` : '';
    })
    .join('');
  const summary = lines.map((l) => `${l.name} ${l.points.length ? fmt(l.points[l.points.length - 1].y) : 'no data'}`).join(', ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 8 + 14 * legendRows}" viewBox="0 0 ${W} ${H + 8 + 14 * legendRows}" role="img" aria-label="${esc(`${title}; last values: ${summary}`)}" font-family="sans-serif">` +
    `<text x="${m.l}" y="16" font-size="13" font-weight="600">${esc(title)}${o.log ? ' (log scale)' : ''}</text>${yt}${xt}` +
    `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#888"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#888"/>` +
    `<text x="${(W + m.l) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${esc(o.xTitle)}</text>${paths}` +
    `<text x="${m.l}" y="${H + 16}" font-size="11">${legend}</text></svg>`
  );
}

/** A picture's images tiled into one PNG, in a grid as square as it goes (as the app draws it; at most 100 images, each scaled up to at least 28 px). */
export async function picturePng(p: ExperimentPicture): Promise<Buffer> {
  const n = Math.min(p.count, 100);
  const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  const rows = Math.ceil(n / cols);
  const gap = 2;
  const W = cols * (p.width + gap) - gap;
  const H = rows * (p.height + gap) - gap;
  const ch = p.channels === 3 ? 3 : 1;
  const out = Buffer.alloc(W * H * ch, 255);
  const hw = p.height * p.width;
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * (p.width + gap);
    const oy = Math.floor(k / cols) * (p.height + gap);
    for (let y = 0; y < p.height; y++) {
      for (let x = 0; x < p.width; x++) {
        for (let c = 0; c < ch; c++) {
          const v = p.data[k * p.channels * hw + c * hw + y * p.width + x];
          out[((oy + y) * W + ox + x) * ch + c] = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
        }
      }
    }
  }
  const scale = Math.max(1, Math.ceil(28 / Math.max(1, p.height)));
  return sharp(out, { raw: { width: W, height: H, channels: ch } })
    .resize(W * scale, H * scale, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

/** The report as one HTML document. */
export async function experimentReport(r: ExperimentResults): Promise<string> {
  const e = r.experiment as { title: string; idea: string; explanation: string; metrics: string[]; curves?: string[] };
  const metrics = r.info.metrics;
  const rows = r.variants
    .map((v) => `<tr><th scope="row">${esc(v.name)}</th>${metrics.map((k) => `<td>${esc(formatFigure(k, v.figures[k]))}</td>`).join('')}<td>${esc(v.outcome.reason)}</td><td>${v.seconds.toFixed(1)} s</td></tr>`)
    .join('\n');
  const curves = (e.curves ?? metrics).filter((k) => r.variants.some((v) => v.history.some((h) => typeof h[k] === 'number')));
  const charts = curves
    .map((k) => svgChart(figureName(k), r.variants.map((v) => ({ name: v.name, points: v.history.filter((h) => typeof h[k] === 'number').map((h) => ({ x: h.epoch ?? 0, y: h[k] as number })) })), { xTitle: 'epoch' }))
    .join('\n');
  const traceKeys = [...new Set(r.variants.flatMap((v) => v.traces.map((t) => t.key)))];
  const traces = traceKeys
    .map((key) => {
      const per = r.variants
        .map((v) => {
          const t = v.traces.find((x) => x.key === key);
          if (!t) return '';
          return svgChart(`${t.label}: ${v.name}`, t.names.map((name, i) => ({ name, points: t.x.map((x, j) => ({ x, y: t.y[i][j] ?? NaN })) })), { xTitle: t.xTitle, log: t.log ?? false, width: 520, height: 220 });
        })
        .join('\n');
      return `<div class="grid">${per}</div>`;
    })
    .join('\n');
  const pictures: string[] = [];
  for (const v of r.variants) {
    for (const p of v.pictures) {
      const png = await picturePng(p);
      pictures.push(`<figure><img src="data:image/png;base64,${png.toString('base64')}" alt="${esc(`${p.label}, ${v.name}`)}"><figcaption>${esc(v.name)}: ${esc(p.label)}</figcaption></figure>`);
    }
  }
  const configs = r.variants.map((v) => `<h3>${esc(v.name)}</h3><p>${esc(v.change)}</p><pre>${esc(JSON.stringify(v.config, null, 2))}</pre>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(e.title)} · Locus experiment</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#1d2126}
.finding{font-size:17px;font-weight:600;background:#eef4fb;border-left:4px solid #1f77b4;padding:10px 14px}
table{border-collapse:collapse;margin:12px 0}th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}th[scope=row],thead th:first-child{text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}img{image-rendering:pixelated;border:1px solid #ddd}
pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}.meta{color:#555;font-size:13px}
</style></head><body>
<h1>${esc(e.title)}</h1>
<p class="meta">${esc(e.idea)} · ${esc(r.data)} · seed ${r.seed} · Locus ${esc(r.locus)} · ${esc(r.started)} · ${r.seconds.toFixed(0)} s · ${esc(r.state)}${r.state === 'completed' ? '' : `: ${esc(r.message)}`}</p>
<p class="finding">${esc(r.finding || 'no finding: no variant finished')}</p>
<p>${esc(e.explanation)}</p>
<h2>Final figures</h2>
<table><thead><tr><th>variant</th>${metrics.map((k) => `<th>${esc(figureName(k))}</th>`).join('')}<th>outcome</th><th>time</th></tr></thead><tbody>
${rows}
</tbody></table>
${charts ? `<h2>Curves</h2><div class="grid">${charts}</div>` : ''}
${traces ? `<h2>Per layer</h2>${traces}` : ''}
${pictures.length ? `<h2>Pictures</h2><div class="grid">${pictures.join('\n')}</div>` : ''}
<h2>Variants and their configs</h2>
${configs}
</body></html>
`;
}
