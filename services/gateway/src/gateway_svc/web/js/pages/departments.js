// Departments: list (paged), create, edit, delete; naming a department's manager here is what
// gives them its approvals and attendance.

import { api } from '../api.js';
import { hasRole } from '../app.js';
import {
  employeeField, employeeNames, nameMap, siteOptions, sites as loadSites,
} from '../data.js';
import { t } from '../i18n.js';
import { pagedList } from '../paging.js';
import {
  button, confirmDialog, field, formDialog, h, input, link, messageBox, pageHeader, select, table, toast,
} from '../ui.js';

// `manager`: the employee named manager now ({id, name, employee_no}), or null.
function departmentFields(form, manager, sites, department = {}) {
  const managerField = employeeField(t('dept.manager'), 'manager_employee_id', {
    emptyLabel: t('common.none'), selected: manager ? [manager] : [] }).element;
  managerField.append(h('small', { class: 'hint' }, t('dept.manager.hint')));
  form.append(
    field(t('dept.code'), input('code', { required: true, value: department.code })),
    field(t('dept.name'), input('name', { required: true, value: department.name })),
    field(t('sites.site'), select('site_id', siteOptions(sites, t('common.none')), { value: department.site_id })),
    managerField,
    field(t('dept.description'), h('textarea', { name: 'description', rows: '3' }, department.description || ''), { wide: true }),
  );
}

function body(values) {
  return {
    ...values,
    manager_employee_id: values.manager_employee_id ? Number(values.manager_employee_id) : null,
    site_id: values.site_id ? Number(values.site_id) : null,
    description: values.description ?? null,
  };
}

export async function render(main) {
  const message = messageBox();
  const sites = await loadSites();
  const siteNames = nameMap(sites);
  const canEdit = hasRole('hr');
  const site = select('site_id', siteOptions(sites));
  site.addEventListener('change', () => load());
  const filters = sites.length ? h('div', { class: 'filters' }, field(t('sites.site'), site)) : null;
  const list = pagedList({
    path: '/departments',
    search: false,
    pageSize: 100, // departments are few: a page is most organisations' whole list
    params: () => ({ site_id: site.value }),
    render: async (rows) => {
      // The managers' names: just this page's, not the whole organisation.
      const names = await employeeNames(rows.map((d) => d.manager_employee_id));
      return table([
        { label: t('dept.code'), key: 'code' },
        { label: t('dept.name'), render: (d) => link(`/employees?department_id=${d.id}`, d.name) },
        sites.length ? { label: t('sites.site'), render: (d) => siteNames.get(d.site_id) || '' } : null,
        { label: t('dept.manager'), render: (d) => names.get(d.manager_employee_id) || '' },
        { label: t('dept.description'), key: 'description' },
        canEdit ? { label: t('common.actions'), render: (d) => h('div', { class: 'row-actions' },
          button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(d) }),
          button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => remove(d) })) } : null,
      ].filter(Boolean), rows, { empty: t('dept.none') });
    },
  });
  const load = list.reload;

  async function edit(department) {
    const managerId = department && department.manager_employee_id;
    const manager = managerId ? await api.get(`/employees/${managerId}`).catch(() => null) : null;
    const saved = await formDialog(department ? t('dept.edit') : t('dept.add'), (form) => departmentFields(form, manager, sites, department || {}),
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
    message, filters, list.element);
  await load();
}
