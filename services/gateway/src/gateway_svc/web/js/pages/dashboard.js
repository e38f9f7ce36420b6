// Today at a glance, and the requests waiting for this user's decision.

import { api } from '../api.js';
import { hasRole, me } from '../app.js';
import { donutChart } from '../charts.js';
import { employees, nameMap } from '../data.js';
import { t } from '../i18n.js';
import { badge, clear, errorText, h, items, link, pageHeader, section, table, today } from '../ui.js';
import { describe } from './requests.js';

// How each day status counts on the dashboard.
const BUCKET = {
  present: 'present', early_leave: 'present', half_day: 'present',
  late: 'late', late_and_early_leave: 'late',
  absent: 'absent',
  leave: 'leave', business_trip: 'leave',
};
export const BUCKETS = ['present', 'late', 'absent', 'leave', 'notyet'];

// A day under way ("pending") counts by what has happened so far: in (late or not) once the
// employee has punched, "not yet in" before. Rest days and people not yet hired are not counted.
function bucketOf(record) {
  if (record.status === 'holiday' || record.status === 'not_employed') return null;
  if (record.status === 'pending') {
    const punched = (record.periods || []).some((p) => p.first_in);
    if (!punched) return 'notyet';
    return record.late_minutes > 0 ? 'late' : 'present';
  }
  return BUCKET[record.status] || 'notyet';
}

export function countToday(records) {
  const counts = { present: 0, late: 0, absent: 0, leave: 0, notyet: 0 };
  for (const record of records) {
    const bucket = bucketOf(record);
    if (bucket) counts[bucket] += 1;
  }
  return counts;
}

async function todayCard() {
  const body = h('div', { class: 'today' }, h('p', { class: 'loading' }, t('common.loading')));
  const card = section(t('dash.today'), body);
  try {
    const params = { date: today() };
    if (!hasRole('hr', 'manager') && me().employee_id) params.employee_id = me().employee_id;
    const records = items(await api.get('/attendance/daily', { ...params, limit: 1000 }));
    const counts = countToday(records);
    const resting = records.filter((r) => r.status === 'holiday').length;
    const data = BUCKETS.map((kind) => ({ kind, label: t(`dash.${kind}`), value: counts[kind] }));
    clear(body,
      h('ul', { class: 'stat-tiles' }, data.map((d) => h('li', { class: `stat stat-${d.kind}` },
        h('span', { class: 'stat-value' }, String(d.value)), h('span', { class: 'stat-label' }, d.label)))),
      donutChart(data, { title: t('dash.chart', { date: today() }) }),
      resting ? h('p', { class: 'muted' }, t('dash.resting', { n: resting })) : null);
    if (!hasRole('hr', 'manager') && records.length) {
      body.append(table([
        { label: t('att.status'), render: (r) => badge(r.status) },
        { label: t('att.explanation'), key: 'explanation' },
      ], records));
    }
  } catch (err) {
    clear(body, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(err)));
  }
  return card;
}

const PENDING = [
  ['/leave-requests', 'req.kind.leave'],
  ['/overtime', 'req.kind.overtime'],
  ['/corrections', 'req.kind.correction'],
];

async function approvalsCard() {
  const body = h('div', {}, h('p', { class: 'loading' }, t('common.loading')));
  const card = section(t('dash.pending'), body);
  const rows = [];
  const errors = [];
  const names = nameMap(await employees());
  await Promise.all(PENDING.map(async ([path, kindKey]) => {
    try {
      const answer = await api.get(path, { status: 'pending', limit: 50 });
      for (const item of items(answer)) rows.push({ ...item, kindLabel: kindKey === 'req.kind.leave' ? t(`req.kind.${item.kind || 'leave'}`) : t(kindKey) });
    } catch (err) {
      errors.push(`${t(kindKey)}: ${errorText(err)}`);
    }
  }));
  clear(body,
    errors.map((e) => h('p', { class: 'notice notice-error', role: 'alert' }, e)),
    table([
      { label: t('req.kind'), key: 'kindLabel' },
      { label: t('common.employee'), render: (r) => names.get(r.employee_id) || `#${r.employee_id}` },
      { label: t('req.when'), render: describe },
      { label: t('req.reason'), key: 'reason' },
    ], rows, { empty: t('dash.nopending') }),
    h('p', {}, link('/requests?tab=approve', t('dash.review'))));
  return card;
}

export async function render(main) {
  const name = me().username;
  main.append(pageHeader(t('nav.dashboard')), h('p', { class: 'lead' }, t('dash.welcome', { name })));
  const grid = h('div', { class: 'grid-2' });
  main.append(grid);
  const cards = [todayCard()];
  if (hasRole('hr', 'manager')) cards.push(approvalsCard());
  for (const card of await Promise.all(cards)) grid.append(card);
}
