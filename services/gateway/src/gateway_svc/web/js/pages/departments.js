// Departments: list, create, edit, delete.

import { api } from '../api.js';
import { hasRole } from '../app.js';
import { employeeOptions, employees as loadEmployees, nameMap } from '../data.js';
import { t } from '../i18n.js';
import {
  button, clear, confirmDialog, field, formDialog, h, input, items, link, messageBox, pageHeader, select, table, toast,
} from '../ui.js';

function departmentFields(form, people, department = {}) {
  form.append(
    field(t('dept.code'), input('code', { required: true, value: department.code })),
    field(t('dept.name'), input('name', { required: true, value: department.name })),
    field(t('dept.manager'), select('manager_employee_id', employeeOptions(people, t('common.none')), { value: department.manager_employee_id })),
    field(t('dept.description'), h('textarea', { name: 'description', rows: '3' }, department.description || ''), { wide: true }),
  );
}

function body(values) {
  return {
    ...values,
    manager_employee_id: values.manager_employee_id ? Number(values.manager_employee_id) : null,
    description: values.description ?? null,
  };
}

export async function render(main) {
  const message = messageBox();
  const list = h('div', { 'aria-live': 'polite' });
  const people = await loadEmployees();
  const names = nameMap(people);
  const canEdit = hasRole('hr');

  async function load() {
    try {
      const answer = await api.get('/departments', { limit: 500 });
      clear(list, table([
        { label: t('dept.code'), key: 'code' },
        { label: t('dept.name'), render: (d) => link(`/employees?department_id=${d.id}`, d.name) },
        { label: t('dept.manager'), render: (d) => names.get(d.manager_employee_id) || '' },
        { label: t('dept.description'), key: 'description' },
        canEdit ? { label: t('common.actions'), render: (d) => h('div', { class: 'row-actions' },
          button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(d) }),
          button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(d) })) } : null,
      ].filter(Boolean), items(answer), { empty: t('dept.none') }));
    } catch (err) {
      message.error(err);
    }
  }

  async function edit(department) {
    const saved = await formDialog(department ? t('dept.edit') : t('dept.add'), (form) => departmentFields(form, people, department || {}),
      (values) => (department ? api.patch(`/departments/${department.id}`, body(values)) : api.post('/departments', body(values))));
    if (saved) { toast(t('common.saved')); load(); }
  }

  async function remove(department) {
    if (!(await confirmDialog(t('dept.delete.title', { name: department.name }), t('dept.delete.text'), t('common.delete')))) return;
    try {
      await api.del(`/departments/${department.id}`);
      toast(t('common.deleted'));
      load();
    } catch (err) {
      message.error(err);
    }
  }

  main.append(pageHeader(t('nav.departments'), canEdit ? button(t('dept.add'), { class: 'btn btn-primary', id: 'add-department', onclick: () => edit(null) }) : null),
    message, list);
  await load();
}
