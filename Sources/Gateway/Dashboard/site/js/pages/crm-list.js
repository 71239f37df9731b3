// #/crm: the tenant's CRM import batches with their progress and proposal counts (every 2 s).

import { get } from '../api.js';
import { h, setProgress, setText, syncRows, table } from '../dom.js';
import { dateTime, number, percent } from '../format.js';

export function render(ctx) {
  const imports = table('crm-table', 'CRM import batches, newest first',
    ['File', 'Source', 'Status', 'Progress', 'Rows', 'Proposals', 'Committed', 'Uploaded']);
  ctx.root.append(h('h1', null, 'CRM imports'), h('div', { class: 'table-wrap' }, imports.table));

  ctx.every(2000, async () => {
    const page = await get('/api/crm/imports?limit=100', ctx.signal);
    if (ctx.left) return;
    syncRows(imports.tbody, page.data || [], { keyName: 'batch-id', key: (b) => b.id, create, update, empty: 'No imports yet', columns: 8 });
  });
}

function create(batch) {
  return h('tr', null,
    h('th', { scope: 'row' }, h('a', { class: 'crm-link', href: `#/crm/${encodeURIComponent(batch.id)}` })),
    h('td', { class: 'source' }),
    h('td', { class: 'status' }),
    h('td', { class: 'progress' }, h('progress', { max: 1 }), ' ', h('span', { class: 'progress-text' })),
    h('td', { class: 'rows num' }),
    h('td', { class: 'proposals' }),
    h('td', { class: 'committed num' }),
    h('td', { class: 'created' }));
}

export function countsText(counts) {
  const entries = Object.entries(counts || {}).filter(([, n]) => n > 0);
  return entries.length ? entries.map(([k, n]) => `${number(n)} ${k}`).join(', ') : 'none';
}

function update(row, batch) {
  const link = row.querySelector('.crm-link');
  setText(link, batch.uploaded_filename || batch.id);
  link.setAttribute('aria-label', `Review import ${batch.uploaded_filename || ''} (${batch.id})`);
  setText(row.querySelector('.source'), batch.source_system);
  const status = row.querySelector('.status');
  setText(status, batch.status.replace(/_/g, ' '));
  status.className = `status status-${batch.status}`;
  const fraction = batch.progress?.fraction ?? 0;
  setProgress(row.querySelector('progress'), fraction, `Progress of import ${batch.id}`);
  setText(row.querySelector('.progress-text'), percent(fraction));
  setText(row.querySelector('.rows'), `${number(batch.rows_read)}/${number(batch.row_count)}` + (batch.rows_with_errors ? ` (${number(batch.rows_with_errors)} with issues)` : ''));
  setText(row.querySelector('.proposals'), `${number(batch.proposals)}: ${countsText(batch.proposal_counts)}`);
  setText(row.querySelector('.committed'), number(batch.committed));
  setText(row.querySelector('.created'), dateTime(batch.created_at));
}
