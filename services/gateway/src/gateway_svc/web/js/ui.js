// DOM helpers. Everything is built with createElement and textContent (never parsed HTML),
// and no style attributes (the CSP forbids inline style).

import { t, statusLabel } from './i18n.js';

let idCounter = 0;
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key === 'value') {
      el.value = value;
    } else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'multiple') {
      el[key] = Boolean(value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === 'text') el.textContent = value;
    else if (key === 'class') el.setAttribute('class', value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

// A labelled form control. `control` is an input/select/textarea element or a spec.
export function field(label, control, { hint, wide } = {}) {
  const id = control.id || uid('fld');
  control.id = id;
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const isCheck = control.type === 'checkbox' || control.type === 'radio';
  if (isCheck) {
    return h('div', { class: 'field field-check' }, control, h('label', { for: id }, label), hintEl);
  }
  return h('div', { class: wide ? 'field field-wide' : 'field' }, h('label', { for: id }, label), control, hintEl);
}

export function input(name, attrs = {}) {
  return h('input', { name, type: 'text', ...attrs });
}

export function select(name, options, attrs = {}) {
  const el = h('select', { name, ...attrs });
  for (const option of options) {
    const [value, label] = Array.isArray(option) ? option : [option.value, option.label];
    el.append(h('option', { value: String(value ?? '') }, label));
  }
  if (attrs.value !== undefined && attrs.value !== null) el.value = String(attrs.value);
  return el;
}

export function button(label, attrs = {}) {
  return h('button', { type: 'button', class: 'btn', ...attrs }, label);
}

// Reads a form into an object, dropping empty strings so optional fields stay unset.
export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') values[el.name] = el.checked;
    else if (el.type === 'file') continue;
    else if (el.value !== '') values[el.name] = el.type === 'number' ? Number(el.value) : el.value;
  }
  return values;
}

// A message area inside a page; errors are role=alert so screen readers hear them at once.
export function messageBox() {
  const box = h('div', { class: 'message', 'aria-live': 'polite' });
  box.show = (text, kind = 'info') => {
    clear(box, h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : null }, text));
  };
  box.error = (err) => box.show(errorText(err), 'error');
  box.ok = (text) => box.show(text, 'ok');
  box.clear = () => clear(box);
  return box;
}

export function errorText(err) {
  if (!err) return '';
  if (err.code === 'network_error') return t('error.network');
  return err.message || String(err);
}

// Short notices for the whole app (saved, deleted, ...) in the polite live region.
export function toast(text, kind = 'ok') {
  const box = document.getElementById('toasts');
  const note = h('p', { class: `toast toast-${kind}` }, text);
  box.append(note);
  setTimeout(() => note.remove(), 5000);
}

export function table(columns, rows, { empty, caption } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty || t('common.none'));
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)));
  const body = rows.map((row) => h('tr', {}, columns.map((c) => {
    const value = c.render ? c.render(row) : row[c.key];
    return h('td', { class: c.class, 'data-label': c.label }, value ?? '');
  })));
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table' }, caption ? h('caption', {}, caption) : null,
      h('thead', {}, head), h('tbody', {}, body)));
}

export function badge(status, scope) {
  return h('span', { class: `badge badge-${String(status || 'unknown').replace(/[^a-z_]/g, '')}` }, statusLabel(status, scope));
}

export function pageHeader(title, ...actions) {
  document.title = `${title} · FaceClock`;
  return h('div', { class: 'page-header' }, h('h1', {}, title), actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export function section(title, ...children) {
  const headingId = uid('sec');
  return h('section', { class: 'card', 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), children);
}

// Back to the control that opened a dialog, if the page still has it (keyboard users keep
// their place).
function restoreFocus(opener) {
  if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
}

// A modal confirmation with the native <dialog>; resolves true when confirmed.
export function confirmDialog(title, text, confirmLabel, { danger = true } = {}) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId });
    const opener = document.activeElement;
    const done = (value) => { dialog.close(); dialog.remove(); restoreFocus(opener); resolve(value); };
    dialog.append(
      h('h2', { id: titleId }, title),
      h('p', {}, text),
      h('div', { class: 'actions' },
        button(t('common.cancel'), { onclick: () => done(false) }),
        button(confirmLabel, { class: danger ? 'btn btn-danger' : 'btn btn-primary', onclick: () => done(true) })),
    );
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// A modal with a form; `build(form)` fills it; `submit(values)` may throw an ApiError which is
// shown inside the dialog.
export function formDialog(title, build, submit, submitLabel) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h('dialog', { class: 'dialog dialog-form', 'aria-labelledby': titleId });
    const message = messageBox();
    const form = h('form', { class: 'form-grid', novalidate: false });
    build(form);
    const opener = document.activeElement;
    const close = (value) => { dialog.close(); dialog.remove(); restoreFocus(opener); resolve(value); };
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel || t('common.save'));
    form.append(h('div', { class: 'actions field-wide' }, button(t('common.cancel'), { onclick: () => close(null) }), save));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      save.disabled = true;
      try {
        close(await submit(formValues(form), form));
      } catch (err) {
        message.error(err);
      } finally {
        save.disabled = false;
      }
    });
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    dialog.append(h('h2', { id: titleId }, title), message, form);
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function progressBar(value, label) {
  const pct = Math.round(Math.max(0, Math.min(1, value || 0)) * 100);
  const bar = h('progress', { max: '100', value: String(pct), 'aria-label': label || t('common.progress') });
  return h('span', { class: 'progress' }, bar, h('span', { class: 'progress-text' }, `${pct}%`));
}

// For lists reloaded by filters: only the latest request may draw, so an earlier, slower answer
// never overwrites a newer one. `const isCurrent = turn();` before the request, check after.
export function latestOnly() {
  let counter = 0;
  return () => {
    counter += 1;
    const mine = counter;
    return () => mine === counter;
  };
}

export function today() {
  return isoDate(new Date());
}

export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function items(answer) {
  if (Array.isArray(answer)) return answer;
  return (answer && answer.items) || [];
}

export function link(href, text, attrs = {}) {
  return h('a', { href, 'data-link': '', ...attrs }, text);
}

export function tabs(list, onSelect) {
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  const buttons = list.map(([key, label], index) => h('button', {
    type: 'button', role: 'tab', class: 'tab', id: `tab-${key}`,
    'aria-selected': index === 0 ? 'true' : 'false',
    onclick: () => choose(key),
  }, label));
  // WAI-ARIA tabs: one tab stop, the arrow keys move between tabs.
  bar.addEventListener('keydown', (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index < 0 || !['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const last = buttons.length - 1;
    const next = { ArrowLeft: index ? index - 1 : last, ArrowRight: index === last ? 0 : index + 1, Home: 0, End: last }[event.key];
    buttons[next].focus();
    buttons[next].click();
  });
  function choose(key) {
    buttons.forEach((b) => {
      const selected = b.id === `tab-${key}`;
      b.setAttribute('aria-selected', String(selected));
      b.tabIndex = selected ? 0 : -1;
    });
    onSelect(key);
  }
  bar.append(...buttons);
  bar.choose = choose;
  return bar;
}
