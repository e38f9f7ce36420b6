// Today at a glance, and the requests waiting for this user's decision.

import { allItems, api } from '../api.js';
import { hasRole, me } from '../app.js';
import { donutChart } from '../charts.js';
import { siteOptions, sites as loadSites } from '../data.js';
import { t } from '../i18n.js';
import {
  badge, clear, errorText, field, h, items, latestOnly, link, pageHeader, section, select, table, today,
} from '../ui.js';
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

// HR and managers may narrow the day to one site (a manager: their own people there).
async function todayCard() {
  const body = h('div', { class: 'today' }, h('p', { class: 'loading' }, t('common.loading')));
  const overseer = hasRole('hr', 'manager');
  const sites = overseer ? await loadSites() : [];
  const site = select('site_id', siteOptions(sites));
  const turn = latestOnly();

  async function fill() {
    const isCurrent = turn();
    try {
      const params = { date: today(), site_id: site.value };
      if (!overseer && me().employee_id) params.employee_id = me().employee_id;
      const records = await allItems('/attendance/daily', params);
      if (!isCurrent()) return;
      const counts = countToday(records);
      const resting = records.filter((r) => r.status === 'holiday').length;
      const data = BUCKETS.map((kind) => ({ kind, label: t(`dash.${kind}`), value: counts[kind] }));
      clear(body,
        h('ul', { class: 'stat-tiles' }, data.map((d) => h('li', { class: `stat stat-${d.kind}` },
          h('span', { class: 'stat-value' }, String(d.value)), h('span', { class: 'stat-label' }, d.label)))),
        donutChart(data, { title: t('dash.chart', { date: today() }) }),
        resting ? h('p', { class: 'muted' }, t('dash.resting', { n: resting })) : null);
      if (!overseer && records.length) {
        body.append(table([
          { label: t('att.status'), render: (r) => badge(r.status, 'day') },
          { label: t('att.explanation'), key: 'explanation' },
        ], records));
      }
    } catch (err) {
      clear(body, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(err)));
    }
  }

  site.addEventListener('change', fill);
  await fill();
  return section(t('dash.today'), sites.length ? h('div', { class: 'filters' }, field(t('sites.site'), site)) : null, body);
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
      { label: t('common.employee'), key: 'employee_name' },
      { label: t('req.when'), render: describe },
      { label: t('req.reason'), key: 'reason' },
    ], rows, { empty: t('dash.nopending') }),
    h('p', {}, link('/requests?tab=approve', t('dash.review'))));
  return card;
}

// The first-run guide: what an organisation sets up before anyone can clock in, each step a
// link, gone once done; the whole guide is gone (and not checked again) once every step is.
const GUIDE_DONE = 'faceclock.guide.done';

async function total(path, params = {}) {
  try {
    return (await api.get(path, { ...params, limit: 1 })).total || 0;
  } catch {
    return null; // not ours to read (a kiosk list for hr): the step is not shown
  }
}

async function anyFaces() {
  const people = items(await api.get('/employees', { limit: 20 }).catch(() => ({ items: [] })));
  const counts = await Promise.all(people.map((p) => api.get(`/employees/${p.id}/faces`)
    .then((answer) => items(answer).length).catch(() => 0)));
  return { done: counts.some((n) => n > 0), first: people[0] };
}

async function guideCard() {
  if (!hasRole('admin', 'hr') || localStorage.getItem(GUIDE_DONE) === me().username) return null;
  const [sitesCount, departmentsCount, employeesCount, kiosksCount, faces] = await Promise.all([
    total('/sites'), total('/departments'), total('/employees'), hasRole('admin') ? total('/kiosks') : null, anyFaces()]);
  const steps = [
    { key: 'organisation', done: (sitesCount || 0) + (departmentsCount || 0) > 0, href: '/departments' },
    { key: 'employees', done: employeesCount > 0, href: '/employees' },
    { key: 'faces', done: faces.done, href: faces.first ? `/employees/${faces.first.id}` : '/employees' },
    kiosksCount === null ? null : { key: 'kiosk', done: kiosksCount > 0, href: '/admin' },
  ].filter(Boolean);
  const open = steps.filter((step) => !step.done);
  if (!open.length) {
    localStorage.setItem(GUIDE_DONE, me().username);
    return null;
  }
  return section(t('guide.title'),
    h('p', { class: 'hint' }, t('guide.intro', { done: steps.length - open.length, total: steps.length })),
    h('ol', { class: 'guide-steps' }, open.map((step) => h('li', { 'data-step': step.key },
      link(step.href, t(`guide.${step.key}`)), h('p', { class: 'muted' }, t(`guide.${step.key}.hint`))))));
}

export async function render(main) {
  const name = me().username;
  main.append(pageHeader(t('nav.dashboard')), h('p', { class: 'lead' }, t('dash.welcome', { name })));
  // The guide does not hold up the rest of the page (it asks several lists).
  const guideSlot = h('div', {});
  main.append(guideSlot);
  guideCard().then((guide) => { if (guide) guideSlot.append(guide); }).catch(() => {});
  const grid = h('div', { class: 'grid-2' });
  main.append(grid);
  const cards = [todayCard()];
  if (hasRole('hr', 'manager')) cards.push(approvalsCard());
  for (const card of await Promise.all(cards)) grid.append(card);
}
