// #/dead (operator+): every queue's dead letters, replayed one by one or as a selection.

import { get, hasRole, post } from '../api.js';
import { h, setText, statusBox, syncRows, table } from '../dom.js';
import { dateTime } from '../format.js';

export function render(ctx) {
  ctx.root.append(h('h1', null, 'Dead letters'));
  if (!hasRole(ctx.me.role, 'operator')) {
    ctx.root.append(h('p', { id: 'dead-forbidden', class: 'notice' },
      `Dead letters need the operator role; you are signed in as ${ctx.me.role}.`));
    return;
  }
  const dead = table('dead-table', 'Jobs that ran out of attempts',
    ['Select', 'Job', 'Queue', 'Kind', 'Error', 'Attempts', 'Finished', 'Actions']);
  const selectAll = h('input', { type: 'checkbox', id: 'dead-select-all' });
  const replaySelected = h('button', { type: 'button', id: 'dead-replay-selected', disabled: true }, 'Replay selected');
  const status = statusBox('dead-status');
  dead.table.querySelector('thead th').replaceChildren(
    h('label', { class: 'checkbox-label' }, selectAll, h('span', { class: 'visually-hidden' }, 'Select all dead jobs')));
  ctx.root.append(h('div', { class: 'actions' }, replaySelected), status, h('div', { class: 'table-wrap' }, dead.table));

  let jobs = [];
  const boxes = () => Array.from(dead.tbody.querySelectorAll('input.select'));
  const refreshSelection = () => {
    const all = boxes();
    const checked = all.filter((b) => b.checked).length;
    replaySelected.disabled = checked === 0;
    setText(replaySelected, checked ? `Replay selected (${checked})` : 'Replay selected');
    selectAll.checked = all.length > 0 && checked === all.length;
    selectAll.indeterminate = checked > 0 && checked < all.length;
  };
  selectAll.addEventListener('change', () => {
    for (const box of boxes()) box.checked = selectAll.checked;
    refreshSelection();
  });
  dead.tbody.addEventListener('change', (event) => {
    if (event.target.matches('input.select')) refreshSelection();
  });

  const replay = (job) => post(`/v1/queues/${encodeURIComponent(job.queue)}/dead/${encodeURIComponent(job.id)}/replay`, undefined, ctx.signal);

  const poller = ctx.every(2000, async () => {
    const queues = await get('/v1/queues', ctx.signal);
    const lists = await Promise.all((queues.data || []).map((q) => get(`/v1/queues/${encodeURIComponent(q.name)}/dead`, ctx.signal)));
    if (ctx.left) return;
    jobs = lists.flatMap((list) => list.data || []);
    syncRows(dead.tbody, jobs, { keyName: 'job-id', key: (j) => j.id, create: (j) => createRow(j, onReplay), update, empty: 'No dead jobs', columns: 8 });
    refreshSelection();
  });

  async function onReplay(job, button) {
    button.disabled = true;
    const done = await ctx.guard(() => replay(job));
    button.disabled = false;
    if (done) setText(status, `Replayed ${job.id}: it is ${done.status} again.`);
    poller.now();
  }

  replaySelected.addEventListener('click', async () => {
    const chosen = boxes().filter((b) => b.checked).map((b) => jobs.find((j) => j.id === b.closest('tr').dataset.jobId)).filter(Boolean);
    if (chosen.length === 0) return;
    replaySelected.disabled = true;
    setText(status, `Replaying ${chosen.length} job${chosen.length === 1 ? '' : 's'}…`);
    ctx.error(null);
    const outcomes = await Promise.allSettled(chosen.map((job) => replay(job)));
    if (ctx.left) return;
    const failed = outcomes.filter((o) => o.status === 'rejected');
    const succeeded = outcomes.length - failed.length;
    setText(status, `Replayed ${succeeded} of ${outcomes.length} job${outcomes.length === 1 ? '' : 's'}.` +
      (failed.length ? ` ${failed.length} failed: ${failed[0].reason?.message || failed[0].reason}` : ''));
    if (failed.length) ctx.error(failed[0].reason);
    poller.now();
  });
}

function createRow(job, onReplay) {
  const select = h('input', { type: 'checkbox', class: 'select', id: `dead-select-${job.id}` });
  const button = h('button', { type: 'button', class: 'replay', 'aria-label': `Replay job ${job.id}` }, 'Replay');
  button.addEventListener('click', () => onReplay(button.job, button));
  return h('tr', null,
    h('td', null, select, h('label', { for: select.id, class: 'visually-hidden' }, `Select job ${job.id}`)),
    h('th', { scope: 'row' }, h('a', { class: 'inspect mono', href: `#/jobs/${encodeURIComponent(job.id)}` }, job.id)),
    h('td', { class: 'queue' }),
    h('td', { class: 'kind' }),
    h('td', { class: 'error-cell' }, h('code', { class: 'error-code' }), ' ', h('span', { class: 'error-message' })),
    h('td', { class: 'attempts' }),
    h('td', { class: 'finished' }),
    h('td', null, button));
}

function update(row, job) {
  row.querySelector('button.replay').job = job;
  setText(row.querySelector('.queue'), job.queue);
  setText(row.querySelector('.kind'), job.kind);
  setText(row.querySelector('.error-code'), job.error?.code || '—');
  setText(row.querySelector('.error-message'), job.error?.message || '');
  setText(row.querySelector('.attempts'), `${job.attempts}/${job.max_attempts}`);
  setText(row.querySelector('.finished'), dateTime(job.finished_at || job.created_at));
}
