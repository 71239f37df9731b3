// Small SVG line charts, built with DOM APIs: a time axis, a value axis from 0, a legend.

import { h, s } from './dom.js';
import { number } from './format.js';

const WIDTH = 360;
const HEIGHT = 150;
const PAD = { left: 44, right: 10, top: 10, bottom: 24 };

/** A round ceiling for the value axis: 1, 2, 5, 10, 20, 50 … */
function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function minutesLabel(ms) {
  const minutes = Math.round(ms / 60000);
  return minutes === 0 ? 'now' : `−${minutes} min`;
}

/**
 * A <figure> with the chart and its legend.
 * - `series`: [{name, cls, points: [{t, v}]}], v null for a gap;
 * - `start`, `end`: the time axis, epoch ms;
 * - `digits`: decimals of the value labels.
 */
export function lineChart({ title, series, start, end, digits = 0, unit = '' }) {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const span = Math.max(1, end - start);
  let max = 0;
  for (const line of series) for (const p of line.points) if (p.v !== null && p.v > max) max = p.v;
  max = niceMax(max);
  const x = (t) => PAD.left + ((t - start) / span) * plotW;
  const y = (v) => PAD.top + plotH - (v / max) * plotH;

  const svg = s('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart',
    role: 'img',
    'aria-label': `${title}: ${series.map((line) => `${line.name} ${latest(line, digits)}`).join(', ')}`,
    preserveAspectRatio: 'xMidYMid meet',
  });
  svg.append(s('title', null, title));

  // Grid and value axis: 0, half, max.
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    const yy = y(value);
    svg.append(s('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: yy, y2: yy }));
    svg.append(
      s('text', { class: 'axis-label', x: PAD.left - 6, y: yy + 4, 'text-anchor': 'end' }, `${number(value, digits)}${unit}`),
    );
  }
  // Time axis: start, middle, end.
  svg.append(s('line', { class: 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0) }));
  for (const fraction of [0, 0.5, 1]) {
    const t = start + span * fraction;
    const anchor = fraction === 0 ? 'start' : fraction === 1 ? 'end' : 'middle';
    svg.append(
      s('text', { class: 'axis-label', x: x(t), y: HEIGHT - 6, 'text-anchor': anchor }, minutesLabel(end - t)),
    );
  }

  for (const line of series) {
    let d = '';
    let open = false;
    let lone = null;
    for (const p of line.points) {
      if (p.v === null || p.v === undefined || p.t < start) {
        open = false;
        continue;
      }
      d += `${open ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
      lone = open ? null : p;
      open = true;
    }
    if (d) svg.append(s('path', { class: `line ${line.cls}`, d }));
    // A single point (a fresh gateway) shows as a dot.
    if (line.points.filter((p) => p.v !== null && p.v !== undefined).length === 1 && lone) {
      svg.append(s('circle', { class: `dot ${line.cls}`, cx: x(lone.t), cy: y(lone.v), r: 3 }));
    }
  }

  const legend = h(
    'ul',
    { class: 'legend' },
    series.map((line) =>
      h('li', null, h('span', { class: `swatch ${line.cls}`, 'aria-hidden': 'true' }), `${line.name}: ${latest(line, digits)}`),
    ),
  );
  return h('figure', { class: 'chart-figure' }, h('figcaption', null, title), svg, legend);
}

function latest(line, digits) {
  for (let i = line.points.length - 1; i >= 0; i -= 1) {
    const v = line.points[i].v;
    if (v !== null && v !== undefined) return number(v, digits);
  }
  return '—';
}
