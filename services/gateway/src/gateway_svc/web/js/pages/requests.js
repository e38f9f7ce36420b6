// Requests: leave, business trips, overtime and corrections; balances; approval with a comment.

import { api } from '../api.js';
import { hasRole, me } from '../app.js';
import { employeeOptions, employees as loadEmployees, nameMap } from '../data.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import {
  amount, balanceText, leaveFields, leaveSpan, leaveTypeLabel, leaveTypes,
} from '../leave.js';
import {
  badge, button, clear, confirmDialog, field, h, input, items, messageBox, pageHeader, section, select, table, tabs, toast,
} from '../ui.js';

const KINDS = {
  leave: '/leave-requests',
  business_trip: '/leave-requests',
  overtime: '/overtime',
  correction: '/corrections',
};

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
  const person = ctx.approver ? select('employee_id', employeeOptions(ctx.people, t('req.choose')), { required: true, value: ctx.ownId || '' }) : null;
  const who = person ? field(t('common.employee'), person) : null;
  let leave = null;
  const fill = () => {
    const k = kind.value;
    const parts = [];
    leave = null;
    if (k === 'leave' || k === 'business_trip') {
      leave = leaveFields(k, ctx.types, () => Number((person && person.value) || ctx.ownId));
      parts.push(...leave.parts);
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
  if (person) person.addEventListener('change', () => leave && leave.refresh());
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
    if (leave) {
      Object.assign(body, leave.body());
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
  if (r.half !== undefined) return leaveSpan(r, formatDateTime);  // leave or a business trip
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
    { label: t('req.kind'), render: (r) => t(`req.kind.${r.kindKey}`) + (r.leave_type ? ` · ${leaveTypeLabel(r.leave_type, ctx.types)}` : '') },
    { label: t('common.employee'), render: (r) => r.employee_name || ctx.names.get(r.employee_id) || '' },
    { label: t('req.when'), render: describe },
    { label: t('req.reason'), key: 'reason' },
    { label: t('att.status'), render: (r) => badge(r.status) },
  ];
}

function mineTab(ctx) {
  const box = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('common.loading')));
  const message = messageBox();
  const withdraw = (r) => async () => {
    if (!await confirmDialog(t('req.withdraw.title'), t('req.withdraw.text', { what: describe(r) }), t('req.withdraw'))) return;
    try {
      await api.post(`${r.path}/${r.id}/withdraw`);
      toast(t('req.withdrawn'));
      load();
    } catch (err) {
      message.error(err);
    }
  };
  async function load() {
    const { rows, errors } = await requestRows(ctx.ownId ? { employee_id: ctx.ownId } : {});
    clear(box, errors.map((e) => h('p', { class: 'notice notice-error', role: 'alert' }, e)),
      table([...baseColumns(ctx),
        { label: t('req.comment'), render: (r) => [r.decision_note, r.decided_by_name || r.decided_by ? `— ${r.decided_by_name || t('req.someone')}` : null].filter(Boolean).join(' ') },
        { label: t('common.actions'), render: (r) => (r.status === 'pending' ? button(t('req.withdraw'), { class: 'btn btn-small', onclick: withdraw(r) }) : '') },
      ], rows, { empty: t('req.none') }));
  }
  load();
  return h('div', {}, message, box);
}

// The approver sees the balance each pending leave request draws on (one call per person).
async function balancesFor(rows) {
  const found = new Map();
  const wanted = new Set(rows.filter((r) => r.kindKey === 'leave' && r.leave_type).map((r) => `${r.employee_id}:${String(r.start).slice(0, 4)}`));
  await Promise.all([...wanted].map(async (key) => {
    const [employee, year] = key.split(':');
    try {
      for (const b of items(await api.get('/leave-balances', { employee_id: employee, year }))) found.set(`${key}:${b.leave_type}`, b);
    } catch {
      // Not theirs to see: the request is decided without it.
    }
  }));
  return (r) => found.get(`${r.employee_id}:${String(r.start).slice(0, 4)}:${r.leave_type}`);
}

function approveTab(ctx) {
  const box = h('div', { 'aria-live': 'polite' });
  const message = messageBox();
  async function load() {
    clear(box, h('p', { class: 'loading' }, t('common.loading')));
    const { rows, errors } = await requestRows({ status: 'pending' });
    const balanceOf = await balancesFor(rows);
    clear(box, errors.map((e) => h('p', { class: 'notice notice-error', role: 'alert' }, e)),
      table([...baseColumns(ctx),
        { label: t('leave.balance.title'), class: 'leave-balance', render: (r) => (balanceOf(r) ? balanceText(balanceOf(r), ctx.types) : '') },
        { label: t('req.decide'), render: (r) => decide(r) }], rows, { empty: t('dash.nopending') }));
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

// HR sets the yearly allocation of a leave type, in days (half days allowed) or in hours.
function entitlementForm(ctx, person, reload) {
  const message = messageBox();
  const year = input('year', { type: 'number', min: '1900', max: '2200', value: String(new Date().getFullYear()), required: true });
  const type = select('leave_type', ctx.types.map((x) => [x.code, leaveTypeLabel(x.code, ctx.types)]));
  const size = input('entitled', { type: 'number', min: '0', max: '10000', step: '0.5', required: true });
  const unit = select('unit', [['days', t('leave.unit.days')], ['hours', t('leave.unit.hours')]]);
  const form = h('form', { class: 'form-inline' }, field(t('req.year'), year), field(t('req.leave_type'), type),
    field(t('req.entitled'), size), field(t('leave.unit'), unit), h('button', { type: 'submit', class: 'btn btn-primary' }, t('req.setentitlement')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!person.value) { message.show(t('req.noemployee'), 'error'); return; }
    try {
      await api.put('/leave-balances', {
        employee_id: Number(person.value), year: Number(year.value), leave_type: type.value,
        [unit.value === 'days' ? 'entitled_days' : 'entitled_hours']: Number(size.value),
      });
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
  // Each allocation in its own unit; a type without one shows what was taken.
  const inUnit = (b, days, hours) => amount(days, hours, b.entitled_hours !== null && b.entitled_days === null ? 'h' : 'd');
  async function load() {
    try {
      const rows = items(await api.get('/leave-balances', { employee_id: person.value || ctx.ownId }));
      clear(box, table([
        { label: t('req.year'), key: 'year' },
        { label: t('req.leave_type'), render: (b) => leaveTypeLabel(b.leave_type, ctx.types) },
        { label: t('req.entitled'), render: (b) => (b.entitled_days === null && b.entitled_hours === null ? t('req.unlimited') : inUnit(b, b.entitled_days, b.entitled_hours)) },
        { label: t('req.used'), render: (b) => inUnit(b, b.used_days, b.used_hours) },
        { label: t('req.pending'), render: (b) => inUnit(b, b.pending_days, b.pending_hours) },
        { label: t('req.remaining'), render: (b) => (b.remaining_days === null && b.remaining_hours === null ? '' : inUnit(b, b.remaining_days, b.remaining_hours)) },
      ], rows, { empty: t('req.nobalances') }));
    } catch (err) {
      clear(box, h('p', { class: 'notice notice-error', role: 'alert' }, err.message));
    }
  }
  person.addEventListener('change', load);
  load();
  return h('div', {}, ctx.approver ? field(t('common.employee'), person) : null, box, ctx.hr ? entitlementForm(ctx, person, load) : null);
}

export async function render(main, { query }) {
  // Being named a department's manager (on the Departments page) is enough to approve for it.
  const manages = !hasRole('hr', 'manager') && me().employee_id
    ? ((await api.get('/departments')).items || []).length > 0 : false;
  const approver = hasRole('hr', 'manager') || manages;
  const [people, types] = await Promise.all([approver ? loadEmployees() : [], leaveTypes()]);
  const ctx = { approver, hr: hasRole('hr'), people, types, names: nameMap(people), ownId: me().employee_id || null };
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
