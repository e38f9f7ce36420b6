// Attendance: the daily view with each result's explanation, the raw punch log, and the
// monthly summary with a bar chart and a calendar per employee.

import { allItems, api } from '../api.js';
import { hasRole, me } from '../app.js';
import { barChart } from '../charts.js';
import {
  departmentOptions, departments as loadDepartments, employeeField, livenessOptions,
} from '../data.js';
import { formatDateTime, formatNumber, formatTime, statusLabel, t } from '../i18n.js';
import { pagedList, pagerBar } from '../paging.js';
import {
  badge, button, clear, field, h, input, isoDate, items, latestOnly, messageBox, pageHeader, section, select, table, tabs, today,
} from '../ui.js';

function minutes(value) {
  if (!value) return '0';
  const hours = Math.floor(value / 60);
  return hours ? `${hours}h ${String(value % 60).padStart(2, '0')}m` : `${value}m`;
}

// A manager picks one employee (searching the server) or everyone; others see only themselves.
function personFilter(ctx) {
  if (!ctx.manager) return { element: null, value: () => undefined };
  const picker = employeeField(t('common.employee'), 'employee_id', { emptyLabel: t('common.all') });
  return { element: picker.element, value: () => picker.chosen()[0] };
}

function filterForm(fields, onSubmit) {
  const form = h('form', { class: 'filters' }, fields, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.show')));
  form.addEventListener('submit', (event) => { event.preventDefault(); onSubmit(); });
  return form;
}

// The instants that bound a local calendar day (or a range of days), for the punch log.
function dayBounds(fromDate, toDate) {
  const start = new Date(`${fromDate}T00:00:00`);
  const end = new Date(`${toDate}T00:00:00`);
  end.setDate(end.getDate() + 1);
  return { from: start.toISOString(), to: end.toISOString() };
}

function periodText(p, zone) {
  const span = [p.start, p.end].map((x) => (x ? formatTime(x, zone) : '?')).join('–');
  const seen = [p.first_in ? `${t('kiosk.kind.in')} ${formatTime(p.first_in, zone)}` : null,
    p.last_out ? `${t('kiosk.kind.out')} ${formatTime(p.last_out, zone)}` : null].filter(Boolean).join(', ');
  return `${span}: ${statusLabel(p.status, 'day')}${seen ? ` (${seen})` : ''}`;
}

function dailyTab(ctx) {
  const date = input('date', { type: 'date', value: ctx.query.get('date') || today(), required: true });
  const dept = select('department_id', departmentOptions(ctx.departments));
  const person = personFilter(ctx);
  // The raw punches of the page's people that day beside each result, so a person sees what the
  // verdict rests on.
  async function punchesOf(rows) {
    const byEmployee = new Map();
    const people = [...new Set(rows.map((r) => r.employee_id))];
    if (!people.length) return byEmployee;
    const punches = await api.get('/punches', { ...dayBounds(date.value, date.value), employee_id: people, limit: 1000 })
      .catch(() => null);
    for (const punch of items(punches)) {
      if (!byEmployee.has(punch.employee_id)) byEmployee.set(punch.employee_id, []);
      byEmployee.get(punch.employee_id).push(punch);
    }
    return byEmployee;
  }
  const render = async (rows) => {
    const byEmployee = await punchesOf(rows);
    return table([
      { label: t('common.employee'), render: (r) => r.name },
      { label: t('att.status'), render: (r) => badge(r.status, 'day') },
      { label: t('att.punches'), class: 'punches', render: (r) => (byEmployee.get(r.employee_id) || [])
        .map((p) => `${formatTime(p.at, r.timezone)}${p.kind ? ` ${t(`kiosk.kind.${p.kind}`)}` : ''}`).join(', ') || t('att.nopunch') },
      { label: t('att.late'), render: (r) => minutes(r.late_minutes) },
      { label: t('att.early'), render: (r) => minutes(r.early_leave_minutes) },
      { label: t('att.worked'), render: (r) => minutes(r.worked_minutes) },
      { label: t('att.overtime'), render: (r) => minutes(r.overtime_minutes) },
      { label: t('att.explanation'), class: 'explanation', render: (r) => [
        h('span', {}, Array.isArray(r.explanation) ? r.explanation.join('; ') : r.explanation),
        (r.periods || []).length ? h('ul', { class: 'periods-list' }, r.periods.map((p) => h('li', {}, periodText(p, r.timezone)))) : null,
      ] },
    ], rows, { empty: t('att.nodaily') });
  };
  const filters = [field(t('common.date'), date)];
  if (ctx.manager) filters.push(field(t('emp.department'), dept), person.element);
  const list = pagedList({
    path: '/attendance/daily',
    search: false,
    extraFilters: filters,
    params: () => ({ date: date.value, department_id: dept.value, employee_id: person.value() }),
    render,
  });
  list.reload();
  return list.element;
}

function punchesTab(ctx) {
  const from = input('from', { type: 'date', value: today(), required: true });
  const to = input('to', { type: 'date', value: today(), required: true });
  const person = personFilter(ctx);
  const liveness = select('liveness', livenessOptions());
  const filters = [field(t('common.from'), from), field(t('common.to'), to)];
  if (ctx.manager) filters.push(person.element);
  filters.push(field(t('att.liveness'), liveness));
  const list = pagedList({
    path: '/punches',
    search: false,
    extraFilters: filters,
    // The API takes instants; the picked days are local calendar days.
    params: () => ({ employee_id: person.value(), liveness: liveness.value, ...dayBounds(from.value, to.value) }),
    render: (rows) => table([
      { label: t('att.at'), render: (p) => formatDateTime(p.at) },
      { label: t('common.employee'), render: (p) => p.name },
      { label: t('att.kind'), render: (p) => (p.kind ? t(`kiosk.kind.${p.kind}`) : '') },
      { label: t('att.status'), render: (p) => (p.status ? badge(p.status) : '') },
      { label: t('att.source'), render: (p) => p.source || '' },
      { label: t('att.device'), render: (p) => p.device_name || p.device_id || '' },
      { label: t('att.liveness'), render: (p) => (p.source === 'live' ? t(`att.liveness.${p.liveness_checked ? 'checked' : 'not_checked'}`) : '') },
    ], rows, { empty: t('att.nopunches') }),
  });
  list.reload();
  return list.element;
}

const CHART_STATUSES = [
  ['days_present', 'present'], ['days_absent', 'absent'], ['late_count', 'late'],
  ['early_leave_count', 'early_leave'], ['business_trip_days', 'business_trip'],
];

function daysOf(month) {
  const [year, m] = month.split('-').map(Number);
  const count = new Date(year, m, 0).getDate();
  return Array.from({ length: count }, (_, i) => new Date(year, m - 1, i + 1));
}

// A month of day results for one employee, as a calendar grid (Monday first).
async function calendar(employeeId, name, month) {
  const days = daysOf(month);
  const results = new Map();
  let error = null;
  try {
    const answer = await api.get('/attendance/daily', {
      from: isoDate(days[0]), to: isoDate(days[days.length - 1]), employee_id: employeeId, limit: 1000,
    });
    for (const record of items(answer)) results.set(String(record.date), record);
  } catch (err) {
    error = err;
  }
  const weekdays = [1, 2, 3, 4, 5, 6, 0].map((d) => new Date(2024, 0, d === 0 ? 7 : d).toLocaleDateString(document.documentElement.lang, { weekday: 'short' }));
  const cells = [];
  const lead = (days[0].getDay() + 6) % 7;
  for (let i = 0; i < lead; i += 1) cells.push(h('li', { class: 'cal-blank', 'aria-hidden': 'true' }));
  for (const day of days) {
    const record = results.get(isoDate(day));
    const status = record ? record.status : 'none';
    cells.push(h('li', { class: `cal-day cal-${status}`, title: record ? (record.explanation || '') : '' },
      h('span', { class: 'cal-date' }, String(day.getDate())),
      h('span', { class: 'cal-status' }, record ? statusLabel(status) : '—')));
  }
  return h('div', { class: 'calendar-wrap' },
    h('h3', {}, t('att.calendar', { name, month })),
    error ? h('p', { class: 'notice notice-error', role: 'alert' }, error.message) : null,
    h('ul', { class: 'calendar-head', 'aria-hidden': 'true' }, weekdays.map((w) => h('li', {}, w))),
    h('ol', { class: 'calendar', 'aria-label': t('att.calendar', { name, month }) }, cells));
}

// The whole month of everyone the reader may see, read page by page: the chart sums them all,
// the table shows them a page at a time.
const MONTH_PAGE = 50;

function monthlyTab(ctx) {
  const out = h('div', { 'aria-live': 'polite' });
  const cal = h('div', { 'aria-live': 'polite' });
  const message = messageBox();
  const month = input('month', { type: 'month', value: today().slice(0, 7), required: true });
  const dept = select('department_id', departmentOptions(ctx.departments));
  const turn = latestOnly();
  const columns = [
    { label: t('common.employee'), key: 'name' },
    { label: t('att.m.present'), key: 'days_present' },
    { label: t('att.m.absent'), key: 'days_absent' },
    { label: t('att.m.late'), key: 'late_count' },
    { label: t('att.m.early'), key: 'early_leave_count' },
    { label: t('att.m.leave'), render: (r) => formatNumber(r.leave_hours) },
    { label: t('att.m.trip'), key: 'business_trip_days' },
    { label: t('att.m.overtime'), render: (r) => formatNumber(r.overtime_hours) },
    { label: t('att.m.worked'), render: (r) => formatNumber(r.worked_hours) },
    { label: t('att.calendar.short'), render: (r) => button(t('att.calendar.show'), {
      class: 'btn btn-small',
      onclick: async () => {
        clear(cal, h('p', { class: 'loading' }, t('common.loading')));
        clear(cal, await calendar(r.employee_id, r.name, month.value));
        cal.scrollIntoView({ block: 'nearest' });
      },
    }) },
  ];
  const load = async () => {
    message.clear();
    clear(cal);
    clear(out, h('p', { class: 'loading' }, t('common.loading')));
    const isCurrent = turn();
    try {
      let rows = await allItems('/attendance/monthly', { month: month.value, department_id: dept.value });
      if (!isCurrent()) return;
      if (ctx.ownId && !ctx.manager) rows = rows.filter((r) => r.employee_id === ctx.ownId);
      const totals = CHART_STATUSES.map(([key, kind]) => ({
        kind, label: statusLabel(kind), value: rows.reduce((sum, r) => sum + (Number(r[key]) || 0), 0),
      }));
      const chart = barChart(totals, { title: t('att.monthchart', { month: month.value }) });
      const page = h('div', {});
      const show = (from) => clear(page, table(columns, rows.slice(from, from + MONTH_PAGE), { empty: t('att.nomonthly') }),
        pagerBar({ from, shown: MONTH_PAGE, total: rows.length, prev: () => show(Math.max(0, from - MONTH_PAGE)), next: () => show(from + MONTH_PAGE) }));
      clear(out, chart, h('p', { class: 'count' }, t('common.total', { n: rows.length })), page);
      show(0);
    } catch (err) {
      clear(out);
      message.error(err);
    }
  };
  const filters = [field(t('common.month'), month)];
  if (ctx.manager) filters.push(field(t('emp.department'), dept));
  const box = h('div', {}, filterForm(filters, load), message, out, cal);
  load();
  return box;
}

export async function render(main, { query }) {
  const manager = hasRole('hr', 'manager');
  const departments = manager ? await loadDepartments() : [];
  const ctx = { query, manager, departments, ownId: manager ? null : me().employee_id };
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel' });
  const views = { daily: dailyTab, punches: punchesTab, monthly: monthlyTab };
  const bar = tabs([['daily', t('att.daily')], ['punches', t('att.punches')], ['monthly', t('att.monthly')]], (key) => {
    panel.setAttribute('aria-labelledby', `tab-${key}`);
    clear(panel, section(t(`att.${key}`), views[key](ctx)));
  });
  main.append(pageHeader(t('nav.attendance')), bar, panel);
  bar.choose(query.get('tab') && views[query.get('tab')] ? query.get('tab') : 'daily');
}
