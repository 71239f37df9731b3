// The mapping manifest of a CRM import: each source column → a canonical field, ignored or
// unresolved, with its confidence; reviewers edit it through the review-proposal route.

import { put } from '../api.js';
import { badge, field, fill, h, setText, statusBox } from '../dom.js';
import { number } from '../format.js';

export const CANONICAL_FIELDS = [
  'full_name', 'first_name', 'last_name', 'salutation', 'phone', 'mobile', 'whatsapp', 'alt_phone', 'email',
  'alt_email', 'city', 'state', 'country', 'address', 'company', 'job_title', 'lead_source', 'lead_status',
  'lead_owner', 'lead_created_at', 'notes', 'external_id', 'project', 'configuration', 'property_type', 'budget',
  'budget_min', 'budget_max', 'location_preference',
];
const UNITS = ['crore', 'lakh', 'rupee', 'usd', 'aed', 'gbp', 'sgd', 'eur'];
const PROFILES = ['hubspot', 'salesforce', 'zoho', 'generic'];
const IGNORE = '__ignore';
const BUDGET_FIELDS = ['budget', 'budget_min', 'budget_max'];

/**
 * The mapping section. `update(batch)` shows the batch's manifest (re-rendered only when the
 * manifest changed, so a reviewer's unsaved choices stay); `onChanged()` runs after a remap.
 */
export function mappingSection(ctx, batchID, { reviewer, onChanged }) {
  const summary = h('p', { id: 'crm-mapping-summary' });
  const body = h('div', { id: 'crm-mapping-body' });
  const status = statusBox('crm-mapping-status');
  const section = h('section', { class: 'card', 'aria-labelledby': 'crm-mapping-title' },
    h('h2', { id: 'crm-mapping-title' }, 'Column mapping'), summary, body, status);
  let shownKey = null;
  let inReview = false;

  function update(batch) {
    const manifest = batch.manifest;
    const editable = reviewer && ['awaiting_mapping', 'in_review'].includes(batch.status);
    const key = manifest ? `${manifest.manifest_id}:${manifest.version}:${editable}` : `none:${batch.status}`;
    inReview = batch.status === 'in_review';
    if (key === shownKey) return;
    shownKey = key;
    if (!manifest) {
      setText(summary, batch.status === 'ingesting' ? 'The columns are mapped once the file is read.' : 'No mapping manifest yet.');
      body.replaceChildren();
      return;
    }
    const columns = manifest.column_mappings || [];
    const unresolved = columns.filter((c) => c.disposition === 'unresolved').length;
    setText(summary, `Profile ${manifest.source_profile}, version ${manifest.version}: ` +
      `${columns.filter((c) => c.disposition === 'mapped').length} mapped, ` +
      `${columns.filter((c) => c.disposition === 'ignored').length} ignored, ${unresolved} unresolved` +
      (manifest.is_resolved ? '.' : ' — the import waits for a mapping of every unresolved column.'));
    fill(body, table(columns, editable), (manifest.resolver_notes || []).length
      ? h('ul', { class: 'notes' }, manifest.resolver_notes.map((n) => h('li', null, typeof n === 'string' ? n : JSON.stringify(n))))
      : null, editable ? editForm() : null);
  }

  function table(columns, editable) {
    const headings = ['#', 'Source column', 'Use', 'Canonical field', 'Confidence', 'Why'];
    if (editable) headings.push('Change to', 'Unit');
    return h('div', { class: 'table-wrap' }, h('table', { id: 'crm-mapping', class: 'data' },
      h('caption', null, 'Source columns and the fields they fill'),
      h('thead', null, h('tr', null, headings.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, columns.map((c) => row(c, editable)))));
  }

  function row(column, editable) {
    const kind = column.disposition === 'mapped' ? 'ok' : column.disposition === 'ignored' ? 'muted' : 'bad';
    const cells = [
      h('td', { class: 'num' }, column.index),
      h('th', { scope: 'row' }, column.header),
      h('td', null, badge(column.disposition, kind)),
      h('td', { class: 'mono' }, column.field ? `${column.field}${column.unit ? ` (${column.unit})` : ''}` : '—'),
      h('td', { class: 'num' }, number(column.confidence, 2)),
      h('td', { class: 'muted' }, column.note || ''),
    ];
    if (editable) {
      const choice = h('select', { class: 'mapping-field', id: `crm-map-${column.index}`, 'aria-label': `Field for column ${column.header}` },
        h('option', { value: '' }, '(keep)'), h('option', { value: IGNORE }, '(ignore column)'),
        CANONICAL_FIELDS.map((f) => h('option', { value: f }, f)));
      const unit = h('select', { class: 'mapping-unit', id: `crm-unit-${column.index}`, 'aria-label': `Budget unit for column ${column.header}` },
        h('option', { value: '' }, column.unit ? `(keep ${column.unit})` : '(as header)'), UNITS.map((u) => h('option', { value: u }, u)));
      // A unit applies to budget fields only.
      const budgetChosen = () => {
        const chosen = choice.value === '' ? column.field : choice.value;
        unit.disabled = !BUDGET_FIELDS.includes(chosen);
        if (unit.disabled) unit.value = '';
      };
      choice.addEventListener('change', budgetChosen);
      budgetChosen();
      cells.push(h('td', null, choice), h('td', null, unit));
    }
    return h('tr', { dataset: { column: column.index, field: column.field || '' } }, cells);
  }

  function editForm() {
    const profile = h('select', { id: 'crm-profile', name: 'source_profile' },
      h('option', { value: '' }, '(keep the current profile)'), PROFILES.map((p) => h('option', { value: p }, p)));
    const apply = h('button', { type: 'submit', id: 'crm-mapping-apply' }, 'Apply mapping');
    const form = h('form', { id: 'crm-mapping-form', class: 'filters', 'aria-label': 'Change the mapping' },
      field('Map afresh with profile', profile), h('div', { class: 'field' }, apply));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const edits = [];
      for (const tr of body.querySelectorAll('#crm-mapping tbody tr')) {
        const chosen = tr.querySelector('select.mapping-field').value;
        const unit = tr.querySelector('select.mapping-unit').value;
        if (!chosen && !unit) continue;
        const fieldName = chosen === IGNORE ? null : chosen || tr.dataset.field || null;
        if (unit && !fieldName) continue;
        edits.push({ column: Number(tr.dataset.column), field: fieldName, unit: unit || null });
      }
      const request = {};
      if (edits.length) request.mapping_edits = edits;
      if (profile.value) request.source_profile = profile.value;
      if (!request.mapping_edits && !request.source_profile) {
        setText(status, 'Nothing to change: choose a field, a unit or a profile first.');
        return;
      }
      if (inReview && apply.dataset.armed !== 'yes') {
        // A second press confirms: a new mapping replaces the proposals and their decisions.
        apply.dataset.armed = 'yes';
        setText(apply, 'Apply and replace the proposals');
        setText(status, 'A new mapping replaces every proposal of this import and the decisions made on them. Press again to apply.');
        return;
      }
      delete apply.dataset.armed;
      setText(apply, 'Apply mapping');
      apply.disabled = true;
      const answer = await ctx.guard(() => put(`/api/crm/imports/${encodeURIComponent(batchID)}/review-proposal`, request, ctx.signal));
      apply.disabled = false;
      if (!answer) return;
      setText(status, `Mapping applied; the import is ${answer.batch?.status?.replace(/_/g, ' ') || 'updated'}.`);
      shownKey = null;
      onChanged();
    });
    return form;
  }

  return { section, update };
}
