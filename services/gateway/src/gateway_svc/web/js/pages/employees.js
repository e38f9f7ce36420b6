// Employees: search and filters, create, CSV import with a per-row error report.

import { api, download } from '../api.js';
import { hasRole } from '../app.js';
import {
  departmentOptions, departments as loadDepartments, nameMap, siteOptions, sites as loadSites,
} from '../data.js';
import { t } from '../i18n.js';
import {
  badge, button, clear, field, formDialog, h, input, latestOnly, link, messageBox, pageHeader, section, select, table, toast,
} from '../ui.js';

const PAGE = 25;

export function employeeFields(form, departments, sites, employee = {}) {
  form.append(
    field(t('emp.no'), input('employee_no', { required: true, value: employee.employee_no })),
    field(t('emp.name'), input('name', { required: true, value: employee.name, autocomplete: 'off' })),
    field(t('emp.department'), select('department_id', departmentOptions(departments, t('common.none')), { value: employee.department_id })),
    field(t('sites.site'), select('site_id', siteOptions(sites, t('common.none')), { value: employee.site_id })),
    field(t('emp.title'), input('title', { value: employee.title })),
    field(t('emp.email'), input('email', { type: 'email', value: employee.email })),
    field(t('emp.phone'), input('phone', { type: 'tel', value: employee.phone })),
    field(t('emp.hired'), input('hired_on', { type: 'date', value: employee.hired_on })),
    field(t('emp.left_on'), input('left_on', { type: 'date', value: employee.left_on }), { hint: t('emp.left_on.hint') }),
    field(t('emp.timezone'), input('timezone', { value: employee.timezone, placeholder: 'Asia/Shanghai' })),
  );
  if (employee.id) {
    form.append(field(t('emp.status'), select('status', [['active', t('status.active')], ['left', t('status.left')]], { value: employee.status })));
  }
}

const OPTIONAL = ['department_id', 'site_id', 'email', 'title', 'phone', 'hired_on', 'left_on', 'timezone'];

// An emptied optional field is sent as null so that an edit can clear it.
export function employeeBody(values) {
  const body = { ...values };
  for (const name of OPTIONAL) if (body[name] === undefined) body[name] = null;
  if (body.department_id !== null) body.department_id = Number(body.department_id);
  if (body.site_id !== null) body.site_id = Number(body.site_id);
  return body;
}

function importSection(onDone) {
  const message = messageBox();
  const report = h('div', { class: 'import-report' });
  const file = input('file', { type: 'file', accept: '.csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', required: true });
  const template = button(t('emp.import.template'), {
    class: 'btn btn-ghost',
    onclick: async () => {
      try {
        await download('/employees/import-template', 'employee-import-template.xlsx');
      } catch (err) {
        message.error(err);
      }
    },
  });
  const update = input('update_existing', { type: 'checkbox' });
  const form = h('form', { class: 'form-inline' },
    field(t('emp.import.file'), file, { hint: t('emp.import.hint') }),
    field(t('emp.import.update'), update),
    h('button', { type: 'submit', class: 'btn' }, t('emp.import.submit')), template);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file.files.length) return;
    const data = new FormData();
    data.append('file', file.files[0]);
    message.clear();
    clear(report);
    try {
      const answer = await api.upload(`/employees/import${update.checked ? '?update_existing=true' : ''}`, data);
      message.show(t('emp.import.result', { created: answer.created ?? 0, updated: answer.updated ?? 0, failed: answer.failed ?? 0 }),
        answer.failed ? 'error' : 'ok');
      if (answer.errors && answer.errors.length) {
        report.append(table([
          { label: t('emp.import.row'), key: 'row' },
          { label: t('emp.no'), key: 'employee_no' },
          { label: t('emp.import.errors'), render: (r) => (r.errors || []).join('; ') },
        ], answer.errors, { caption: t('emp.import.report') }));
      }
      onDone();
    } catch (err) {
      message.error(err);
    }
  });
  return section(t('emp.import'), message, form, report);
}

export async function render(main, { query }) {
  const [departments, sites] = await Promise.all([loadDepartments(), loadSites()]);
  const deptNames = nameMap(departments);
  const message = messageBox();
  const results = h('div', { 'aria-live': 'polite' });
  const state = { offset: 0 };
  const turn = latestOnly();

  const q = input('q', { type: 'search', value: query.get('q') || '', placeholder: t('emp.search.placeholder') });
  const dept = select('department_id', departmentOptions(departments), { value: query.get('department_id') || '' });
  const site = select('site_id', siteOptions(sites), { value: query.get('site_id') || '' });
  const siteNames = nameMap(sites);
  const status = select('status', [['', t('common.all')], ['active', t('status.active')], ['left', t('status.left')]], { value: 'active' });
  const filters = h('form', { class: 'filters', role: 'search' },
    field(t('common.search'), q), field(t('emp.department'), dept),
    sites.length ? field(t('sites.site'), site) : null, field(t('emp.status'), status),
    h('button', { type: 'submit', class: 'btn' }, t('common.search')));
  filters.addEventListener('submit', (event) => { event.preventDefault(); state.offset = 0; load(); });
  dept.addEventListener('change', () => { state.offset = 0; load(); });
  site.addEventListener('change', () => { state.offset = 0; load(); });
  status.addEventListener('change', () => { state.offset = 0; load(); });

  async function load() {
    message.clear();
    const isCurrent = turn();
    try {
      const answer = await api.get('/employees', {
        q: q.value.trim(), department_id: dept.value, site_id: site.value, status: status.value, limit: PAGE, offset: state.offset,
      });
      if (!isCurrent()) return;
      const list = answer.items || [];
      clear(results,
        h('p', { class: 'count' }, t('common.total', { n: answer.total ?? list.length })),
        table([
          { label: t('emp.no'), key: 'employee_no' },
          { label: t('emp.name'), render: (e) => link(`/employees/${e.id}`, e.name) },
          { label: t('emp.department'), render: (e) => deptNames.get(e.department_id) || '' },
          sites.length ? { label: t('sites.site'), render: (e) => siteNames.get(e.site_id) || '' } : null,
          { label: t('emp.title'), key: 'title' },
          { label: t('emp.status'), render: (e) => badge(e.status) },
        ].filter(Boolean), list, { empty: t('emp.none') }),
        pager(answer.total ?? list.length));
    } catch (err) {
      clear(results);
      message.error(err);
    }
  }

  function pager(total) {
    if (total <= PAGE) return null;
    return h('div', { class: 'pager' },
      button(t('common.prev'), { disabled: state.offset === 0, onclick: () => { state.offset -= PAGE; load(); } }),
      h('span', {}, t('common.page', { from: state.offset + 1, to: Math.min(total, state.offset + PAGE), total })),
      button(t('common.next'), { disabled: state.offset + PAGE >= total, onclick: () => { state.offset += PAGE; load(); } }));
  }

  const canEdit = hasRole('hr');
  const add = canEdit ? button(t('emp.add'), {
    class: 'btn btn-primary', id: 'add-employee',
    onclick: async () => {
      const created = await formDialog(t('emp.add'), (form) => employeeFields(form, departments, sites),
        (values) => api.post('/employees', employeeBody(values)), t('common.create'));
      if (created) {
        toast(t('emp.created', { name: created.name }));
        load();
      }
    },
  }) : null;
  main.append(pageHeader(t('nav.employees'), add), message, filters, results);
  if (canEdit) main.append(importSection(load));
  await load();
}
