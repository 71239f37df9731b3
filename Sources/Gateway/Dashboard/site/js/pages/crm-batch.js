// #/crm/<batch_id>: one import: its progress, mapping, proposals, bulk rules and the commit.

import { ApiError, get, getBlob, hasRole, isAbort, post, put } from '../api.js';
import { errorBox, field, fill, h, setProgress, setText, statusBox } from '../dom.js';
import { dateTime, number, percent } from '../format.js';
import { countsText } from './crm-list.js';
import { mappingSection } from './crm-mapping.js';
import { ENTITY_TYPES, proposalsSection } from './crm-proposals.js';

export function render(ctx, batchID) {
  const reviewer = hasRole(ctx.me.role, 'reviewer');
  const pageError = errorBox('crm-error');
  const title = h('span', { id: 'crm-title' }, batchID);
  const content = h('div', { id: 'crm-batch', hidden: true });
  ctx.root.append(h('h1', null, 'Import ', title), h('p', null, h('a', { href: '#/crm' }, '← All imports')), pageError, content);

  const status = h('span', { id: 'crm-status', class: 'status' });
  const progress = h('progress', { id: 'crm-progress', max: 1, 'aria-label': 'Import progress' });
  const progressText = h('span', { class: 'muted' });
  const counts = h('dd', { id: 'crm-counts' });
  const facts = h('dl', { class: 'facts' });
  const errorsLink = h('p', { id: 'crm-errors' });
  const commit = h('button', { type: 'button', id: 'crm-commit', disabled: true }, 'Commit approved proposals');
  const commitStatus = statusBox('crm-commit-status');

  let lastStatus = null;
  const mapping = mappingSection(ctx, batchID, { reviewer, onChanged: () => poller.now() });
  const proposals = proposalsSection(ctx, batchID, { reviewer, onDecided: (batch) => batch && showBatch(batch) });

  content.append(
    h('section', { class: 'card', 'aria-labelledby': 'crm-summary-title' },
      h('h2', { id: 'crm-summary-title' }, 'Status: ', status),
      h('div', { class: 'progress-line' }, progress, ' ', progressText),
      facts, errorsLink,
      reviewer ? h('div', { class: 'actions' }, commit) : null, commitStatus),
    mapping.section,
    reviewer ? bulkForm() : null,
    proposals.section,
  );

  function showBatch(batch) {
    setText(title, batch.uploaded_filename || batch.id);
    setText(status, batch.status.replace(/_/g, ' '));
    status.className = `status status-${batch.status}`;
    const fraction = batch.progress?.fraction ?? 0;
    setProgress(progress, fraction);
    setText(progressText, `${percent(fraction)} · ${number(batch.rows_read)}/${number(batch.row_count)} rows read, ${number(batch.progress?.proposed_rows ?? 0)} proposed`);
    fill(facts,
      h('dt', null, 'Source'), h('dd', null, batch.source_system),
      h('dt', null, 'Uploaded'), h('dd', null, `${dateTime(batch.created_at)} by ${batch.uploaded_by}`),
      h('dt', null, 'Rows with issues'), h('dd', null, number(batch.rows_with_errors)),
      h('dt', null, 'Proposals'), counts,
      h('dt', null, 'Committed'), h('dd', null, number(batch.committed)),
      batch.error ? [h('dt', null, 'Error'), h('dd', { class: 'bad-text' }, typeof batch.error === 'string' ? batch.error : batch.error.message || JSON.stringify(batch.error))] : null,
      (batch.jobs || []).length ? [h('dt', null, 'Jobs'), h('dd', null, batch.jobs.map((j) => [h('a', { class: 'mono', href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id), ' ']))] : null);
    setText(counts, `${number(batch.proposals)}: ${countsText(batch.proposal_counts)}`);
    if (batch.rows_with_errors > 0 && !errorsLink.firstChild) {
      const link = h('a', { href: `/api/crm/imports/${encodeURIComponent(batch.id)}/errors`, download: `import-${batch.id}-errors.csv`, id: 'crm-errors-download' },
        'Download the rows with issues (CSV)');
      link.addEventListener('click', (event) => downloadErrors(event, link));
      errorsLink.append(link);
    }
    commit.disabled = batch.status !== 'in_review' || !(batch.proposal_counts?.approved > 0);
    const changed = proposals.setDecidable(batch.status === 'in_review');
    if (changed || lastStatus !== batch.status) proposals.reload();
    lastStatus = batch.status;
  }

  async function downloadErrors(event, link) {
    event.preventDefault();
    await ctx.guard(async () => {
      const blob = await getBlob(link.getAttribute('href'), ctx.signal);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: link.getAttribute('download'), hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    });
  }

  commit.addEventListener('click', async () => {
    commit.disabled = true;
    const batch = await ctx.guard(() => post(`/api/crm/imports/${encodeURIComponent(batchID)}/commit`, undefined, ctx.signal));
    if (!batch) {
      commit.disabled = false;
      return;
    }
    setText(commitStatus, `Commit started (job ${(batch.jobs || []).map((j) => j.id).join(', ') || 'queued'}).`);
    showBatch(batch);
  });

  function bulkForm() {
    const decision = h('select', { id: 'crm-bulk-decision' }, ['approve', 'reject', 'merge'].map((d) => h('option', { value: d }, d)));
    const min = h('input', { id: 'crm-bulk-min-confidence', type: 'number', min: 0, max: 1, step: 0.01, value: '0.9', inputmode: 'decimal' });
    const entity = h('select', { id: 'crm-bulk-entity' }, h('option', { value: '' }, 'Any'), ENTITY_TYPES.map((t) => h('option', { value: t }, t.replace('_', ' '))));
    const noCandidate = h('input', { id: 'crm-bulk-no-candidate', type: 'checkbox', checked: true });
    const noConflict = h('input', { id: 'crm-bulk-no-conflict', type: 'checkbox', checked: true });
    const submit = h('button', { type: 'submit', id: 'crm-bulk-submit' }, 'Apply rule to pending proposals');
    const result = statusBox('crm-bulk-status');
    const check = (input, label) => h('div', { class: 'field checkbox' }, input, h('label', { for: input.id }, label));
    const form = h('form', { id: 'crm-bulk', class: 'filters', 'aria-labelledby': 'crm-bulk-title' },
      field('Decision', decision), field('Confidence at least', min), field('Entity type', entity),
      check(noCandidate, 'Only without a merge candidate'), check(noConflict, 'Only without conflicts'),
      h('div', { class: 'field' }, submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const where = { status: 'pending' };
      if (min.value.trim() !== '') where.min_confidence = Number(min.value);
      if (entity.value) where.entity_type = entity.value;
      if (noCandidate.checked) where.has_merge_candidate = false;
      if (noConflict.checked) where.conflict = false;
      submit.disabled = true;
      const answer = await ctx.guard(() =>
        put(`/api/crm/imports/${encodeURIComponent(batchID)}/review-proposal`, { bulk: [{ decision: decision.value, where }] }, ctx.signal));
      submit.disabled = false;
      if (!answer) return;
      const decided = (answer.bulk_decided || []).reduce((a, b) => a + b, 0);
      setText(result, `${decided} proposal${decided === 1 ? '' : 's'} decided: ${decision.value}.`);
      if (answer.batch) showBatch(answer.batch);
      proposals.reload();
    });
    return h('section', { class: 'card', 'aria-labelledby': 'crm-bulk-title' },
      h('h2', { id: 'crm-bulk-title' }, 'Bulk rule'),
      h('p', { class: 'muted' }, 'Decide every pending proposal that matches, in one step; each gets a recorded decision.'),
      form, result);
  }

  let found = false;
  const poller = ctx.every(2000, async () => {
    try {
      const batch = await get(`/api/crm/imports/${encodeURIComponent(batchID)}?limit=1`, ctx.signal);
      if (ctx.left) return;
      if (!found) {
        found = true;
        content.hidden = false;
      }
      showBatch(batch);
      mapping.update(batch);
    } catch (error) {
      if (!found && error instanceof ApiError && error.status === 404) {
        pageError.show(error.message);
        ctx.leave();
        return;
      }
      if (!isAbort(error)) throw error;
    }
  });
}
