// #/batches: OpenAI batches and synthetic template jobs, each with live progress (every 2 s).

import { get, getBlob } from '../api.js';
import { fill, h, setProgress, setText, statusBox, syncRows, table } from '../dom.js';
import { dateTime, number, percent } from '../format.js';

export function render(ctx) {
  const batches = table('batches-table', 'OpenAI batches, newest first',
    ['Batch', 'Endpoint', 'Status', 'Progress', 'Requests', 'Window', 'Created', 'Files']);
  const synthetic = table('synthetic-table', 'Synthetic template jobs, newest first',
    ['Job', 'Template', 'Status', 'Progress', 'Examples', 'Window', 'Created']);
  const downloads = statusBox('batches-status');
  ctx.root.append(
    h('h1', null, 'Batches'),
    downloads,
    h('section', { 'aria-labelledby': 'batches-title' }, h('h2', { id: 'batches-title' }, 'OpenAI batches'),
      h('div', { class: 'table-wrap' }, batches.table)),
    h('section', { 'aria-labelledby': 'synthetic-title' }, h('h2', { id: 'synthetic-title' }, 'Synthetic template jobs'),
      h('div', { class: 'table-wrap' }, synthetic.table)),
  );

  const download = async (event, fileID, name) => {
    event.preventDefault();
    await ctx.guard(async () => {
      setText(downloads, `Downloading ${name}…`);
      const blob = await getBlob(`/v1/files/${encodeURIComponent(fileID)}/content`, ctx.signal);
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      setText(downloads, `Downloaded ${name}.`);
    });
  };

  ctx.every(2000, async () => {
    const [openai, templates] = await Promise.all([
      get('/v1/batches?limit=100', ctx.signal),
      get('/api/admin-surface/synthetic-jobs?limit=100', ctx.signal),
    ]);
    if (ctx.left) return;
    syncRows(batches.tbody, openai.data || [], {
      keyName: 'batch-id',
      key: (b) => b.id,
      columns: 8,
      empty: 'No batches yet',
      create: createBatchRow,
      update: (row, b) => updateBatchRow(row, b, download),
    });
    syncRows(synthetic.tbody, templates.data || [], {
      keyName: 'synthetic-id',
      key: (j) => j.id,
      columns: 6,
      empty: 'No synthetic jobs yet',
      create: createSyntheticRow,
      update: updateSyntheticRow,
    });
  });
}

function progressCell() {
  return h('td', { class: 'progress' }, h('progress', { max: 1 }), ' ', h('span', { class: 'progress-text' }));
}

function createBatchRow(b) {
  return h('tr', null,
    h('th', { scope: 'row', class: 'mono' }, b.id),
    h('td', { class: 'endpoint mono' }),
    h('td', { class: 'status' }, h('span', { class: 'status-text' }), h('span', { class: 'waiting-reason muted' })),
    progressCell(),
    h('td', { class: 'counts' }),
    h('td', { class: 'window' }),
    h('td', { class: 'created' }),
    h('td', { class: 'files' }));
}

// A running batch's or synthetic job's window: its risk of missing it at its pace, when it
// expires, and whether its lines were promoted out of the backfill band; '—' once it ended.
function windowText(b) {
  const w = b.window;
  if (!w) return '—';
  const label = { on_track: 'on track', at_risk: 'at risk', late: 'late' }[w.risk] || w.risk;
  let text = label;
  if (typeof w.ratio === 'number') text += ` (needs ${percent(w.ratio)} of the time left)`;
  if (b.expires_at) text += `, expires ${dateTime(b.expires_at)}`;
  if (w.promoted_at) text += `; promoted ${dateTime(w.promoted_at)}`;
  return text;
}

function updateBatchRow(row, b, download) {
  const counts = b.request_counts || { total: 0, completed: 0, failed: 0 };
  const done = counts.completed + counts.failed;
  const fraction = counts.total > 0 ? done / counts.total : b.status === 'completed' ? 1 : 0;
  setText(row.querySelector('.endpoint'), b.endpoint);
  const status = row.querySelector('.status-text');
  setText(status, b.status);
  status.className = `status-text status-${b.status}`;
  const waiting = row.querySelector('.waiting-reason');
  setText(waiting, b.waiting_reason || '');
  waiting.hidden = !b.waiting_reason;
  setProgress(row.querySelector('progress'), fraction, `Progress of batch ${b.id}`);
  setText(row.querySelector('.progress-text'), `${percent(fraction)} (${number(done)}/${number(counts.total)})`);
  setText(row.querySelector('.counts'), `${number(counts.completed)} completed, ${number(counts.failed)} failed of ${number(counts.total)}`);
  const window = row.querySelector('.window');
  setText(window, windowText(b));
  window.dataset.risk = b.window?.risk || '';
  setText(row.querySelector('.created'), dateTime(b.created_at));
  const files = row.querySelector('.files');
  const key = `${b.output_file_id || ''}|${b.error_file_id || ''}`;
  if (files.dataset.key !== key) {
    files.dataset.key = key;
    const link = (fileID, label, cls) => {
      const name = `${b.id}-${cls}.jsonl`;
      const a = h('a', {
        href: `/v1/files/${encodeURIComponent(fileID)}/content`,
        download: name,
        class: `download ${cls}`,
        'aria-label': `Download the ${label.toLowerCase()} file of batch ${b.id}`,
      }, label);
      a.addEventListener('click', (event) => download(event, fileID, name));
      return a;
    };
    const parts = [];
    if (b.output_file_id) parts.push(link(b.output_file_id, 'Output', 'output'));
    if (b.error_file_id) parts.push(' ', link(b.error_file_id, 'Errors', 'errors'));
    fill(files, parts.length ? parts : '—');
  }
}

function createSyntheticRow(j) {
  return h('tr', null,
    h('th', { scope: 'row', class: 'mono' }, j.id),
    h('td', { class: 'template mono' }),
    h('td', { class: 'status' }),
    progressCell(),
    h('td', { class: 'counts' }),
    h('td', { class: 'window' }),
    h('td', { class: 'created' }));
}

function updateSyntheticRow(row, j) {
  const c = j.counts || { valid: 0, retried: 0, failed: 0, canceled: 0, pending: 0 };
  const ended = Math.max(0, j.count - c.pending);
  const fraction = j.count > 0 ? ended / j.count : 1;
  setText(row.querySelector('.template'), j.template_id);
  const status = row.querySelector('.status');
  setText(status, j.status);
  status.className = `status status-${j.status}`;
  setProgress(row.querySelector('progress'), fraction, `Progress of synthetic job ${j.id}`);
  setText(row.querySelector('.progress-text'), `${percent(fraction)} (${number(ended)}/${number(j.count)})`);
  setText(row.querySelector('.counts'),
    `${number(c.valid)} valid (${number(c.retried)} retried), ${number(c.failed)} failed, ${number(c.canceled)} canceled, ${number(c.pending)} pending`);
  const window = row.querySelector('.window');
  setText(window, windowText(j));
  window.dataset.risk = j.window?.risk || '';
  setText(row.querySelector('.created'), dateTime(j.created_at));
}
