// #/fairness: how each queue's work is shared between tenants now (every 2 s): each tenant's
// queued jobs, weight and expected share, each capped or rated subject's running jobs against its
// limit and its parked jobs, and throttled claims. Operators edit the limits in place.

import { get, hasRole, put } from '../api.js';
import { badge, errorBox, field, h, setText, statusBox, syncRows, table } from '../dom.js';
import { number, percent } from '../format.js';

export function render(ctx) {
  const operator = hasRole(ctx.me.role, 'operator');
  const container = h('div', { id: 'fairness-queues' });
  ctx.root.append(
    h('h1', null, 'Fair share'),
    h('p', { class: 'muted' },
      'Within a priority band the tenant furthest behind its weighted share runs next; caps count running jobs, ',
      'rates count starts in any window of their interval.'),
    container,
  );
  const cards = new Map();

  ctx.every(2000, async () => {
    const queues = (await get('/v1/queues', ctx.signal)).data || [];
    if (ctx.left) return;
    const names = new Set(queues.map((q) => q.name));
    for (const [name, card] of cards) {
      if (!names.has(name)) {
        card.section.remove();
        cards.delete(name);
      }
    }
    if (queues.length === 0) {
      container.replaceChildren(h('p', { class: 'empty' }, 'No queues'));
      return;
    }
    for (const empty of container.querySelectorAll(':scope > .empty')) empty.remove();
    queues.forEach((queue, index) => {
      let card = cards.get(queue.name);
      if (!card) {
        card = createCard(queue.name, operator, ctx);
        cards.set(queue.name, card);
      }
      // Moved only when out of place: moving a card would take the focus out of its editor.
      const at = container.children[index];
      if (at !== card.section) container.insertBefore(card.section, at || null);
      card.update(queue.fair_share || {});
    });
  });
}

function createCard(name, operator, ctx) {
  const slug = name.replace(/[^A-Za-z0-9_-]/g, '_');
  const mode = h('span', { class: 'fair-mode' });
  const throttled = h('span', { class: 'throttled' });
  const tenants = table(`fair-tenants-${slug}`, `Queue ${name}: tenants`,
    ['Tenant', 'Queued', 'Weight', 'Expected share', 'Running', 'Cap']);
  const subjects = table(`fair-subjects-${slug}`, `Queue ${name}: caps and rates`,
    ['Subject', 'Running', 'Cap', 'Rate', 'Parked']);
  const section = h(
    'section',
    { class: 'card fair-card', dataset: { queue: name }, 'aria-labelledby': `fair-title-${slug}` },
    h('h2', { id: `fair-title-${slug}` }, `Queue ${name} `, mode),
    h('p', { class: 'muted' }, 'Claims held back by a cap or rate: ', throttled),
    h('div', { class: 'table-wrap' }, tenants.table),
    h('div', { class: 'table-wrap' }, subjects.table),
  );
  let editor = null;
  if (operator) {
    editor = limitsEditor(name, slug, ctx);
    section.append(editor.details);
  }

  function update(share) {
    const limits = share.limits || {};
    const fair = limits.fair !== false;
    mode.replaceChildren(fair ? badge('fair share on', 'ok') : badge('fair share off: priority and age', 'warn'));
    setText(throttled, number(share.throttled_total ?? 0));
    syncRows(tenants.tbody, tenantRows(share), {
      keyName: 'tenant',
      key: (row) => row.tenant,
      columns: 6,
      empty: 'No tenant has queued or running jobs',
      create: () => h('tr', null, h('th', { scope: 'row', class: 'tenant' }),
        ...['queued', 'weight', 'share', 'running', 'cap'].map((c) => h('td', { class: `num ${c}` }))),
      update: (tr, row) => {
        setText(tr.querySelector('.tenant'), row.tenant);
        setText(tr.querySelector('.queued'), number(row.queued));
        setText(tr.querySelector('.weight'), number(row.weight, 2));
        setText(tr.querySelector('.share'), row.share === null ? '—' : percent(row.share));
        setText(tr.querySelector('.running'), row.running === null ? '—' : number(row.running));
        setText(tr.querySelector('.cap'), row.cap === null ? '—' : number(row.cap));
      },
    });
    syncRows(subjects.tbody, subjectRows(share), {
      keyName: 'subject',
      key: (row) => row.subject,
      columns: 5,
      empty: 'No caps or rates',
      create: () => h('tr', null, h('th', { scope: 'row', class: 'subject mono' }),
        ...['running', 'cap', 'rate', 'parked'].map((c) => h('td', { class: `num ${c}` }))),
      update: (tr, row) => {
        setText(tr.querySelector('.subject'), row.subject);
        setText(tr.querySelector('.running'), row.running === null ? '—' : number(row.running));
        const cap = tr.querySelector('.cap');
        setText(cap, row.cap === null ? '—' : number(row.cap));
        cap.classList.toggle('at-limit', row.cap !== null && row.running !== null && row.running >= row.cap);
        setText(tr.querySelector('.rate'), row.rate ? `${number(row.rate.count)} per ${rateWindow(row.rate.interval_ms)}` : '—');
        setText(tr.querySelector('.parked'), number(row.parked));
      },
    });
    if (editor) editor.show(limits);
  }
  return { section, update };
}

/** One row per tenant with queued or running jobs or a weight of its own. */
export function tenantRows(share) {
  const limits = share.limits || {};
  const weights = limits.weights || {};
  const queued = share.queued_by_tenant || {};
  const running = share.running || {};
  const names = new Set(Object.keys(queued));
  for (const subject of Object.keys(running)) if (subject.startsWith('tenant:')) names.add(subject.slice(7));
  for (const tenant of Object.keys(weights)) if (tenant !== '*') names.add(tenant);
  const weightOf = (tenant) => weights[tenant] ?? weights['*'] ?? 1;
  // Tenants with work waiting split the band's turns by weight.
  const backlogged = [...names].filter((t) => (queued[t] || 0) > 0);
  const total = backlogged.reduce((sum, t) => sum + weightOf(t), 0);
  return [...names].sort().map((tenant) => {
    const cap = running[`tenant:${tenant}`]?.cap ?? capFor(limits.caps || {}, `tenant:${tenant}`);
    return {
      tenant,
      queued: queued[tenant] || 0,
      weight: weightOf(tenant),
      share: (queued[tenant] || 0) > 0 && total > 0 ? weightOf(tenant) / total : null,
      // Running jobs are counted per subject only where a cap applies: unknown without one.
      running: running[`tenant:${tenant}`]?.running ?? (cap === null ? null : 0),
      cap,
    };
  });
}

/** One row per subject with a cap, a rate, running jobs counted against a cap, or parked jobs. */
export function subjectRows(share) {
  const limits = share.limits || {};
  const caps = limits.caps || {};
  const rates = limits.rates || {};
  const running = share.running || {};
  const parked = share.parked || {};
  const names = new Set([...Object.keys(caps), ...Object.keys(rates), ...Object.keys(running), ...Object.keys(parked)]);
  return [...names].sort().map((subject) => ({
    subject,
    running: running[subject]?.running ?? (subject.endsWith('*') ? null : 0),
    cap: running[subject]?.cap ?? capFor(caps, subject),
    rate: rates[subject] || null,
    parked: parked[subject] || 0,
  }));
}

/** The cap that applies to `subject`: its own, else the nearest `…:*` rule above it (as the scripts resolve it). */
function capFor(caps, subject) {
  if (caps[subject] !== undefined) return caps[subject];
  let scope = subject;
  for (let colon = scope.lastIndexOf(':'); colon >= 0; colon = scope.lastIndexOf(':')) {
    scope = scope.slice(0, colon);
    if (caps[`${scope}:*`] !== undefined) return caps[`${scope}:*`];
  }
  return null;
}

function rateWindow(ms) {
  if (ms % 3600000 === 0) return ms === 3600000 ? 'hour' : `${ms / 3600000} h`;
  if (ms % 60000 === 0) return ms === 60000 ? 'minute' : `${ms / 60000} min`;
  if (ms % 1000 === 0) return ms === 1000 ? 'second' : `${ms / 1000} s`;
  return `${ms} ms`;
}

/** The operator's editor: the limits as JSON, replaced with PUT; a refusal is shown and changes nothing. */
function limitsEditor(name, slug, ctx) {
  const text = h('textarea', { id: `fair-limits-${slug}`, class: 'mono limits-text', rows: 10, spellcheck: 'false' });
  const save = h('button', { type: 'button', class: 'save-limits' }, 'Save limits');
  const problem = errorBox(`fair-error-${slug}`);
  const status = statusBox(`fair-status-${slug}`);
  const details = h('details', { class: 'limits-editor' },
    h('summary', null, `Edit limits of ${name}`),
    field('Limits (JSON: weights, caps, rates, fair)', text,
      '{"weights": {"acme": 2}, "caps": {"tenant:*": 2}, "rates": {"kind:cpu.task": {"count": 10, "interval_ms": 1000}}}'),
    h('div', { class: 'actions' }, save), problem, status);
  // What the server holds, as last shown: the text follows it until the operator edits.
  let shown = null;
  let dirty = false;
  text.addEventListener('input', () => { dirty = true; });
  save.addEventListener('click', async () => {
    problem.show(null);
    let limits;
    try {
      limits = JSON.parse(text.value);
    } catch (error) {
      problem.show(`Not JSON: ${error.message}`);
      return;
    }
    save.disabled = true;
    try {
      const stored = await put(`/v1/queues/${encodeURIComponent(name)}/limits`, limits, ctx.signal);
      dirty = false;
      shown = null;
      show(stored);
      setText(status, `Limits of ${name} saved.`);
    } catch (error) {
      problem.show(error.message || String(error));
    }
    save.disabled = false;
  });
  function show(limits) {
    const json = JSON.stringify(limits, null, 2);
    if (json === shown || dirty) return;
    shown = json;
    text.value = json;
  }
  return { details, show };
}
