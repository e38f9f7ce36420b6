// Look-ups several pages share: departments and employees for pickers, and a searching
// employee field.

import { api } from './api.js';
import { t } from './i18n.js';
import { clear, h, items, latestOnly, uid } from './ui.js';

export async function departments() {
  try {
    return items(await api.get('/departments', { limit: 500 }));
  } catch {
    return [];
  }
}

export async function employees(params = {}) {
  try {
    return items(await api.get('/employees', { limit: 500, ...params }));
  } catch {
    return [];
  }
}

// The organisation's sites (anyone signed in may read them), for pickers and filters.
export async function sites() {
  try {
    return items(await api.get('/sites', { limit: 200 }));
  } catch {
    return [];
  }
}

export function siteOptions(list, emptyLabel) {
  return [['', emptyLabel ?? t('common.all')], ...list.map((s) => [s.id, s.name])];
}

export function departmentOptions(list, emptyLabel) {
  return [['', emptyLabel ?? t('common.all')], ...list.map((d) => [d.id, `${d.name} (${d.code})`])];
}

export function employeeOptions(list, emptyLabel) {
  return [['', emptyLabel ?? t('common.all')], ...list.map((e) => [e.id, `${e.name} · ${e.employee_no}`])];
}

export function nameMap(list) {
  return new Map(list.map((x) => [x.id, x.name]));
}

// A filter on whether a face clock-in passed a liveness check (the punch list's `liveness`).
export function livenessOptions() {
  return [['', t('common.all')], ['checked', t('att.liveness.checked')], ['not_checked', t('att.liveness.not_checked')]];
}

// An employee field that searches the server as the person types: a large organisation has more
// people than one list can hold. `multiple`: several may be chosen, and those chosen stay chosen
// while the person searches for the next. `selected`: [{id, name, employee_no}] chosen already.
export function employeeField(label, name, { emptyLabel, required, multiple, selected = [] } = {}) {
  const choice = h('select', { name, id: uid('emp'), required, multiple, size: multiple ? 8 : undefined });
  const search = h('input', {
    type: 'search', autocomplete: 'off', 'aria-label': t('picker.search'), placeholder: t('picker.placeholder'),
  });
  const count = multiple ? h('small', { class: 'hint', 'aria-live': 'polite' }) : null;
  const chosen = new Map(selected.map((e) => [String(e.id), e]));
  const turn = latestOnly();
  const option = (e) => h('option', { value: String(e.id) }, `${e.name} · ${e.employee_no}`);
  const showCount = () => { if (count) count.textContent = t('picker.chosen', { n: chosen.size }); };

  async function fill() {
    const isCurrent = turn();
    let found = [];
    try {
      found = items(await api.get('/employees', { q: search.value.trim(), limit: 50 }));
    } catch {
      found = [];
    }
    if (!isCurrent()) return;
    const keep = [...chosen.values()];
    const rest = found.filter((e) => !chosen.has(String(e.id)));
    clear(choice, emptyLabel === undefined ? null : h('option', { value: '' }, emptyLabel), ...keep.map(option), ...rest.map(option));
    for (const opt of choice.options) opt.selected = chosen.has(opt.value);
    if (!multiple && !chosen.size && emptyLabel === undefined && choice.options.length) choice.selectedIndex = -1;
  }
  choice.addEventListener('change', () => {
    if (!multiple) chosen.clear();
    const shown = new Map([...choice.options].map((o) => [o.value, o]));
    for (const [id] of chosen) if (shown.has(id) && !shown.get(id).selected) chosen.delete(id);
    for (const opt of choice.selectedOptions) {
      if (opt.value) chosen.set(opt.value, { id: Number(opt.value), name: opt.textContent.split(' · ')[0], employee_no: opt.textContent.split(' · ')[1] });
    }
    showCount();
  });
  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(fill, 250); });
  // Enter in the search box searches at once instead of submitting the dialog.
  search.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); clearTimeout(timer); fill(); } });
  fill();
  showCount();
  const element = h('div', { class: multiple ? 'field field-wide field-picker' : 'field field-picker' }, h('label', { for: choice.id }, label), search, choice, count);
  return { element, chosen: () => [...chosen.keys()].map(Number) };
}
