// Requests: leave, business trips, overtime and corrections; balances; approval with a comment.

import { api } from '../api.js';
import { hasRole, me } from '../app.js';
import { employeeField } from '../data.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import {
  amount, balanceText, leaveFields, leaveSpan, leaveTypeLabel, leaveTypes,
} from '../leave.js';
import { pagerBar } from '../paging.js';
import {
  badge, button, clear, confirmDialog, field, h, input, items, latestOnly, messageBox, pageHeader, section, select, table, tabs, toast,
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

// An approver picks whom a request or balance is for by searching the server (a large
// organisation has more people than one list holds); their own record is chosen to start with.
function personPicker(ctx, { required } = {}) {
  return employeeField(t('common.employee'), 'employee_id', {
    emptyLabel: t('req.choose'), required, selected: ctx.own ? [ctx.own] : [] });
}

function fileForm(ctx, onFiled) {
  const message = messageBox();
  const kind = select('kind', Object.keys(KINDS).map((k) => [k, t(`req.kind.${k}`)]), { id: 'req-kind' });
  const variable = h('div', { class: 'form-grid-inner' });
  const person = ctx.approver ? personPicker(ctx, { required: true }) : null;
  const who = person ? person.element : null;
  let leave = null;
  const fill = () => {
    const k = kind.value;
    const parts = [];
    leave = null;
    if (k === 'leave' || k === 'business_trip') {
      leave = leaveFields(k, ctx.types, () => (person && person.chosen()[0]) || ctx.ownId);
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
  if (person) person.select.addEventListener('change', () => leave && leave.refresh());
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
      if (person) person.select.value = String(employeeId); // the next request is likely theirs too
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

const SOURCES = [['/leave-requests', null], ['/overtime', 'overtime'], ['/corrections', 'correction']];
const PAGE = 20;

// The three request lists merged newest first, a page at a time, with their total and a pager.
// Each list is read on from where the page before left it (each is newest first), so no row is
// skipped and none is shown twice. `columns(rows)`: the table's columns (or a promise of them).
function requestList(params, columns, empty) {
  const box = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('common.loading')));
  let starts = [[0, 0, 0]]; // the offsets into the three lists each page shown so far began at
  const turn = latestOnly();
  async function load() {
    const isCurrent = turn();
    const offsets = starts[starts.length - 1];
    const errors = [];
    let total = 0;
    const lists = await Promise.all(SOURCES.map(async ([path, kind], i) => {
      try {
        const answer = await api.get(path, { ...params, limit: PAGE, offset: offsets[i] });
        total += answer.total ?? 0;
        return items(answer).map((r) => ({ ...r, path, kindKey: kind || r.kind || 'leave' }));
      } catch (err) {
        errors.push(`${t(`req.kind.${kind || 'leave'}`)}: ${err.message}`);
        return [];
      }
    }));
    if (!isCurrent()) return;
    // The newest of the three lists' next rows, until the page is full.
    const rows = [];
    const taken = [0, 0, 0];
    const when = (r) => new Date(r.created_at).getTime() || 0;
    const newest = () => {
      let best = -1;
      lists.forEach((list, i) => {
        const head = list[taken[i]];
        if (head && (best < 0 || when(head) > when(lists[best][taken[best]]))) best = i;
      });
      return best;
    };
    for (let best = newest(); best >= 0 && rows.length < PAGE; best = newest()) {
      rows.push(lists[best][taken[best]]);
      taken[best] += 1;
    }
    if (!rows.length && starts.length > 1) { // the last rows of the last page went away
      starts = starts.slice(0, -1);
      load();
      return;
    }
    const view = table(await columns(rows), rows, { empty });
    if (!isCurrent()) return;
    clear(box, errors.map((e) => h('p', { class: 'notice notice-error', role: 'alert' }, e)),
      h('p', { class: 'count' }, t('common.total', { n: total })), view,
      pagerBar({
        from: offsets.reduce((a, b) => a + b, 0), shown: rows.length, total,
        prev: () => { starts = starts.slice(0, -1); load(); },
        next: () => { starts = [...starts, offsets.map((o, i) => o + taken[i])]; load(); },
      }));
  }
  return { element: box, reload: load };
}

function baseColumns(ctx) {
  return [
    { label: t('req.kind'), render: (r) => t(`req.kind.${r.kindKey}`) + (r.leave_type ? ` · ${leaveTypeLabel(r.leave_type, ctx.types)}` : '') },
    { label: t('common.employee'), key: 'employee_name' },
    { label: t('req.when'), render: describe },
    { label: t('req.reason'), key: 'reason' },
    { label: t('att.status'), render: (r) => badge(r.status) },
  ];
}

function mineTab(ctx) {
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
  const list = requestList(ctx.ownId ? { employee_id: ctx.ownId } : {}, () => [...baseColumns(ctx),
    { label: t('req.comment'), render: (r) => [r.decision_note, r.decided_by_name || r.decided_by ? `— ${r.decided_by_name || t('req.someone')}` : null].filter(Boolean).join(' ') },
    { label: t('common.actions'), render: (r) => (r.status === 'pending' ? button(t('req.withdraw'), { class: 'btn btn-small', onclick: withdraw(r) }) : '') },
  ], t('req.none'));
  const load = list.reload;
  load();
  return h('div', {}, message, list.element);
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
  const message = messageBox();
  const list = requestList({ status: 'pending' }, async (rows) => {
    const balanceOf = await balancesFor(rows);
    return [...baseColumns(ctx),
      { label: t('leave.balance.title'), class: 'leave-balance', render: (r) => (balanceOf(r) ? balanceText(balanceOf(r), ctx.types) : '') },
      { label: t('req.decide'), render: (r) => decide(r) }];
  }, t('dash.nopending'));
  const load = list.reload;
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
  return h('div', {}, message, list.element);
}

// HR sets the yearly allocation of a leave type, in days (half days allowed) or in hours.
function entitlementForm(ctx, who, reload) {
  const message = messageBox();
  const year = input('year', { type: 'number', min: '1900', max: '2200', value: String(new Date().getFullYear()), required: true });
  const type = select('leave_type', ctx.types.map((x) => [x.code, leaveTypeLabel(x.code, ctx.types)]));
  const size = input('entitled', { type: 'number', min: '0', max: '10000', step: '0.5', required: true });
  const unit = select('unit', [['days', t('leave.unit.days')], ['hours', t('leave.unit.hours')]]);
  const form = h('form', { class: 'form-inline' }, field(t('req.year'), year), field(t('req.leave_type'), type),
    field(t('req.entitled'), size), field(t('leave.unit'), unit), h('button', { type: 'submit', class: 'btn btn-primary' }, t('req.setentitlement')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!who()) { message.show(t('req.noemployee'), 'error'); return; }
    try {
      await api.put('/leave-balances', {
        employee_id: who(), year: Number(year.value), leave_type: type.value,
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
  const person = ctx.approver ? personPicker(ctx) : null;
  const who = () => (person ? person.chosen()[0] : ctx.ownId);
  // Each allocation in its own unit; a type without one shows what was taken.
  const inUnit = (b, days, hours) => amount(days, hours, b.entitled_hours !== null && b.entitled_days === null ? 'h' : 'd');
  async function load() {
    try {
      const rows = items(await api.get('/leave-balances', { employee_id: who() }));
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
  if (person) person.select.addEventListener('change', load);
  load();
  return h('div', {}, person ? person.element : null, box, ctx.hr ? entitlementForm(ctx, who, load) : null);
}

export async function render(main, { query }) {
  // Being named a department's manager (on the Departments page) is enough to approve for it.
  const manages = !hasRole('hr', 'manager') && me().employee_id
    ? ((await api.get('/departments')).items || []).length > 0 : false;
  const approver = hasRole('hr', 'manager') || manages;
  const ownId = me().employee_id || null;
  const [own, types] = await Promise.all([
    approver && ownId ? api.get(`/employees/${ownId}`).catch(() => null) : null, leaveTypes()]);
  const ctx = { approver, hr: hasRole('hr'), own, types, ownId };
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
