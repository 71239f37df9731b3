// Safe DOM building: every value goes in through textContent or an attribute, never as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function assign(el, attrs, svg) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class' || key === 'className') {
      if (svg) el.setAttribute('class', value);
      else el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (!svg && (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled')) {
      el[key] = value;
    } else if (key === 'style') {
      throw new Error('no style attributes: the page runs under a CSP without unsafe-inline');
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

/** h('a', {href: '#/jobs', class: 'x', onClick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  assign(el, attrs, false);
  append(el, children);
  return el;
}

/** An SVG element, built as h builds HTML ones. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  assign(el, attrs, true);
  append(el, children);
  return el;
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Sets text only when it changed (keeps selection and screen readers quiet). */
export function setText(el, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
}

/** A <progress> for a 0…1 fraction; indeterminate when `fraction` is null and `busy`. */
export function setProgress(el, fraction, label) {
  if (typeof fraction === 'number' && Number.isFinite(fraction)) {
    el.max = 1;
    el.value = Math.max(0, Math.min(1, fraction));
    el.hidden = false;
  } else {
    el.removeAttribute('value');
  }
  if (label) el.setAttribute('aria-label', label);
}

/**
 * Keeps the rows of `tbody` in step with `items`, keyed by `key(item)` on `data-<keyName>`:
 * existing rows are updated in place (focus and checkboxes stay), new ones created, gone ones
 * removed. `empty` is the text of a placeholder row when there are no items.
 */
export function syncRows(tbody, items, { keyName, key, create, update, empty, columns }) {
  const attr = `data-${keyName}`;
  const existing = new Map();
  for (const row of Array.from(tbody.rows)) {
    if (row.hasAttribute(attr)) existing.set(row.getAttribute(attr), row);
    else row.remove();
  }
  const keep = new Set();
  items.forEach((item, index) => {
    const id = String(key(item));
    keep.add(id);
    let row = existing.get(id);
    if (!row) {
      row = create(item);
      row.setAttribute(attr, id);
    }
    update(row, item);
    const at = tbody.rows[index];
    if (at !== row) tbody.insertBefore(row, at || null);
  });
  for (const [id, row] of existing) if (!keep.has(id)) row.remove();
  if (items.length === 0 && empty) {
    tbody.append(h('tr', { class: 'empty' }, h('td', { colspan: columns || 1 }, empty)));
  }
}

/** A table with a caption and header cells; returns {table, tbody}. */
export function table(id, caption, headings) {
  const tbody = h('tbody');
  const table = h(
    'table',
    { id, class: 'data' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, headings.map((text) => h('th', { scope: 'col' }, text)))),
    tbody,
  );
  return { table, tbody };
}

/** A <label> + control pair in a .field wrapper. */
export function field(label, control, hint) {
  if (!control.id) throw new Error('field control needs an id');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('span', { class: 'hint' }, hint) : null);
}

/** A page's own error line (role=alert), hidden while empty. */
export function errorBox(id) {
  const el = h('div', { id, class: 'error', role: 'alert', hidden: true });
  el.show = (message) => {
    setText(el, message || '');
    el.hidden = !message;
  };
  return el;
}

/** A polite live region for outcomes ("3 of 3 replayed"). */
export function statusBox(id) {
  return h('p', { id, class: 'status-line', 'aria-live': 'polite' });
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind ? `badge-${kind}` : ''}` }, text);
}

/** A <pre> of JSON, pretty-printed. */
export function jsonBlock(value, attrs) {
  return h('pre', { class: 'json', ...(attrs || {}) }, JSON.stringify(value, null, 2));
}

/**
 * Replaces the children of `container` as fill does, keeping what a re-render would lose:
 * focus on an element with a `data-key`, and which `<details data-key>` are open.
 */
export function refill(container, ...children) {
  const active = document.activeElement;
  const focusKey = active && container.contains(active) ? active.dataset?.key : null;
  const open = new Set(
    Array.from(container.querySelectorAll('details[data-key]')).filter((d) => d.open).map((d) => d.dataset.key),
  );
  fill(container, ...children);
  for (const details of container.querySelectorAll('details[data-key]')) if (open.has(details.dataset.key)) details.open = true;
  if (focusKey) {
    const again = container.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
  }
}
