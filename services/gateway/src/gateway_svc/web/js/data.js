// Look-ups several pages share: departments and sites for pickers, the names of the employees a
// page shows, and a searching employee field.

import { allItems, api } from './api.js';
import { t } from './i18n.js';
import { clear, h, items, latestOnly, uid } from './ui.js';

// A look-up list (departments, sites, shifts, rosters, kiosks...) for pickers and names, read
// whole, page by page: a picker that silently stopped at one page would hide the rest. 100 rows a
// page is within every service's limit (500 in auth, 1000 in attendance).
export function lookupList(path, params = {}) {
  return allItems(path, params, 100);
}

export async function departments() {
  try {
    return await lookupList('/departments');
  } catch {
    return [];
  }
}

// The organisation's sites (anyone signed in may read them), for pickers and filters.
export async function sites() {
  try {
    return await lookupList('/sites');
  } catch {
    return [];
  }
}

// The names of the employees whose ids a page shows (id -> name): just those people, asked for
// 100 at a time (what GET /employees?id= takes), never the whole organisation.
export async function employeeNames(ids) {
  const wanted = [...new Set(ids.filter(Boolean))];
  const chunks = [];
  for (let i = 0; i < wanted.length; i += 100) chunks.push(wanted.slice(i, i + 100));
  const names = new Map();
  await Promise.all(chunks.map(async (id) => {
    try {
      for (const e of items(await api.get('/employees', { id, limit: id.length }))) names.set(e.id, e.name);
    } catch {
      // The rows still show without the names.
    }
  }));
  return names;
}

export function siteOptions(list, emptyLabel) {
  return [['', emptyLabel ?? t('common.all')], ...list.map((s) => [s.id, s.name])];
}

export function departmentOptions(list, emptyLabel) {
  return [['', emptyLabel ?? t('common.all')], ...list.map((d) => [d.id, `${d.name} (${d.code})`])];
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
// Returns the field's element, its <select> (to listen for a choice) and `chosen()`: the ids.
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
  return { element, select: choice, chosen: () => [...chosen.keys()].map(Number) };
}
