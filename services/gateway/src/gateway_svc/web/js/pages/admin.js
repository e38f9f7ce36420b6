// Administration: user accounts and their roles, kiosk devices.

import { api } from '../api.js';
import {
  departmentOptions, departments as loadDepartments, employeeOptions, employees as loadEmployees, nameMap,
} from '../data.js';
import { formatDateTime, t } from '../i18n.js';
import {
  badge, button, clear, confirmDialog, field, formDialog, h, input, items, messageBox, pageHeader, section, select, table, toast,
} from '../ui.js';

const ROLES = ['admin', 'hr', 'manager', 'employee'];

function usersSection(people, departments) {
  const message = messageBox();
  const list = h('div', { 'aria-live': 'polite' });
  const names = nameMap(people);
  async function load() {
    try {
      const users = items(await api.get('/users', { limit: 500 }));
      clear(list, table([
        { label: t('auth.username'), key: 'username' },
        { label: t('auth.email'), key: 'email' },
        { label: t('admin.roles'), render: (u) => (u.roles || []).map((r) => t(`role.${r}`)).join(', ') },
        { label: t('common.employee'), render: (u) => (u.employee_id ? names.get(u.employee_id) || `#${u.employee_id}` : '') },
        { label: t('admin.active'), render: (u) => badge(u.active === false ? 'inactive' : 'active') },
        { label: t('common.actions'), render: (u) => button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(u) }) },
      ], users, { empty: t('admin.nousers') }));
    } catch (err) {
      message.error(err);
    }
  }
  async function edit(user) {
    const saved = await formDialog(t('admin.user.edit', { name: user.username }), (form) => {
      const roles = h('fieldset', { class: 'field-wide' }, h('legend', {}, t('admin.roles')),
        ROLES.map((r) => field(t(`role.${r}`), input(`role_${r}`, { type: 'checkbox', checked: (user.roles || []).includes(r) }))));
      form.append(roles,
        field(t('admin.active'), input('active', { type: 'checkbox', checked: user.active !== false })),
        field(t('admin.employee'), select('employee_id', employeeOptions(people, t('common.none')), { value: user.employee_id ?? '' })),
        field(t('emp.department'), select('department_id', departmentOptions(departments, t('common.none')), { value: user.department_id ?? '' })));
    }, (values) => api.patch(`/users/${user.id}`, {
      roles: ROLES.filter((r) => values[`role_${r}`]),
      active: values.active,
      employee_id: values.employee_id ? Number(values.employee_id) : null,
      department_id: values.department_id ? Number(values.department_id) : null,
    }));
    if (saved) { toast(t('common.saved')); load(); }
  }
  load();
  return section(t('admin.users'), message, list);
}

function kiosksSection() {
  const message = messageBox();
  const list = h('div', { 'aria-live': 'polite' });
  const secretBox = h('div', { 'aria-live': 'assertive' });
  async function load() {
    try {
      const kiosks = items(await api.get('/kiosks', { limit: 200 }));
      clear(list, table([
        { label: t('admin.kiosk.name'), key: 'name' },
        { label: t('admin.kiosk.created'), render: (k) => formatDateTime(k.created_at) },
        { label: t('admin.kiosk.lastused'), render: (k) => formatDateTime(k.last_used_at) || t('admin.never') },
        { label: t('admin.active'), render: (k) => badge(k.revoked_at ? 'revoked' : 'active') },
        { label: t('common.actions'), render: (k) => (k.revoked_at ? '' : button(t('admin.kiosk.revoke'), { class: 'btn btn-small btn-danger', onclick: () => revoke(k) })) },
      ], kiosks, { empty: t('admin.nokiosks') }));
    } catch (err) {
      message.error(err);
    }
  }
  const name = input('name', { required: true, placeholder: t('admin.kiosk.placeholder') });
  const form = h('form', { class: 'form-inline' }, field(t('admin.kiosk.name'), name), h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.kiosk.add')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const kiosk = await api.post('/kiosks', { name: name.value.trim() });
      form.reset();
      const secret = kiosk.device_secret || kiosk.secret;
      clear(secretBox, h('div', { class: 'notice notice-ok' },
        h('p', {}, t('admin.kiosk.secret', { name: kiosk.name })), h('p', {}, h('code', { class: 'secret', id: 'kiosk-secret' }, secret || '')),
        h('p', {}, t('admin.kiosk.secret.hint'))));
      load();
    } catch (err) {
      message.error(err);
    }
  });
  async function revoke(kiosk) {
    if (!(await confirmDialog(t('admin.kiosk.revoke.title', { name: kiosk.name }), t('admin.kiosk.revoke.text'), t('admin.kiosk.revoke')))) return;
    try { await api.del(`/kiosks/${kiosk.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  load();
  return section(t('admin.kiosks'), message, form, secretBox, list);
}

export async function render(main) {
  const [people, departments] = await Promise.all([loadEmployees(), loadDepartments()]);
  main.append(pageHeader(t('nav.admin')), usersSection(people, departments), kiosksSection());
}

