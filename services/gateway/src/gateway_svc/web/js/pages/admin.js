// Administration: user accounts and their roles, kiosk devices.

import { api } from '../api.js';
import {
  departmentOptions, departments as loadDepartments, employeeField, employeeNames, lookupList,
} from '../data.js';
import { LANGUAGES, formatDateTime, t } from '../i18n.js';
import { identificationCell } from '../kiosk-identity.js';
import { pagedList } from '../paging.js';
import { sitesSection } from '../sites-admin.js';
import {
  badge, button, clear, confirmDialog, field, formDialog, h, input, messageBox, pageHeader, section, select, table, toast,
} from '../ui.js';

const ROLES = ['admin', 'hr', 'manager', 'employee'];

function usersSection(departments) {
  const message = messageBox();
  // The linked employees' names: just this page's people, not the whole organisation.
  async function usersTable(users) {
    const names = await employeeNames(users.map((u) => u.employee_id));
    return table([
      { label: t('auth.username'), key: 'username' },
      { label: t('auth.email'), key: 'email' },
      { label: t('admin.roles'), render: (u) => (u.roles || []).map((r) => t(`role.${r}`)).join(', ') },
      { label: t('common.employee'), render: (u) => (u.employee_id ? names.get(u.employee_id) || t('admin.employee.linked') : '') },
      { label: t('admin.active'), render: (u) => badge(u.active === false ? 'inactive' : 'active') },
      { label: t('common.actions'), render: (u) => button(t('common.edit'), { class: 'btn btn-small', onclick: () => edit(u) }) },
    ], users, { empty: t('admin.nousers') });
  }
  const list = pagedList({ path: '/users', searchLabel: t('admin.users.search'), render: usersTable });
  const load = list.reload;
  async function edit(user) {
    const linked = user.employee_id ? await api.get(`/employees/${user.employee_id}`).catch(() => null) : null;
    const saved = await formDialog(t('admin.user.edit', { name: user.username }), (form) => {
      const roles = h('fieldset', { class: 'field-wide' }, h('legend', {}, t('admin.roles')),
        ROLES.map((r) => field(t(`role.${r}`), input(`role_${r}`, { type: 'checkbox', checked: (user.roles || []).includes(r) }))));
      form.append(roles,
        field(t('admin.active'), input('active', { type: 'checkbox', checked: user.active !== false })),
        employeeField(t('admin.employee'), 'employee_id', { emptyLabel: t('common.none'), selected: linked ? [linked] : [] }).element,
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
  return section(t('admin.users'), message, list.element);
}

function kiosksSection() {
  const message = messageBox();
  const secretBox = h('div', { 'aria-live': 'assertive' });
  const list = pagedList({
    path: '/kiosks',
    search: false,
    render: (kiosks) => table([
      { label: t('admin.kiosk.name'), key: 'name' },
      { label: t('admin.kiosk.created'), render: (k) => formatDateTime(k.created_at) },
      { label: t('admin.kiosk.lastused'), render: (k) => formatDateTime(k.last_used_at) || t('admin.never') },
      { label: t('admin.active'), render: (k) => badge(k.revoked_at ? 'revoked' : 'active') },
      { label: t('devices.status'), render: (k) => (k.revoked_at ? '' : presenceCell(k)) },
      { label: t('devices.settings'), render: (k) => (k.revoked_at ? '' : settingsSummary(k)) },
      { label: t('admin.kiosk.identification'), render: (k) => (k.revoked_at ? '' : identificationCell(k.id)) },
      { label: t('common.actions'), render: (k) => (k.revoked_at ? '' : h('div', { class: 'row-actions' },
        button(t('devices.settings.edit'), { class: 'btn btn-small', onclick: () => configure(k) }),
        button(t('admin.kiosk.pair'), { class: 'btn btn-small', onclick: () => pair(k) }),
        button(t('admin.kiosk.revoke'), { class: 'btn btn-small btn-danger', onclick: () => revoke(k) }))) },
    ], kiosks, { empty: t('admin.nokiosks') }),
  });
  const load = list.reload;
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
  // A short code to type on the tablet instead of the secret (once, within 10 minutes).
  async function pair(kiosk) {
    try {
      const answer = await api.post(`/kiosks/${kiosk.id}/pairing-code`);
      clear(secretBox, h('div', { class: 'notice notice-ok' },
        h('p', {}, t('admin.kiosk.pairing', { name: kiosk.name, until: formatDateTime(answer.expires_at) })),
        h('p', {}, h('code', { class: 'secret pairing-code', id: 'kiosk-pairing-code' }, answer.code)),
        h('p', {}, t('admin.kiosk.pairing.hint'))));
    } catch (err) {
      message.error(err);
    }
  }
  // Settings the kiosk page applies when it loads and on each heartbeat. The site is the
  // kiosk's binding under /sites (as the Sites section's form sets it, keeping its mode).
  async function configure(kiosk) {
    let sites = [];
    let current = null;
    try {
      [sites, current] = await Promise.all([lookupList('/sites'), api.get(`/kiosks/${kiosk.id}/identification`)]);
    } catch (err) {
      message.error(err);
      return;
    }
    const saved = await formDialog(t('devices.settings.title', { name: kiosk.name }), (form) => {
      form.append(
        field(t('sites.site'), select('site_id', [['', t('devices.site.none')], ...sites.map((s) => [s.id, s.name])], { value: current.site_id ?? '' }), { hint: t('devices.site.hint') }),
        field(t('devices.language'), select('language', [['', t('devices.language.device')], ...LANGUAGES.map((l) => [l.code, l.label])], { value: kiosk.language ?? '' })),
        field(t('devices.pin'), input('pin_allowed', { type: 'checkbox', checked: kiosk.pin_allowed }), { hint: t('devices.pin.hint') }),
        field(t('devices.sound'), input('sound', { type: 'checkbox', checked: kiosk.sound })));
    }, async (values) => {
      await api.patch(`/kiosks/${kiosk.id}`, { pin_allowed: values.pin_allowed, sound: values.sound, language: values.language || null });
      const site = values.site_id ? Number(values.site_id) : null;
      if (site !== current.site_id) {
        // Moved: it takes the new site's identification mode (the Sites form sets its own).
        if (site) await api.put(`/sites/${site}/kiosks/${kiosk.id}`, {});
        else await api.del(`/sites/${current.site_id}/kiosks/${kiosk.id}`);
      }
      return true;
    });
    if (saved) { toast(t('common.saved')); load(); }
  }
  async function revoke(kiosk) {
    if (!(await confirmDialog(t('admin.kiosk.revoke.title', { name: kiosk.name }), t('admin.kiosk.revoke.text'), t('admin.kiosk.revoke')))) return;
    try { await api.del(`/kiosks/${kiosk.id}`); toast(t('common.deleted')); load(); } catch (err) { message.error(err); }
  }
  load();
  return section(t('admin.kiosks'), message, form, secretBox, list.element);
}

// Online while its heartbeat (each minute while the kiosk page is open) keeps coming.
function presenceCell(kiosk) {
  const seen = kiosk.last_seen_at ? t('devices.seen', { time: formatDateTime(kiosk.last_seen_at) }) : t('devices.seen.never');
  return h('span', { class: 'kiosk-presence' },
    h('span', { class: `badge badge-${kiosk.online ? 'online' : 'offline'}` }, t(kiosk.online ? 'devices.online' : 'devices.offline')),
    ' ', h('small', { class: 'muted' }, seen));
}

function settingsSummary(kiosk) {
  const language = LANGUAGES.find((l) => l.code === kiosk.language);
  return [t(kiosk.pin_allowed ? 'devices.pin.on' : 'devices.pin.off'), t(kiosk.sound ? 'devices.sound.on' : 'devices.sound.off'),
    language ? language.label : t('devices.language.device')].join(' · ');
}

export async function render(main) {
  const departments = await loadDepartments();
  main.append(pageHeader(t('nav.admin')), usersSection(departments), kiosksSection(), sitesSection());
}

