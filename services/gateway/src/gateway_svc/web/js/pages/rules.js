// Rules: shifts (periods and parameters, restore the default), assignments, holidays; the
// rules-v2 parts (shift rules, rosters, calendars, leave allocation) live in ../rules/.

import { api } from '../api.js';
import {
  departmentOptions, departments as loadDepartments, employeeField, lookupList, nameMap,
} from '../data.js';
import { t } from '../i18n.js';
import { pagedList } from '../paging.js';
import { allocationsSection } from '../rules/allocations.js';
import { calendarOptions, calendarsSection, loadCalendars } from '../rules/calendars.js';
import { rostersSection } from '../rules/rosters.js';
import { fillRules, ruleBody, ruleFields, ruleSummary } from '../rules/shift-rules.js';
import {
  button, clear, confirmDialog, field, formDialog, h, input, messageBox, pageHeader, section, select, table, toast,
} from '../ui.js';

const PARAMS = ['early_checkin_minutes', 'late_grace_minutes', 'absent_after_late_minutes', 'early_leave_grace_minutes',
  'absent_if_early_minutes', 'checkout_until_minutes'];

// ISO weekdays 1 (Monday) … 7 (Sunday), named in the page's language (1 Jan 2024 was a Monday).
function dayName(day, style = 'long') {
  return new Date(2024, 0, day).toLocaleDateString(document.documentElement.lang, { weekday: style });
}

function periodRow(period, onRemove) {
  const start = input('period_start', { type: 'time', value: period.start, required: true });
  const end = input('period_end', { type: 'time', value: period.end, required: true });
  return h('li', { class: 'period' }, field(t('rules.start'), start), field(t('rules.end'), end),
    button(t('rules.period.remove'), { class: 'btn btn-small btn-ghost', onclick: (e) => onRemove(e.target.closest('li')) }));
}

// `officeDay`: the default shift as the server defines it (GET /shifts/default).
function shiftFields(form, shift, officeDay) {
  const list = h('ol', { class: 'periods' });
  const remove = (row) => { if (list.children.length > 1) row.remove(); };
  const fill = (values) => {
    clear(list, values.periods.map((p) => periodRow(p, remove)));
    for (const name of PARAMS) form.elements[name].value = values[name] ?? '';
    form.elements.half_day_hours.value = values.half_day_hours ?? '';
    for (let day = 1; day <= 7; day += 1) form.elements[`workday_${day}`].checked = (values.workdays || []).includes(day);
    fillRules(form, values);
  };

  form.append(...[
    field(t('rules.name'), input('name', { required: true, value: shift.name })),
    h('fieldset', { class: 'field-wide periods-box' }, h('legend', {}, t('rules.periods')), list,
      button(t('rules.period.add'), { class: 'btn btn-small', onclick: () => list.append(periodRow({ start: '', end: '' }, remove)) }),
      h('p', { class: 'hint' }, t('rules.periods.hint'))),
    PARAMS.map((name) => field(t(`rules.${name}`), input(name, { type: 'number', min: '0', max: '1440', required: true }))),
    field(t('rules.half_day_hours'), input('half_day_hours', { type: 'number', min: '0', max: '24', step: '0.5' })),
    field(t('emp.timezone'), input('timezone', { value: shift.timezone, placeholder: 'Asia/Shanghai' }), { hint: t('rules.timezone.hint') }),
    h('fieldset', { class: 'field-wide workdays' }, h('legend', {}, t('rules.workdays')),
      [1, 2, 3, 4, 5, 6, 7].map((day) => field(dayName(day), input(`workday_${day}`, { type: 'checkbox' })))),
    ...ruleFields(),
    field(t('rules.is_default'), input('is_default', { type: 'checkbox', checked: shift.is_default })),
    h('div', { class: 'field-wide' }, button(t('rules.restore.fill'), { class: 'btn', id: 'fill-default', onclick: () => fill({ ...officeDay, name: form.elements.name.value }) }),
      h('span', { class: 'hint' }, ` ${t('rules.restore.hint')}`)),
  ].flat());
  fill({ ...officeDay, ...shift });
}

function shiftBody(values, form) {
  const starts = [...form.querySelectorAll('[name=period_start]')].map((el) => el.value);
  const ends = [...form.querySelectorAll('[name=period_end]')].map((el) => el.value);
  const body = { name: values.name, periods: starts.map((start, i) => ({ start, end: ends[i] })) };
  for (const name of PARAMS) body[name] = Number(values[name]);
  body.half_day_hours = values.half_day_hours === undefined ? null : Number(values.half_day_hours);
  body.workdays = [1, 2, 3, 4, 5, 6, 7].filter((day) => values[`workday_${day}`]);
  body.timezone = values.timezone || null;
  body.is_default = Boolean(values.is_default);
  return { ...body, ...ruleBody(values) };
}

// Shifts and assignments are paged and searchable (a site may have hundreds of shifts and
// thousands of assignments): one page of 20 at a time, never the whole list.
async function shiftsSection(shiftsChanged) {
  const message = messageBox();
  const list = pagedList({
    path: '/shifts',
    searchLabel: t('rules.shift.search'),
    render: (shifts) => table([
      { label: t('rules.name'), render: (s) => [s.name, s.is_default ? h('span', { class: 'badge badge-present' }, t('rules.default')) : null] },
      { label: t('rules.periods'), render: (s) => [(s.periods || []).map((p) => `${p.start}–${p.end}`).join(', '), ' ', ruleSummary(s)] },
      { label: t('rules.workdays'), render: (s) => (s.workdays || []).map((d) => dayName(d, 'short')).join(', ') },
      { label: t('rules.late_grace_minutes'), key: 'late_grace_minutes' },
      { label: t('rules.absent_after_late_minutes'), key: 'absent_after_late_minutes' },
      { label: t('common.actions'), render: (s) => h('div', { class: 'row-actions' },
        button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(s) }),
        button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(s) })) },
    ], shifts, { empty: t('rules.noshifts') }),
  });
  // The page shows one page of shifts; the pickers (rosters, assignments) get every name.
  const load = async () => { await list.reload(); await shiftsChanged(); };
  async function edit(shift) {
    let officeDay;
    try { officeDay = await api.get('/shifts/default'); } catch (err) { message.error(err); return; }
    const saved = await formDialog(shift ? t('rules.shift.edit') : t('rules.shift.add'), (form) => shiftFields(form, shift || { name: '' }, officeDay),
      (values, form) => (shift ? api.patch(`/shifts/${shift.id}`, shiftBody(values, form)) : api.post('/shifts', shiftBody(values, form))));
    if (saved) { toast(t('common.saved')); load(); }
  }
  async function remove(shift) {
    if (!(await confirmDialog(t('rules.shift.delete', { name: shift.name }), t('rules.shift.delete.text'), t('common.delete')))) return;
    try { await api.del(`/shifts/${shift.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  async function restoreDefault() {
    if (!(await confirmDialog(t('rules.restore'), t('rules.restore.confirm'), t('rules.restore'), { danger: false }))) return;
    try { await api.post('/shifts/restore-default'); toast(t('common.saved')); load(); } catch (err) { message.error(err); }
  }
  await load();
  return section(t('rules.shifts'), message, list.element, h('div', { class: 'actions' },
    button(t('rules.restore'), { class: 'btn', id: 'restore-default-shift', onclick: restoreDefault }),
    button(t('rules.shift.add'), { class: 'btn btn-primary', id: 'add-shift', onclick: () => edit(null) })));
}

// Every shift's name for the pickers (a name list, not the page's table), read page by page.
async function shiftChoices() {
  return lookupList('/shifts');
}

async function assignmentsSection(ctx) {
  const message = messageBox();
  const byShift = select('shift_id', [['', t('common.all')], ...ctx.shiftOptions()]);
  const list = pagedList({
    path: '/shift-assignments',
    searchLabel: t('rules.assign.search'),
    params: () => ({ shift_id: byShift.value }),
    extraFilters: [field(t('rules.shift'), byShift)],
    render: (rows) => table([
      { label: t('rules.assignee'), render: (a) => (a.employee_id ? a.employee_name || '' : `${t('emp.department')}: ${a.department_name || ctx.depts.get(a.department_id) || ''}`) },
      { label: t('rules.shift'), render: (a) => (a.roster_id ? `${t('rosters.roster')}: ${ctx.rosterNames().get(a.roster_id) || ''}` : a.shift_name || ctx.shiftNames().get(a.shift_id) || '') },
      { label: t('common.from'), key: 'from' },
      { label: t('common.to'), render: (a) => a.to || t('rules.open') },
      { label: t('common.actions'), render: (a) => h('div', { class: 'row-actions' },
        button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(a) }),
        button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(a) })) },
    ], rows, { empty: t('rules.noassignments') }),
  });
  const load = list.reload;
  async function add() {
    const saved = await formDialog(t('rules.assign'), (form) => form.append(
      employeeField(t('common.employee'), 'employee_id', { emptyLabel: t('rules.none') }).element,
      field(t('emp.department'), select('department_id', departmentOptions(ctx.departmentList, t('rules.none')))),
      field(t('rules.shift'), select('shift_id', [['', t('rules.none')], ...ctx.shiftOptions()])),
      field(t('rosters.roster'), select('roster_id', [['', t('rules.none')], ...ctx.rosterOptions()]), { hint: t('rosters.assign.hint') }),
      field(t('common.from'), input('from', { type: 'date', required: true })),
      field(t('common.to'), input('to', { type: 'date' })),
      h('p', { class: 'hint field-wide' }, t('rules.assign.hint')),
    ), (values) => {
      const body = { from: values.from, to: values.to || null };
      if (values.shift_id) body.shift_id = Number(values.shift_id);
      if (values.roster_id) body.roster_id = Number(values.roster_id);
      if (values.employee_id) body.employee_id = Number(values.employee_id);
      if (values.department_id) body.department_id = Number(values.department_id);
      return api.post('/shift-assignments', body);
    });
    if (saved) { toast(t('common.saved')); load(); }
  }
  // One shift or roster for many people at once: all are assigned, or (a conflict) none.
  async function addMany() {
    const people = employeeField(t('rules.bulk.people'), 'employee_ids', { multiple: true, required: true });
    const saved = await formDialog(t('rules.bulk'), (form) => form.append(
      people.element,
      field(t('rules.shift'), select('shift_id', [['', t('rules.none')], ...ctx.shiftOptions()])),
      field(t('rosters.roster'), select('roster_id', [['', t('rules.none')], ...ctx.rosterOptions()])),
      field(t('common.from'), input('from', { type: 'date', required: true })),
      field(t('common.to'), input('to', { type: 'date' })),
      h('p', { class: 'hint field-wide' }, t('rules.bulk.hint')),
    ), (values) => {
      const body = { employee_ids: people.chosen(), from: values.from, to: values.to || null };
      if (values.shift_id) body.shift_id = Number(values.shift_id);
      if (values.roster_id) body.roster_id = Number(values.roster_id);
      return api.post('/shift-assignments/bulk', body);
    }, t('rules.bulk.save'));
    if (saved) { toast(t('rules.bulk.done', { n: saved.total })); load(); }
  }
  // Change the dates, or the shift of a shift assignment (a roster's is changed on its roster).
  async function edit(a) {
    const saved = await formDialog(t('rules.assign.edit'), (form) => form.append(...[
      h('p', { class: 'field-wide' }, a.employee_name || a.department_name || ''),
      a.roster_id ? null : field(t('rules.shift'), select('shift_id', ctx.shiftOptions(), { required: true, value: a.shift_id })),
      field(t('common.from'), input('from', { type: 'date', required: true, value: a.from })),
      field(t('common.to'), input('to', { type: 'date', value: a.to || '' })),
    ].filter(Boolean)), (values) => api.patch(`/shift-assignments/${a.id}`, {
      ...(a.roster_id ? {} : { shift_id: Number(values.shift_id) }), from: values.from, to: values.to || null }));
    if (saved) { toast(t('common.saved')); load(); }
  }
  async function remove(a) {
    if (!(await confirmDialog(t('rules.assign.delete'), t('rules.assign.delete.text'), t('common.delete')))) return;
    try { await api.del(`/shift-assignments/${a.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  await load();
  return section(t('rules.assignments'), message, list.element, h('div', { class: 'actions' },
    button(t('rules.assign'), { class: 'btn btn-primary', onclick: add }),
    button(t('rules.bulk'), { class: 'btn', onclick: addMany })));
}

async function holidaysSection(ctx) {
  const message = messageBox();
  const list = pagedList({
    path: '/holidays',
    search: false,
    render: (rows) => table([
      { label: t('common.date'), key: 'date' },
      { label: t('rules.holiday.name'), key: 'name' },
      { label: t('calendars.calendar'), render: (x) => (x.calendar_id ? ctx.calendarNames().get(x.calendar_id) || `#${x.calendar_id}` : t('calendars.organisation')) },
      { label: t('common.actions'), render: (x) => button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(x) }) },
    ], rows, { empty: t('rules.noholidays') }),
  });
  const load = list.reload;
  const date = input('date', { type: 'date', required: true });
  const name = input('name', { required: true });
  const calendar = select('calendar_id', calendarOptions(ctx.calendars()));
  ctx.onCalendars((list) => clear(calendar, calendarOptions(list).map(([value, label]) => h('option', { value: String(value) }, label))));
  const form = h('form', { class: 'form-inline' }, field(t('common.date'), date), field(t('rules.holiday.name'), name),
    field(t('calendars.calendar'), calendar),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('rules.holiday.add')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post('/holidays', { date: date.value, name: name.value.trim(), calendar_id: calendar.value ? Number(calendar.value) : null });
      form.reset();
      toast(t('common.saved'));
      load();
    } catch (err) {
      message.error(err);
    }
  });
  async function remove(x) {
    try { await api.del(`/holidays/${x.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  await load();
  return section(t('rules.holidays'), message, form, list.element);
}

export async function render(main) {
  const [departmentList, calendarList, shiftList] = await Promise.all([loadDepartments(), loadCalendars(), shiftChoices()]);
  let shifts = shiftList;
  let rosters = [];
  let calendars = calendarList;
  const calendarListeners = [];
  const ctx = {
    departmentList, depts: nameMap(departmentList),
    shiftNames: () => nameMap(shifts),
    shiftOptions: () => shifts.map((s) => [s.id, s.name]),
    rosterNames: () => nameMap(rosters),
    rosterOptions: () => rosters.map((r) => [r.id, r.name]),
    rostersChanged: (list) => { rosters = list; },
    calendars: () => calendars,
    calendarNames: () => nameMap(calendars),
    onCalendars: (listener) => calendarListeners.push(listener),
    calendarsChanged: (list) => { calendars = list; calendarListeners.forEach((listener) => listener(list)); },
  };
  main.append(pageHeader(t('nav.rules')));
  main.append(await shiftsSection(async () => { shifts = await shiftChoices(); }));
  const rosterSection = await rostersSection(ctx);
  main.append(await assignmentsSection(ctx));
  main.append(rosterSection);
  main.append(await holidaysSection(ctx));
  main.append(await calendarsSection(ctx));
  main.append(await allocationsSection());
}
