// A CRM import's proposals: paged and filtered, each canonical payload beside its merge
// candidates, with a reviewer's approve, reject, merge and edit decisions.

import { get, put, withQuery } from '../api.js';
import { badge, field, fill, h, jsonBlock, setText, statusBox } from '../dom.js';
import { number } from '../format.js';

export const PROPOSAL_STATUSES = ['pending', 'approved', 'rejected', 'committed', 'skipped'];
export const ENTITY_TYPES = ['person', 'account', 'lead', 'property_interest'];
const PAGE = 25;
const MAX_LIMIT = 500;

const select = (id, label, options) =>
  field(label, h('select', { id, name: id }, h('option', { value: '' }, 'Any'), options.map(([v, t]) => h('option', { value: v }, t))));
const numberInput = (id, label) =>
  field(label, h('input', { id, name: id, type: 'number', min: 0, max: 1, step: 0.01, inputmode: 'decimal' }));
const flags = [['true', 'Yes'], ['false', 'No']];

export function proposalsSection(ctx, batchID, { reviewer, onDecided }) {
  const filters = h('form', { id: 'crm-filters', class: 'filters', role: 'search', 'aria-label': 'Filter proposals' },
    select('crm-filter-status', 'Status', PROPOSAL_STATUSES.map((s) => [s, s])),
    select('crm-filter-entity', 'Entity type', ENTITY_TYPES.map((t) => [t, t.replace('_', ' ')])),
    numberInput('crm-filter-min-confidence', 'Confidence at least'),
    numberInput('crm-filter-max-confidence', 'Confidence at most'),
    select('crm-filter-conflict', 'Has conflicts', flags),
    select('crm-filter-candidate', 'Has merge candidate', flags),
    h('div', { class: 'field' }, h('button', { type: 'submit', id: 'crm-filter-apply' }, 'Apply filters')));
  const list = h('div', { id: 'crm-proposals', class: 'proposals' });
  const count = h('p', { id: 'crm-proposals-count', class: 'muted', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'crm-more', hidden: true }, 'Load more proposals');
  const status = statusBox('crm-decision-status');
  const section = h('section', { 'aria-labelledby': 'crm-proposals-title' },
    h('h2', { id: 'crm-proposals-title' }, 'Proposals'), filters, status, count, list, h('p', null, more));

  let shown = [];
  let nextCursor = null;
  let decidable = false;
  let loading = 0;
  const value = (id) => filters.querySelector(`#${id}`).value.trim();

  function query(limit, cursor) {
    return withQuery(`/api/crm/imports/${encodeURIComponent(batchID)}`, {
      status: value('crm-filter-status'),
      entity_type: value('crm-filter-entity'),
      min_confidence: value('crm-filter-min-confidence'),
      max_confidence: value('crm-filter-max-confidence'),
      conflict: value('crm-filter-conflict'),
      has_merge_candidate: value('crm-filter-candidate'),
      limit,
      cursor,
    });
  }

  /** The first `limit` proposals again (after a decision, a filter). */
  async function reload(limit = Math.max(PAGE, Math.min(MAX_LIMIT, shown.length))) {
    const mine = ++loading;
    const batch = await ctx.guard(() => get(query(limit), ctx.signal));
    if (!batch || mine !== loading || ctx.left) return;
    const page = batch.proposals_page || { data: [] };
    shown = page.data || [];
    nextCursor = page.has_more ? page.next_cursor : null;
    fill(list, shown.length ? shown.map(card) : h('p', { class: 'empty' }, 'No proposals match.'));
    showCount();
  }

  function showCount() {
    setText(count, `${shown.length} proposal${shown.length === 1 ? '' : 's'} shown`);
    more.hidden = !nextCursor;
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    reload(PAGE);
  });
  more.addEventListener('click', async () => {
    if (!nextCursor) return;
    more.disabled = true;
    const batch = await ctx.guard(() => get(query(PAGE, nextCursor), ctx.signal));
    more.disabled = false;
    if (!batch || ctx.left) return;
    const page = batch.proposals_page || { data: [] };
    const known = new Set(shown.map((p) => p.id));
    const fresh = (page.data || []).filter((p) => !known.has(p.id));
    shown = shown.concat(fresh);
    nextCursor = page.has_more ? page.next_cursor : null;
    list.querySelector('.empty')?.remove();
    list.append(...fresh.map(card));
    showCount();
  });

  async function decide(decision, button) {
    button.disabled = true;
    const answer = await ctx.guard(() =>
      put(`/api/crm/imports/${encodeURIComponent(batchID)}/review-proposal`, { decisions: [decision] }, ctx.signal));
    button.disabled = false;
    if (!answer) return;
    setText(status, `Recorded: ${decision.decision} of proposal ${decision.proposal_id}.`);
    onDecided(answer.batch);
    reload();
  }

  function card(p) {
    const candidates = Array.isArray(p.merge_candidate_refs) ? p.merge_candidate_refs : [];
    const conflicts = Array.isArray(p.conflicts) ? p.conflicts : [];
    const issues = Array.isArray(p.issues) ? p.issues : [];
    const open = decidable && reviewer && ['pending', 'approved', 'rejected'].includes(p.status);
    const title = `${p.entity_type.replace('_', ' ')} #${p.seq}`;
    return h('article', { class: `card proposal status-${p.status}`, dataset: { proposalId: p.id }, 'aria-label': `Proposal ${title}` },
      h('header', { class: 'proposal-head' },
        h('h3', null, title), ' ', badge(p.status, p.status === 'approved' || p.status === 'committed' ? 'ok' : p.status === 'rejected' ? 'bad' : 'muted'),
        ` confidence ${number(p.confidence, 2)}`, p.review_required ? [' ', badge('review required', 'warn')] : null,
        h('span', { class: 'muted' }, ` · source rows ${(p.source_rows || []).join(', ') || '—'}`),
        p.merge_target ? h('span', null, ' · merge into ', h('code', null, p.merge_target)) : null),
      conflicts.length ? h('ul', { class: 'conflicts' }, conflicts.map((c) =>
        h('li', null, badge('conflict', 'warn'), ` ${c.field ?? ''}: ${Array.isArray(c.values) ? c.values.join(' | ') : JSON.stringify(c)}`))) : null,
      issues.length ? h('ul', { class: 'issues' }, issues.map((i) =>
        h('li', null, badge('issue', 'warn'), ` ${i.code ?? ''}${i.message ? `: ${i.message}` : ''}${i.field ? ` (${i.field})` : ''}`))) : null,
      h('div', { class: 'side-by-side' },
        h('div', null, h('h4', null, 'Proposed record'), jsonBlock(p.canonical_payload, { class: 'json payload' }),
          p.proposed_payload ? h('details', null, h('summary', null, 'As normalization proposed it'), jsonBlock(p.proposed_payload)) : null),
        h('div', null, h('h4', null, `Existing records (${candidates.length} merge candidate${candidates.length === 1 ? '' : 's'})`),
          candidates.length ? candidates.map(candidate) : h('p', { class: 'muted' }, 'No existing record matches: this would be new.'))),
      open ? actions(p, candidates) : null);
  }

  function candidate(c) {
    const evidence = Array.isArray(c.evidence) ? c.evidence : [];
    const record = c.record ?? c.existing ?? c.existing_record ?? null;
    return h('div', { class: 'candidate', dataset: { candidateId: c.id } },
      h('p', null, h('code', null, c.id), ` ${c.entity || ''} · confidence ${number(c.confidence, 2)}`),
      evidence.length ? h('ul', { class: 'evidence' }, evidence.map((e) =>
        h('li', null, [e.rule, e.value, e.block, e.similarity !== undefined ? `similarity ${e.similarity}` : null].filter((x) => x !== null && x !== undefined).join(' · ')))) : null,
      record ? jsonBlock(record, { class: 'json existing' }) : null);
  }

  function actions(p, candidates) {
    const approve = h('button', { type: 'button', class: 'approve', 'aria-label': `Approve proposal ${p.seq}` }, 'Approve');
    const reject = h('button', { type: 'button', class: 'reject danger', 'aria-label': `Reject proposal ${p.seq}` }, 'Reject');
    approve.addEventListener('click', () => decide({ proposal_id: p.id, decision: 'approve' }, approve));
    reject.addEventListener('click', () => decide({ proposal_id: p.id, decision: 'reject' }, reject));
    const parts = [approve, reject];
    if (candidates.length) {
      const target = h('select', { class: 'merge-target', id: `crm-merge-${p.id}` },
        candidates.map((c) => h('option', { value: c.id }, `${c.id} (${number(c.confidence, 2)})`)));
      if (p.merge_target) target.value = p.merge_target;
      const merge = h('button', { type: 'button', class: 'merge', 'aria-label': `Merge proposal ${p.seq} into the chosen record` }, 'Merge');
      merge.addEventListener('click', () => decide({ proposal_id: p.id, decision: 'merge', merge_target: target.value }, merge));
      parts.push(h('span', { class: 'inline-field' }, h('label', { for: target.id }, 'Merge into'), target, merge));
    }
    const text = h('textarea', { class: 'payload-edit', id: `crm-edit-${p.id}`, rows: 8, spellcheck: 'false' });
    text.value = JSON.stringify(p.canonical_payload, null, 2);
    const save = h('button', { type: 'button', class: 'save-edit' }, 'Save edit');
    save.addEventListener('click', () => {
      let payload;
      try {
        payload = JSON.parse(text.value);
      } catch (error) {
        ctx.error(`The edited payload is not valid JSON: ${error.message}`);
        text.focus();
        return;
      }
      decide({ proposal_id: p.id, decision: 'edit', canonical_payload: payload }, save);
    });
    const edit = h('details', { class: 'edit' }, h('summary', null, 'Edit payload'),
      h('label', { for: text.id }, 'Canonical payload (JSON)'), text, h('div', null, save));
    return h('div', { class: 'actions proposal-actions' }, parts, edit);
  }

  return {
    section,
    reload,
    /** Decisions are possible while the batch is in review; re-renders when that changes. */
    setDecidable(next) {
      if (next === decidable) return false;
      decidable = next;
      return true;
    },
  };
}
