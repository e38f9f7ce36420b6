// Holiday calendars: named sets of holidays attached to departments (and sites); holidays
// without a calendar are the organisation-wide ones.

import { api } from '../api.js';
import { departmentOptions, lookupList } from '../data.js';
import { t } from '../i18n.js';
import {
  button, clear, confirmDialog, field, h, input, messageBox, section, select, table, toast,
} from '../ui.js';

// Every calendar, read page by page.
export async function loadCalendars() {
  try {
    return await lookupList('/holiday-calendars');
  } catch {
    return [];
  }
}

export function calendarOptions(calendars) {
  return [['', t('calendars.organisation')], ...calendars.map((c) => [c.id, c.name])];
}

export async function calendarsSection(ctx) {
  const message = messageBox();
  const list = h('div', {});
  async function load() {
    const calendars = await loadCalendars();
    ctx.calendarsChanged(calendars);
    const used = (id) => ctx.departmentList.filter((d) => d.holiday_calendar_id === id).map((d) => d.name).join(', ');
    clear(list, table([
      { label: t('rules.name'), key: 'name' },
      { label: t('calendars.departments'), render: (c) => used(c.id) },
      { label: t('common.actions'), render: (c) => button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(c) }) },
    ], calendars, { empty: t('calendars.none') }));
    clear(attachCalendar, calendarOptions(calendars).map(([value, label]) => h('option', { value: String(value) }, label)));
  }
  const name = input('calendar_name', { required: true });
  const create = h('form', { class: 'form-inline' }, field(t('calendars.name'), name),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('calendars.add')));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post('/holiday-calendars', { name: name.value.trim() });
      create.reset();
      toast(t('common.saved'));
      load();
    } catch (err) {
      message.error(err);
    }
  });
  const attachDepartment = select('department_id', departmentOptions(ctx.departmentList, t('rules.none')), { required: true });
  const attachCalendar = select('holiday_calendar_id', []);
  const attach = h('form', { class: 'form-inline' }, field(t('emp.department'), attachDepartment),
    field(t('calendars.calendar'), attachCalendar),
    h('button', { type: 'submit', class: 'btn' }, t('calendars.attach')));
  attach.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!attachDepartment.value) return;
    try {
      const id = Number(attachDepartment.value);
      const saved = await api.patch(`/departments/${id}`, { holiday_calendar_id: attachCalendar.value ? Number(attachCalendar.value) : null });
      const department = ctx.departmentList.find((d) => d.id === id);
      if (department) department.holiday_calendar_id = saved.holiday_calendar_id;
      toast(t('common.saved'));
      load();
    } catch (err) {
      message.error(err);
    }
  });
  async function remove(calendar) {
    if (!(await confirmDialog(t('calendars.delete', { name: calendar.name }), t('calendars.delete.text'), t('common.delete')))) return;
    try { await api.del(`/holiday-calendars/${calendar.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  await load();
  return section(t('calendars.title'), h('p', { class: 'hint' }, t('calendars.hint')), message, create, list, attach);
}
