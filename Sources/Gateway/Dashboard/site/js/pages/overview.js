// #/overview: queues with their last hour, the GPU boxes, dead letters and alerts (every 5 s).

import { get, hasRole, post } from '../api.js';
import { lineChart } from '../chart.js';
import { badge, fill, h, setText, statusBox, syncRows, table } from '../dom.js';
import { dateTime, duration, number } from '../format.js';

const DEPTHS = ['queued', 'scheduled', 'active', 'dead', 'finished'];
const HOUR = 3600 * 1000;

export function render(ctx) {
  const operator = hasRole(ctx.me.role, 'operator');
  const headings = ['Queue', 'State', ...DEPTHS.map((d) => d[0].toUpperCase() + d.slice(1)), 'Oldest waiting'];
  if (operator) headings.push('Actions');
  const queues = table('overview-queues', 'Queues: jobs by state', headings);
  const status = statusBox('overview-status');
  const deadCount = h('strong', { id: 'dead-count' }, '—');
  const boxes = h('ul', { id: 'overview-boxes', class: 'plain' });
  const alerts = h('ul', { id: 'alerts', class: 'alerts', 'aria-live': 'polite' });
  const charts = h('div', { id: 'overview-charts', class: 'chart-grid' });
  const updated = h('p', { class: 'muted', id: 'overview-updated' });

  ctx.root.append(
    h('h1', null, 'Overview'),
    updated,
    h(
      'div',
      { class: 'summary-grid' },
      h('section', { class: 'card', 'aria-labelledby': 'dead-title' }, h('h2', { id: 'dead-title' }, 'Dead letters'),
        h('p', { class: 'big' }, deadCount, ' jobs'), h('a', { href: '#/dead' }, 'Open dead letters')),
      h('section', { class: 'card', 'aria-labelledby': 'boxes-title' }, h('h2', { id: 'boxes-title' }, 'GPU boxes'), boxes,
        h('a', { href: '#/gpus' }, 'Open GPU box')),
      h('section', { class: 'card wide', 'aria-labelledby': 'alerts-title' }, h('h2', { id: 'alerts-title' }, 'Alerts'), alerts),
    ),
    h('section', { 'aria-labelledby': 'queues-title' }, h('h2', { id: 'queues-title' }, 'Queues'), status,
      h('div', { class: 'table-wrap' }, queues.table)),
    h('section', { 'aria-labelledby': 'charts-title' }, h('h2', { id: 'charts-title' }, 'Last hour'), charts),
  );

  const poller = ctx.every(5000, async () => {
    const data = await get('/v1/dashboard/overview', ctx.signal);
    if (ctx.left) return;
    setText(updated, `Updated ${dateTime(Date.now())}`);
    setText(deadCount, number(data.dead_total ?? 0));
    renderQueues(queues.tbody, data.queues || [], operator, headings.length, toggle);
    renderBoxes(boxes, data.boxes || []);
    renderAlerts(alerts, data.alerts || []);
    renderCharts(charts, data.queues || []);
  });

  async function toggle(queue, button) {
    button.disabled = true;
    await ctx.guard(async () => {
      const action = queue.paused ? 'resume' : 'pause';
      await post(`/v1/queues/${encodeURIComponent(queue.name)}/${action}`, undefined, ctx.signal);
      setText(status, `Queue ${queue.name} ${queue.paused ? 'resumed' : 'paused'}.`);
    });
    button.disabled = false;
    poller.now();
  }
}

function renderQueues(tbody, queues, operator, columns, toggle) {
  syncRows(tbody, queues, {
    keyName: 'queue',
    key: (q) => q.name,
    columns,
    empty: 'No queues',
    create: (q) => {
      const cells = [h('th', { scope: 'row' }, q.name), h('td', { class: 'paused' })];
      for (const d of DEPTHS) cells.push(h('td', { class: `num depth-${d}` }));
      cells.push(h('td', { class: 'oldest' }));
      if (operator) {
        const button = h('button', { type: 'button', class: 'pause-toggle' });
        button.addEventListener('click', () => toggle(button.queue, button));
        cells.push(h('td', null, button));
      }
      return h('tr', null, cells);
    },
    update: (row, q) => {
      const state = row.querySelector('.paused');
      fill(state, q.paused ? badge('paused', 'warn') : badge('running', 'ok'));
      for (const d of DEPTHS) setText(row.querySelector(`.depth-${d}`), number(q.depth?.[d] ?? 0));
      setText(row.querySelector('.oldest'), q.oldest_waiting_ms > 0 ? duration(q.oldest_waiting_ms) : '—');
      const button = row.querySelector('.pause-toggle');
      if (button) {
        button.queue = q;
        setText(button, q.paused ? 'Resume' : 'Pause');
        button.setAttribute('aria-label', `${q.paused ? 'Resume' : 'Pause'} queue ${q.name}`);
      }
    },
  });
}

function renderBoxes(list, boxes) {
  if (boxes.length === 0) {
    fill(list, h('li', { class: 'empty' }, 'No GPU box has reported yet'));
    return;
  }
  fill(
    list,
    boxes.map((box) => {
      const gpus = box.gpus || [];
      const healthy = gpus.filter((g) => g.health === 'healthy').length;
      return h(
        'li',
        { class: 'box-summary', dataset: { box: box.box } },
        h('strong', null, box.box), ' ',
        box.alive ? badge('alive', 'ok') : badge('not reporting', 'bad'), ' ',
        `mode ${box.mode || 'none'}`,
        box.switching ? ` → switching to ${box.switching.to}` : '',
        ` · ${healthy}/${gpus.length} GPUs healthy`,
      );
    }),
  );
}

function renderAlerts(list, alerts) {
  // Re-rendered only when the alerts changed, so the live region announces changes alone.
  const key = JSON.stringify(alerts.map((a) => [a.name, a.state, a.summary, a.since]));
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  if (alerts.length === 0) {
    fill(list, h('li', { class: 'empty' }, 'No alerts firing'));
    return;
  }
  fill(
    list,
    alerts.map((alert) =>
      h(
        'li',
        { class: `alert alert-${alert.state}`, dataset: { alert: alert.name } },
        h('div', { class: 'alert-head' },
          badge(alert.severity, alert.severity === 'critical' ? 'bad' : 'warn'), ' ',
          badge(alert.state, alert.state === 'firing' ? 'bad' : 'muted'), ' ',
          h('strong', null, alert.name)),
        h('p', null, alert.summary),
        h('p', { class: 'muted' }, `since ${dateTime(alert.since)} · runbook `, h('code', null, alert.runbook)),
      ),
    ),
  );
}

function renderCharts(container, queues) {
  const cards = queues.map((q) => {
    const points = q.series || [];
    const end = points.length > 0 ? points[points.length - 1].t : Date.now();
    const start = end - HOUR;
    const pick = (key) => points.map((p) => ({ t: p.t, v: p[key] ?? null }));
    return h(
      'section',
      { class: 'card queue-card', dataset: { queue: q.name }, 'aria-label': `Queue ${q.name}, last hour` },
      h('h3', null, q.name, q.paused ? ' (paused)' : ''),
      h('div', { class: 'chart-pair' },
        lineChart({
          title: 'Depth (jobs)',
          start,
          end,
          series: [
            { name: 'queued', cls: 'series-1', points: pick('queued') },
            { name: 'active', cls: 'series-2', points: pick('active') },
          ],
        }),
        lineChart({
          title: 'Throughput (jobs/s)',
          start,
          end,
          digits: 2,
          series: [
            { name: 'completed/s', cls: 'series-3', points: pick('completed_per_s') },
            { name: 'failed/s', cls: 'series-4', points: pick('failed_per_s') },
          ],
        })),
    );
  });
  if (cards.length === 0) fill(container, h('p', { class: 'empty' }, 'No queues'));
  else fill(container, cards);
}
