// #/jobs: the tenant's jobs, filtered, refreshed every 2 s in place, paged with "Load more".

import { get, hasRole, withQuery } from '../api.js';
import { field, h, setProgress, setText, syncRows, table } from '../dom.js';
import { dateTime, toMillis } from '../format.js';

export const STATES = ['queued', 'starting', 'processing', 'retrying', 'succeeded', 'failed', 'canceled', 'dead'];
const PAGE = 50;
const MAX_LIMIT = 500;
const WINDOWS = [
  ['', 'All time'],
  ['900000', 'Last 15 minutes'],
  ['3600000', 'Last hour'],
  ['86400000', 'Last 24 hours'],
];

export function render(ctx) {
  const admin = hasRole(ctx.me.role, 'admin');
  const state = h('select', { id: 'filter-state', name: 'state' },
    h('option', { value: '' }, 'Any state'), STATES.map((s) => h('option', { value: s }, s)));
  const kind = h('input', { id: 'filter-kind', name: 'kind', type: 'search', placeholder: 'e.g. llm.chat', spellcheck: 'false' });
  const since = h('select', { id: 'filter-since', name: 'since' }, WINDOWS.map(([v, t]) => h('option', { value: v }, t)));
  const tenant = h('input', { id: 'filter-tenant', name: 'tenant', type: 'search', spellcheck: 'false' });
  const filters = h('form', { id: 'jobs-filters', class: 'filters', role: 'search', 'aria-label': 'Filter jobs' },
    field('State', state), field('Kind', kind), field('Created', since), admin ? field('Tenant', tenant) : null);
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    restart();
  });

  const jobs = table('jobs-table', 'Jobs, newest first', ['Job', 'Status', 'Kind', 'Queue', 'Tenant', 'Created', 'Progress']);
  const count = h('p', { id: 'jobs-count', class: 'muted', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'jobs-more', hidden: true }, 'Load more');

  ctx.root.append(h('h1', null, 'Jobs'), filters, count, h('div', { class: 'table-wrap' }, jobs.table), h('p', null, more));

  let wanted = PAGE;
  let loaded = [];
  let nextCursor = null;
  let generation = 0;

  function query(limit, cursor) {
    return withQuery('/v1/jobs', {
      state: state.value,
      kind: kind.value.trim(),
      tenant: admin ? tenant.value.trim() : '',
      since: Number(since.value) > 0 ? new Date(Date.now() - Number(since.value)).toISOString() : '',
      limit,
      cursor,
    });
  }

  function show() {
    const span = Number(since.value);
    const from = span > 0 ? Date.now() - span : null;
    const visible = from === null ? loaded : loaded.filter((job) => (toMillis(job.created_at) ?? 0) >= from);
    syncRows(jobs.tbody, visible, { keyName: 'job-id', key: (j) => j.id, create, update, empty: 'No jobs match', columns: 7 });
    setText(count, `${visible.length} job${visible.length === 1 ? '' : 's'} shown`);
    more.hidden = !nextCursor;
  }

  // The first `wanted` jobs again, so loaded pages refresh too.
  const poller = ctx.every(2000, async () => {
    const mine = generation;
    const page = await get(query(Math.min(wanted, MAX_LIMIT)), ctx.signal);
    if (mine !== generation || ctx.left) return;
    loaded = page.data || [];
    nextCursor = page.has_more ? page.next_cursor : null;
    show();
  });

  function restart() {
    generation += 1;
    wanted = PAGE;
    poller.now();
  }

  let typing = null;
  kind.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(restart, 350);
  });
  tenant.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(restart, 350);
  });
  ctx.onLeave(() => clearTimeout(typing));
  state.addEventListener('change', restart);
  since.addEventListener('change', restart);

  more.addEventListener('click', async () => {
    if (!nextCursor) return;
    more.disabled = true;
    const mine = generation;
    await ctx.guard(async () => {
      const page = await get(query(PAGE, nextCursor), ctx.signal);
      if (mine !== generation) return;
      const known = new Set(loaded.map((j) => j.id));
      loaded = loaded.concat((page.data || []).filter((j) => !known.has(j.id)));
      wanted = Math.min(MAX_LIMIT, loaded.length);
      nextCursor = page.has_more ? page.next_cursor : null;
      show();
    });
    more.disabled = false;
  });
}

function create(job) {
  return h(
    'tr',
    null,
    h('th', { scope: 'row' }, h('a', { class: 'job-link mono', href: `#/jobs/${encodeURIComponent(job.id)}` }, job.id)),
    h('td', { class: 'status' }),
    h('td', { class: 'kind' }),
    h('td', { class: 'queue' }),
    h('td', { class: 'tenant' }),
    h('td', { class: 'created' }),
    h('td', { class: 'progress' }, h('progress', { max: 1 }), h('span', { class: 'progress-text' })),
  );
}

function update(row, job) {
  const status = row.querySelector('td.status');
  setText(status, job.status);
  status.className = `status status-${job.status}`;
  setText(row.querySelector('.kind'), job.kind);
  setText(row.querySelector('.queue'), job.queue);
  setText(row.querySelector('.tenant'), job.tenant);
  setText(row.querySelector('.created'), dateTime(job.created_at));
  const bar = row.querySelector('progress');
  const fraction = job.status === 'succeeded' ? 1 : job.progress?.fraction;
  setProgress(bar, typeof fraction === 'number' ? fraction : job.status === 'queued' || job.status === 'dead' || job.status === 'failed' || job.status === 'canceled' ? 0 : null,
    `Progress of job ${job.id}`);
  setText(row.querySelector('.progress-text'), job.progress?.message || '');
}
