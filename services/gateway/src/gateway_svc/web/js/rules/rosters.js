// Rosters: a repeating pattern of shifts and rest days, edited day by day with a calendar
// preview that the server lays out (POST /rosters/preview), saved or not.

import { api } from '../api.js';
import { lookupList } from '../data.js';
import { t } from '../i18n.js';
import {
  button, clear, confirmDialog, field, formDialog, h, input, isoDate, items, latestOnly, messageBox, section, select,
  table, toast, today,
} from '../ui.js';

const PREVIEW_DAYS = 28;

function dayRow(position, value, shiftOptions, onChange) {
  const choice = select(`day_${position}`, [['', t('rosters.rest')], ...shiftOptions], { value: value ?? '' });
  choice.addEventListener('change', onChange);
  return field(t('rosters.day', { n: position + 1 }), choice);
}

function previewGrid(days) {
  return h('ol', { class: 'roster-preview', 'aria-label': t('rosters.preview') }, days.map((day) => h('li', {
    class: day.shift_id ? 'roster-day roster-work' : 'roster-day roster-rest',
  }, h('span', { class: 'roster-date' }, new Date(`${day.date}T00:00:00`).toLocaleDateString(document.documentElement.lang,
    { weekday: 'short', month: 'numeric', day: 'numeric' })), h('span', {}, day.shift_name || t('rosters.rest')))));
}

function rosterForm(form, roster, shiftOptions) {
  const pattern = [...(roster.pattern || [null, null, null, null, null, null, null])];
  const rows = h('div', { class: 'field-wide roster-days' });
  const preview = h('div', { class: 'field-wide', 'aria-live': 'polite' });
  const anchor = input('anchor_date', { type: 'date', required: true, value: roster.anchor_date || today() });
  const length = input('cycle_days', { type: 'number', min: '1', max: '366', required: true, value: String(pattern.length) });
  const isCurrent = latestOnly();
  const readPattern = () => [...rows.querySelectorAll('select')].map((el) => (el.value ? Number(el.value) : null));
  async function refresh() {
    const turn = isCurrent();
    const from = anchor.value || today();
    const to = new Date(`${from}T00:00:00`);
    to.setDate(to.getDate() + PREVIEW_DAYS - 1);
    try {
      const answer = await api.post('/rosters/preview', { anchor_date: from, pattern: readPattern(), from, to: isoDate(to) });
      if (turn()) clear(preview, h('h3', {}, t('rosters.preview')), previewGrid(items(answer)));
    } catch (err) {
      if (turn()) clear(preview, h('p', { class: 'notice notice-error', role: 'alert' }, err.message));
    }
  }
  function draw() {
    const wanted = Math.max(1, Math.min(366, Number(length.value) || 1));
    const current = readPattern();
    const values = current.length ? current : pattern;
    clear(rows, Array.from({ length: wanted }, (_, i) => dayRow(i, values[i] ?? null, shiftOptions, refresh)));
    refresh();
  }
  length.addEventListener('change', draw);
  anchor.addEventListener('change', refresh);
  form.append(
    field(t('rules.name'), input('name', { required: true, value: roster.name || '' })),
    field(t('rosters.anchor'), anchor, { hint: t('rosters.anchor.hint') }),
    field(t('rosters.cycle_days'), length, { hint: t('rosters.cycle_days.hint') }),
    rows, preview,
  );
  clear(rows, pattern.map((value, i) => dayRow(i, value, shiftOptions, refresh)));
  refresh();
}

export async function rostersSection(ctx) {
  const message = messageBox();
  const list = h('div', {});
  async function load() {
    try {
      const rosters = await lookupList('/rosters'); // every roster, read page by page
      ctx.rostersChanged(rosters);
      clear(list, table([
        { label: t('rules.name'), key: 'name' },
        { label: t('rosters.anchor'), key: 'anchor_date' },
        { label: t('rosters.pattern'), render: (r) => r.pattern.map((id) => (id ? ctx.shiftNames().get(id) || `#${id}` : t('rosters.rest'))).join(' · ') },
        { label: t('common.actions'), render: (r) => h('div', { class: 'row-actions' },
          button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(r) }),
          button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(r) })) },
      ], rosters, { empty: t('rosters.none') }));
    } catch (err) {
      message.error(err);
    }
  }
  async function edit(roster) {
    const saved = await formDialog(roster ? t('rosters.edit') : t('rosters.add'),
      (form) => rosterForm(form, roster || {}, ctx.shiftOptions()),
      (values, form) => {
        const pattern = [...form.querySelectorAll('.roster-days select')].map((el) => (el.value ? Number(el.value) : null));
        const body = { name: values.name, anchor_date: values.anchor_date, pattern };
        return roster ? api.patch(`/rosters/${roster.id}`, body) : api.post('/rosters', body);
      });
    if (saved) { toast(t('common.saved')); load(); }
  }
  async function remove(roster) {
    if (!(await confirmDialog(t('rosters.delete', { name: roster.name }), t('rosters.delete.text'), t('common.delete')))) return;
    try { await api.del(`/rosters/${roster.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  await load();
  return section(t('rosters.title'), h('p', { class: 'hint' }, t('rosters.hint')), message, list,
    button(t('rosters.add'), { class: 'btn btn-primary', id: 'add-roster', onclick: () => edit(null) }));
}
