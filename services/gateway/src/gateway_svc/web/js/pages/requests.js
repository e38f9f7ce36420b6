// Requests: leave, business trips, overtime and corrections; balances; approval with a comment.

import { api } from '../api.js';
import { hasRole, me } from '../app.js';
import { employeeOptions, employees as loadEmployees, nameMap } from '../data.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import {
  badge, button, clear, field, h, input, items, messageBox, pageHeader, section, select, table, tabs, toast,
} from '../ui.js';

const KINDS = {
  leave: '/leave-requests',
  business_trip: '/leave-requests',
  overtime: '/overtime',
  correction: '/corrections',
};
const LEAVE_TYPES = ['annual', 'sick', 'personal', 'unpaid', 'marriage', 'maternity', 'bereavement'];

// "2026-11-21T09:30" from an <input type=datetime-local> → ISO 8601 with this browser's offset.
export function withOffset(local) {
  if (!local) return local;
  const date = new Date(local);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const pad = (n) => String(n).padStart(2, '0');
  const seconds = local.length === 16 ? `${local}:00` : local;
  return `${seconds}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function fileForm(ctx, onFiled) {
  const message = messageBox();
  const kind = select('kind', Object.keys(KINDS).map((k) => [k, t(`req.kind.${k}`)]), { id: 'req-kind' });
  const variable = h('div', { class: 'form-grid-inner' });
  const who = ctx.approver ? field(t('common.employee'), select('employee_id', employeeOptions(ctx.people, t('req.choose')), { required: true, value: ctx.ownId || '' })) : null;
  const fill = () => {
    const k = kind.value;
    const parts = [];
    if (k === 'leave') parts.push(field(t('req.leave_type'), select('leave_type', LEAVE_TYPES.map((x) => [x, t(`req.leave.${x}`)]))));
    if (k === 'leave' || k === 'business_trip') {
      parts.push(field(t('req.start'), input('start', { type: 'datetime-local', required: true })),
        field(t('req.end'), input('end', { type: 'datetime-local', required: true })));
    }
    if (k === 'overtime') {
      parts.push(field(t('common.date'), input('date', { type: 'date', required: true })),
        field(t('req.start'), input('start', { type: 'time', required: true })), field(t('req.end'), input('end', { type: 'time' })),
        field(t('req.hours'), input('hours', { type: 'number', min: '0', max: '24', step: '0.5' }), { hint: t('req.hours.hint') }));
    }
    if (k === 'correction') {
      parts.push(field(t('req.at'), input('at', { type: 'datetime-local', required: true })),
        field(t('req.punchkind'), select('punch_kind', [['in', t('kiosk.kind.in')], ['out', t('kiosk.kind.out')]])));
    }
    parts.push(field(t('req.reason'), h('textarea', { name: 'reason', rows: '3', required: true }), { wide: true }));
    clear(variable, parts);
  };
  kind.addEventListener('change', fill);
  fill();
  const form = h('form', { class: 'form-grid' }, field(t('req.kind'), kind), who, variable,
    h('div', { class: 'actions field-wide' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('req.file'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const employeeId = Number(data.get('employee_id') || ctx.ownId);
    if (!employeeId) {
      message.show(t('req.noemployee'), 'error');
      return;
    }
    const k = data.get('kind');
    const body = { employee_id: employeeId, reason: data.get('reason') };
    if (k === 'leave' || k === 'business_trip') {
      // Without an offset the server reads these in the employee's own time zone, which is what
      // a leave request means (an HR officer elsewhere files it in the employee's local time).
      Object.assign(body, { kind: k, start: data.get('start'), end: data.get('end') });
      if (k === 'leave') body.leave_type = data.get('leave_type');
    } else if (k === 'overtime') {
      body.date = data.get('date');
      if (data.get('start')) body.start = data.get('start');
      if (data.get('end')) body.end = data.get('end');
      if (data.get('hours')) body.hours = Number(data.get('hours'));
    } else {
      Object.assign(body, { at: withOffset(data.get('at')), kind: data.get('punch_kind') });
    }
    try {
      await api.post(KINDS[k], body);
      message.ok(t('req.filed'));
      form.reset();
      fill();
      onFiled();
    } catch (err) {
      message.error(err);
    }
  });
  return h('div', {}, message, form);
}

export function describe(r) {
  const hours = r.hours ? ` (${t('req.hoursn', { n: formatNumber(r.hours) })})` : '';
  if (r.date) return `${r.date} ${[r.start, r.end].filter(Boolean).join('–')}${hours}`;
  if (r.start_at && r.end_at) return `${formatDateTime(r.start_at)} – ${formatDateTime(r.end_at)}${hours}`;
  if (r.at) return `${formatDateTime(r.at)} · ${t(`kiosk.kind.${r.kind}`)}`;
  return '';
}

async function requestRows(params) {
  const rows = [];
  const errors = [];
  await Promise.all([['/leave-requests', null], ['/overtime', 'overtime'], ['/corrections', 'correction']].map(async ([path, kind]) => {
    try {
      for (const r of items(await api.get(path, { ...params, limit: 200 }))) {
        rows.push({ ...r, path, kindKey: kind || r.kind || 'leave' });
      }
    } catch (err) {
      errors.push(`${t(`req.kind.${kind || 'leave'}`)}: ${err.message}`);
    }
  }));
  rows.sort((a, b) => String(b.created_at || '').localeCompare(String(a.created_at || '')));
  return { rows, errors };
}

function baseColumns(ctx) {
  return [
    { label: t('req.kind'), render: (r) => t(`req.kind.${r.kindKey}`) + (r.leave_type ? ` · ${leaveTypeLabel(r.leave_type)}` : '') },
    { label: t('common.employee'), render: (r) => r.employee_name || ctx.names.get(r.employee_id) || `#${r.employee_id}` },
    { label: t('req.when'), render: describe },
    { label: t('req.reason'), key: 'reason' },
    { label: t('att.status'), render: (r) => badge(r.status) },
  ];
}

function mineTab(ctx) {
  const box = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('common.loading')));
  (async () => {
    const { rows, errors } = await requestRows(ctx.ownId ? { employee_id: ctx.ownId } : {});
    clear(box, errors.map((e) => h('p', { class: 'notice notice-error', role: 'alert' }, e)),
      table([...baseColumns(ctx), { label: t('req.comment'), render: (r) => [r.decision_note, r.decided_by ? `— ${r.decided_by}` : null].filter(Boolean).join(' ') }], rows, { empty: t('req.none') }));
  })();
  return box;
}

function approveTab(ctx) {
  const box = h('div', { 'aria-live': 'polite' });
  const message = messageBox();
  async function load() {
    clear(box, h('p', { class: 'loading' }, t('common.loading')));
    const { rows, errors } = await requestRows({ status: 'pending' });
    clear(box, errors.map((e) => h('p', { class: 'notice notice-error', role: 'alert' }, e)),
      table([...baseColumns(ctx), { label: t('req.decide'), render: (r) => decide(r) }], rows, { empty: t('dash.nopending') }));
  }
  function decide(r) {
    const comment = input('comment', { placeholder: t('req.comment') });
    const act = (verb) => async () => {
      try {
        await api.post(`${r.path}/${r.id}/${verb}`, { note: comment.value.trim() || null });
        toast(t(verb === 'approve' ? 'req.approved' : 'req.rejected'));
        load();
      } catch (err) {
        message.error(err);
      }
    };
    return h('div', { class: 'decide' }, field(t('req.comment'), comment),
      h('div', { class: 'row-actions' }, button(t('req.approve'), { class: 'btn btn-small btn-primary', onclick: act('approve') }),
        button(t('req.reject'), { class: 'btn btn-small btn-danger', onclick: act('reject') })));
  }
  load();
  return h('div', {}, message, box);
}

function leaveTypeLabel(type) {
  const key = `req.leave.${type}`;
  const text = t(key);
  return text === key ? type : text;
}

// HR sets how many hours of a leave type an employee may take in a year.
function entitlementForm(person, reload) {
  const message = messageBox();
  const year = input('year', { type: 'number', min: '1900', max: '2200', value: String(new Date().getFullYear()), required: true });
  const type = select('leave_type', LEAVE_TYPES.map((x) => [x, t(`req.leave.${x}`)]));
  const hours = input('entitled_hours', { type: 'number', min: '0', max: '10000', step: '0.5', required: true });
  const form = h('form', { class: 'form-inline' }, field(t('req.year'), year), field(t('req.leave_type'), type),
    field(t('req.entitled'), hours), h('button', { type: 'submit', class: 'btn btn-primary' }, t('req.setentitlement')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!person.value) { message.show(t('req.noemployee'), 'error'); return; }
    try {
      await api.put('/leave-balances', { employee_id: Number(person.value), year: Number(year.value), leave_type: type.value, entitled_hours: Number(hours.value) });
      message.ok(t('common.saved'));
      reload();
    } catch (err) {
      message.error(err);
    }
  });
  return h('div', {}, h('h3', {}, t('req.setentitlement')), message, form);
}

function balancesTab(ctx) {
  const box = h('div', { 'aria-live': 'polite' });
  const person = select('employee_id', employeeOptions(ctx.people, t('req.choose')), { value: ctx.ownId || '' });
  async function load() {
    try {
      const rows = items(await api.get('/leave-balances', { employee_id: person.value || ctx.ownId }));
      clear(box, table([
        { label: t('req.year'), key: 'year' },
        { label: t('req.leave_type'), render: (b) => leaveTypeLabel(b.leave_type) },
        { label: t('req.entitled'), render: (b) => (b.entitled_hours === null ? t('req.unlimited') : formatNumber(b.entitled_hours)) },
        { label: t('req.used'), render: (b) => formatNumber(b.used_hours) },
        { label: t('req.pendinghours'), render: (b) => formatNumber(b.pending_hours) },
        { label: t('req.remaining'), render: (b) => (b.remaining_hours === null ? '' : formatNumber(b.remaining_hours)) },
      ], rows, { empty: t('req.nobalances') }));
    } catch (err) {
      clear(box, h('p', { class: 'notice notice-error', role: 'alert' }, err.message));
    }
  }
  person.addEventListener('change', load);
  load();
  return h('div', {}, ctx.approver ? field(t('common.employee'), person) : null, box, ctx.hr ? entitlementForm(person, load) : null);
}

export async function render(main, { query }) {
  const approver = hasRole('hr', 'manager');
  const people = approver ? await loadEmployees() : [];
  const ctx = { approver, hr: hasRole('hr'), people, names: nameMap(people), ownId: me().employee_id || null };
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel' });
  const refreshMine = () => { if (current === 'mine') show('mine'); };
  const views = {
    file: () => fileForm(ctx, refreshMine),
    mine: () => mineTab(ctx),
    balances: () => balancesTab(ctx),
    approve: () => approveTab(ctx),
  };
  let current = 'file';
  const list = [['file', t('req.tab.file')], ['mine', t('req.tab.mine')], ['balances', t('req.tab.balances')]];
  if (approver) list.push(['approve', t('req.tab.approve')]);
  function show(key) {
    current = key;
    panel.setAttribute('aria-labelledby', `tab-${key}`);
    clear(panel, section(t(`req.tab.${key}`), views[key]()));
  }
  const bar = tabs(list, show);
  main.append(pageHeader(t('nav.requests')), bar, panel);
  if (!ctx.ownId && !approver) main.insertBefore(h('p', { class: 'notice notice-info' }, t('req.nolink')), bar);
  bar.choose(query.get('tab') && views[query.get('tab')] && (query.get('tab') !== 'approve' || approver) ? query.get('tab') : 'file');
}
