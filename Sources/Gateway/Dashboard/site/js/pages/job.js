// #/jobs/<id>: one job, live through its event stream, with its result once it ended.

import { ApiError, get, getBlob, hasRole, isAbort, post, streamEvents } from '../api.js';
import { errorBox, fill, h, setProgress, setText, statusBox } from '../dom.js';
import { clock, dateTime, duration, orDash, percent } from '../format.js';

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'dead']);
const RENDER_KIND = 'dream_weaver.render';

export function render(ctx, rawID) {
  const id = rawID;
  const operator = hasRole(ctx.me.role, 'operator');
  const pageError = errorBox('job-error');
  const details = h('div', { id: 'job-details', hidden: true });
  ctx.root.append(h('h1', null, 'Job ', h('span', { class: 'mono' }, id)), h('p', null, h('a', { href: '#/jobs' }, '← All jobs')),
    pageError, details);

  const status = h('span', { id: 'job-status', class: 'status' });
  const progress = h('progress', { id: 'job-progress', max: 1, 'aria-label': 'Job progress' });
  const progressText = h('span', { id: 'job-progress-text', class: 'muted' });
  const cells = {};
  const row = (key, label) => {
    cells[key] = h('dd', { id: `job-${key}` });
    return [h('dt', null, label), cells[key]];
  };
  const facts = h('dl', { class: 'facts' },
    row('kind', 'Kind'), row('queue', 'Queue'), row('tenant', 'Tenant'), row('priority', 'Priority'),
    row('attempts', 'Attempts'), row('worker', 'Ran on'),
    row('attempt-history', 'Earlier attempts'), row('fault-domains', 'Backends taken down'),
    row('queue-position', 'Queue position'), row('eta', 'Done in (p50 / p90)'), row('waiting-reason', 'Waiting because'),
    row('created', 'Created'), row('started', 'Started'), row('finished', 'Finished'),
    row('queue-time', 'Waited'), row('run-time', 'Ran for'), row('parent-batch', 'Batch'),
    row('failure', 'Error'));
  const cancel = h('button', { type: 'button', id: 'job-cancel', hidden: true }, 'Cancel job');
  const replay = h('button', { type: 'button', id: 'job-replay', hidden: true }, 'Replay dead job');
  const actionStatus = statusBox('job-action-status');
  const timeline = h('ol', { id: 'job-timeline', class: 'timeline', 'aria-live': 'polite' });
  const result = h('section', { id: 'job-result', 'aria-labelledby': 'job-result-title', hidden: true });

  details.append(
    h('section', { class: 'card', 'aria-labelledby': 'job-summary-title' },
      h('h2', { id: 'job-summary-title' }, 'Status: ', status),
      h('div', { class: 'progress-line' }, progress, ' ', progressText),
      facts,
      h('div', { class: 'actions' }, cancel, replay),
      actionStatus),
    h('section', { class: 'card', 'aria-labelledby': 'job-timeline-title' },
      h('h2', { id: 'job-timeline-title' }, 'Events'), timeline),
    result,
  );

  let view = null;
  let resultShown = false;
  let streaming = false;

  function update(next) {
    view = next;
    setText(status, next.status);
    status.className = `status status-${next.status}`;
    const fraction = next.status === 'succeeded' ? 1 : next.progress?.fraction;
    setProgress(progress, typeof fraction === 'number' ? fraction : TERMINAL.has(next.status) || next.status === 'queued' ? 0 : null);
    setText(progressText, [typeof fraction === 'number' ? percent(fraction) : '', TERMINAL.has(next.status) ? '' : next.progress?.message || ''].filter(Boolean).join(' · '));
    setText(cells.kind, next.kind);
    setText(cells.queue, next.queue);
    setText(cells.tenant, next.tenant);
    setText(cells.priority, next.priority);
    setText(cells.attempts, `${next.attempts}/${next.max_attempts}`);
    setText(cells.worker, orDash(next.worker));
    setText(cells['attempt-history'], (next.attempt_history || []).length
      ? next.attempt_history.map((a) => `#${a.attempt} on ${a.worker || '?'}${a.error_code ? ` (${a.error_code})` : ''}`).join('; ')
      : '—');
    setText(cells['fault-domains'], (next.fault_domains || []).length ? next.fault_domains.join(', ') : '—');
    setText(cells['queue-position'], next.status === 'queued' ? orDash(next.queue_position) : '—');
    setText(cells['waiting-reason'], next.status === 'queued' ? orDash(next.waiting_reason) : '—');
    setText(cells.eta, next.status === 'queued' && next.eta
      ? `${duration(next.eta.p50_ms)} / ${duration(next.eta.p90_ms)}` : '—');
    setText(cells.created, dateTime(next.created_at));
    setText(cells.started, dateTime(next.started_at));
    setText(cells.finished, dateTime(next.finished_at));
    setText(cells['queue-time'], duration(next.metrics?.queue_ms));
    setText(cells['run-time'], duration(next.metrics?.run_ms));
    setText(cells['parent-batch'], orDash(next.parent_batch));
    setText(cells.failure, next.error ? `${next.error.code}: ${next.error.message}` : '—');
    cells.failure.classList.toggle('bad-text', Boolean(next.error));
    cancel.hidden = TERMINAL.has(next.status) || next.cancel_requested;
    replay.hidden = !(operator && next.status === 'dead');
    if (next.cancel_requested && !TERMINAL.has(next.status)) setText(actionStatus, 'Cancel requested; the worker stops it at its next heartbeat.');
    if (TERMINAL.has(next.status) && !resultShown) {
      resultShown = true;
      showResult(next);
    }
  }

  function addEvent(name, data) {
    const at = Date.now();
    const extra = name === 'progress' && typeof data?.progress?.fraction === 'number' ? ` ${percent(data.progress.fraction)}` : '';
    timeline.append(h('li', { dataset: { event: name } },
      h('span', { class: `event-name status-${name}` }, name + extra), ' ',
      h('time', { datetime: new Date(at).toISOString() }, clock(at))));
  }

  async function follow() {
    if (streaming || ctx.left) return;
    streaming = true;
    try {
      await streamEvents(`/v1/jobs/${encodeURIComponent(id)}/events`, {
        signal: ctx.signal,
        onEvent: (name, data) => {
          addEvent(name, data);
          if (data && typeof data === 'object' && data.id) update(data);
        },
      });
      streaming = false;
      // The stream ends at a terminal state; anything else was a dropped connection.
      if (view && !TERMINAL.has(view.status)) ctx.after(2000, follow);
    } catch (error) {
      streaming = false;
      if (isAbort(error) || ctx.left) return;
      ctx.error(error);
      if (!(error instanceof ApiError && error.status === 404)) ctx.after(5000, follow);
    }
  }

  async function showResult(job) {
    fill(result, h('h2', { id: 'job-result-title' }, 'Result'));
    result.hidden = false;
    if (job.kind === RENDER_KIND) {
      await showRender(job);
      return;
    }
    const body = await ctx.guard(() => get(`/v1/jobs/${encodeURIComponent(job.id)}/result`, ctx.signal));
    if (!body || ctx.left) return;
    result.append(h('pre', { id: 'job-result-json', class: 'json' }, JSON.stringify({ result: body.result ?? null }, null, 2)));
  }

  async function showRender(job) {
    const photo = h('figure', { class: 'render-figure' });
    const rendered = h('figure', { class: 'render-figure' });
    result.append(h('div', { class: 'side-by-side' }, photo, rendered));
    const image = async (figure, path, imgID, alt, caption) => {
      try {
        const blob = await getBlob(path, ctx.signal);
        if (ctx.left) return;
        fill(figure, h('img', { id: imgID, src: ctx.objectURL(blob), alt }), h('figcaption', null, caption));
      } catch (error) {
        if (isAbort(error)) return;
        fill(figure, h('p', { class: 'muted' }, `${caption}: ${error.message}`), h('figcaption', null, caption));
      }
    };
    const jobPath = encodeURIComponent(job.id);
    const work = [image(photo, `/dream-weaver/input/${jobPath}`, 'job-photo', 'The uploaded room photo', 'Uploaded photo')];
    if (job.status === 'succeeded') {
      work.push(image(rendered, `/dream-weaver/result/${jobPath}`, 'job-render', 'The restaged render', 'Render'));
    } else {
      fill(rendered, h('p', { class: 'muted' }, `No render: the job ${job.status}.`), h('figcaption', null, 'Render'));
    }
    await Promise.all(work);
  }

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    const answer = await ctx.guard(() => post(`/v1/jobs/${encodeURIComponent(id)}/cancel`, undefined, ctx.signal));
    cancel.disabled = false;
    if (!answer) return;
    const text = { canceled: 'Canceled.', cancel_requested: 'Cancel requested; the worker stops it at its next heartbeat.', already_ended: 'The job had already ended.' };
    setText(actionStatus, text[answer.outcome] || `Cancel: ${answer.outcome}`);
  });

  replay.addEventListener('click', async () => {
    if (!view) return;
    replay.disabled = true;
    const path = `/v1/queues/${encodeURIComponent(view.queue)}/dead/${encodeURIComponent(id)}/replay`;
    const next = await ctx.guard(() => post(path, undefined, ctx.signal));
    replay.disabled = false;
    if (!next) return;
    setText(actionStatus, `Replayed: the job is ${next.status} again.`);
    resultShown = false;
    result.hidden = true;
    result.replaceChildren();
    update(next);
    addEvent('replayed', next);
    follow();
  });

  (async () => {
    try {
      const first = await get(`/v1/jobs/${encodeURIComponent(id)}`, ctx.signal);
      if (ctx.left) return;
      details.hidden = false;
      update(first);
      follow();
    } catch (error) {
      if (isAbort(error) || ctx.left) return;
      pageError.show(error.message);
    }
  })();
}
