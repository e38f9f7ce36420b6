// Rules: shifts (periods and parameters, restore the default), assignments, holidays.

import { api } from '../api.js';
import {
  departmentOptions, departments as loadDepartments, employeeOptions, employees as loadEmployees, nameMap,
} from '../data.js';
import { t } from '../i18n.js';
import {
  button, clear, confirmDialog, field, formDialog, h, input, items, messageBox, pageHeader, section, select, table, toast,
} from '../ui.js';

export const DEFAULT_SHIFT = {
  periods: [{ start: '08:00', end: '12:00' }, { start: '14:00', end: '18:00' }],
  early_checkin_minutes: 60,
  late_grace_minutes: 0,
  absent_after_late_minutes: 120,
  early_leave_grace_minutes: 0,
  absent_if_early_minutes: 120,
  checkout_until_minutes: 240,
  half_day_hours: null,
  workdays: [1, 2, 3, 4, 5],
};
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

function shiftFields(form, shift) {
  const list = h('ol', { class: 'periods' });
  const remove = (row) => { if (list.children.length > 1) row.remove(); };
  const fill = (values) => {
    clear(list, values.periods.map((p) => periodRow(p, remove)));
    for (const name of PARAMS) form.elements[name].value = values[name] ?? '';
    form.elements.half_day_hours.value = values.half_day_hours ?? '';
    for (let day = 1; day <= 7; day += 1) form.elements[`workday_${day}`].checked = (values.workdays || []).includes(day);
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
    field(t('rules.is_default'), input('is_default', { type: 'checkbox', checked: shift.is_default })),
    h('div', { class: 'field-wide' }, button(t('rules.restore.fill'), { class: 'btn', id: 'fill-default', onclick: () => fill({ ...DEFAULT_SHIFT, name: form.elements.name.value }) }),
      h('span', { class: 'hint' }, ` ${t('rules.restore.hint')}`)),
  ].flat());
  fill({ ...DEFAULT_SHIFT, ...shift });
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
  return body;
}

async function shiftsSection(shiftsChanged) {
  const message = messageBox();
  const list = h('div', {});
  async function load() {
    try {
      const shifts = items(await api.get('/shifts', { limit: 200 }));
      shiftsChanged(shifts);
      clear(list, table([
        { label: t('rules.name'), render: (s) => [s.name, s.is_default ? h('span', { class: 'badge badge-present' }, t('rules.default')) : null] },
        { label: t('rules.periods'), render: (s) => (s.periods || []).map((p) => `${p.start}–${p.end}`).join(', ') },
        { label: t('rules.workdays'), render: (s) => (s.workdays || []).map((d) => dayName(d, 'short')).join(', ') },
        { label: t('rules.late_grace_minutes'), key: 'late_grace_minutes' },
        { label: t('rules.absent_after_late_minutes'), key: 'absent_after_late_minutes' },
        { label: t('common.actions'), render: (s) => h('div', { class: 'row-actions' },
          button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(s) }),
          button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(s) })) },
      ], shifts, { empty: t('rules.noshifts') }));
    } catch (err) {
      message.error(err);
    }
  }
  async function edit(shift) {
    const saved = await formDialog(shift ? t('rules.shift.edit') : t('rules.shift.add'), (form) => shiftFields(form, shift || { name: '' }),
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
  return section(t('rules.shifts'), message, list, h('div', { class: 'actions' },
    button(t('rules.restore'), { class: 'btn', id: 'restore-default-shift', onclick: restoreDefault }),
    button(t('rules.shift.add'), { class: 'btn btn-primary', id: 'add-shift', onclick: () => edit(null) })));
}

async function assignmentsSection(ctx) {
  const message = messageBox();
  const list = h('div', {});
  async function load() {
    try {
      const rows = items(await api.get('/shift-assignments', { limit: 500 }));
      clear(list, table([
        { label: t('rules.assignee'), render: (a) => (a.employee_id ? ctx.people.get(a.employee_id) || `#${a.employee_id}` : `${t('emp.department')}: ${ctx.depts.get(a.department_id) || `#${a.department_id}`}`) },
        { label: t('rules.shift'), render: (a) => ctx.shiftNames().get(a.shift_id) || `#${a.shift_id}` },
        { label: t('common.from'), key: 'from' },
        { label: t('common.to'), render: (a) => a.to || t('rules.open') },
        { label: t('common.actions'), render: (a) => button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(a) }) },
      ], rows, { empty: t('rules.noassignments') }));
    } catch (err) {
      message.error(err);
    }
  }
  async function add() {
    const saved = await formDialog(t('rules.assign'), (form) => form.append(
      field(t('common.employee'), select('employee_id', employeeOptions(ctx.employeeList, t('rules.none')))),
      field(t('emp.department'), select('department_id', departmentOptions(ctx.departmentList, t('rules.none')))),
      field(t('rules.shift'), select('shift_id', ctx.shiftOptions(), { required: true })),
      field(t('common.from'), input('from', { type: 'date', required: true })),
      field(t('common.to'), input('to', { type: 'date' })),
      h('p', { class: 'hint field-wide' }, t('rules.assign.hint')),
    ), (values) => {
      const body = { shift_id: Number(values.shift_id), from: values.from, to: values.to || null };
      if (values.employee_id) body.employee_id = Number(values.employee_id);
      if (values.department_id) body.department_id = Number(values.department_id);
      return api.post('/shift-assignments', body);
    });
    if (saved) { toast(t('common.saved')); load(); }
  }
  async function remove(a) {
    if (!(await confirmDialog(t('rules.assign.delete'), t('rules.assign.delete.text'), t('common.delete')))) return;
    try { await api.del(`/shift-assignments/${a.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  await load();
  return section(t('rules.assignments'), message, list, button(t('rules.assign'), { class: 'btn btn-primary', onclick: add }));
}

async function holidaysSection() {
  const message = messageBox();
  const list = h('div', {});
  async function load() {
    try {
      const rows = items(await api.get('/holidays', { limit: 500 }));
      clear(list, table([
        { label: t('common.date'), key: 'date' },
        { label: t('rules.holiday.name'), key: 'name' },
        { label: t('common.actions'), render: (x) => button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(x) }) },
      ], rows, { empty: t('rules.noholidays') }));
    } catch (err) {
      message.error(err);
    }
  }
  const date = input('date', { type: 'date', required: true });
  const name = input('name', { required: true });
  const form = h('form', { class: 'form-inline' }, field(t('common.date'), date), field(t('rules.holiday.name'), name),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('rules.holiday.add')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post('/holidays', { date: date.value, name: name.value.trim() });
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
  return section(t('rules.holidays'), message, form, list);
}

export async function render(main) {
  const [departmentList, employeeList] = await Promise.all([loadDepartments(), loadEmployees()]);
  let shifts = [];
  const ctx = {
    departmentList, employeeList, people: nameMap(employeeList), depts: nameMap(departmentList),
    shiftNames: () => nameMap(shifts),
    shiftOptions: () => shifts.map((s) => [s.id, s.name]),
  };
  main.append(pageHeader(t('nav.rules')));
  main.append(await shiftsSection((list) => { shifts = list; }));
  main.append(await assignmentsSection(ctx));
  main.append(await holidaysSection());
}
