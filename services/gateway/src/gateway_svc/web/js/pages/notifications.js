// Notifications: requests filed for this person's approval, decisions on their own requests, and
// (managers, hr) the daily digest of missing check-outs (stored by the auth service, worded here
// in the reader's language); whether to list them and whether to e-mail them, each turned off by
// the person.

import { api } from '../api.js';
import { formatDateTime, t } from '../i18n.js';
import { leaveTypeInSentence, leaveTypes } from '../leave.js';
import { pagedList } from '../paging.js';
import { clear, field, h, input, link, messageBox, pageHeader, section, toast } from '../ui.js';

function describeDigest(r) {
  const people = r.people || [];
  return [
    h('p', { class: 'notice-text' }, t('notify.checkout_digest', { day: r.day, count: people.length })),
    h('ul', { class: 'digest-people' }, people.map((p) => h('li', {},
      t(p.checked_in ? 'notify.digest.person' : 'notify.digest.person_no_time', { name: p.name, number: p.employee_no, time: p.checked_in })
      + (p.department ? ` · ${p.department}` : '')))),
  ];
}

function describe(n, types) {
  const r = n.request || {};
  if (n.event === 'checkout_digest') return describeDigest(r);
  const kind = r.kind === 'leave' && r.leave_type ? leaveTypeInSentence(r.leave_type, types) : t(`notify.kind.${r.kind}`);
  const what = r.summary + (r.half ? ` · ${t(`leave.half.${r.half}`)}` : '');
  const words = { employee: r.employee_name, kind, what, decider: r.decided_by_name || t('req.someone') };
  const parts = [h('p', { class: 'notice-text' }, t(`notify.${n.event}`, words))];
  if (r.note) parts.push(h('p', { class: 'muted' }, t('notify.note', { note: r.note })));
  return parts;
}

function settingsForm(current) {
  const message = messageBox();
  const inApp = input('in_app', { type: 'checkbox', checked: current.in_app });
  const email = input('email', { type: 'checkbox', checked: current.email });
  const form = h('form', { class: 'form-inline' },
    field(t('notify.in_app'), inApp), field(t('notify.email'), email),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.put('/notifications/settings', { in_app: inApp.checked, email: email.checked });
      toast(t('common.saved'));
    } catch (err) {
      message.error(err);
    }
  });
  return h('div', {}, h('p', { class: 'hint' }, t('notify.settings.hint')), message, form);
}

export async function render(main) {
  const [types, current] = await Promise.all([leaveTypes(), api.get('/notifications/settings')]);
  const box = h('div', { class: 'notifications' });
  const item = (n) => h('li', { class: n.read_at ? 'read' : 'unread' },
    n.read_at ? null : h('span', { class: 'badge badge-pending' }, t('notify.new')),
    ...describe(n, types),
    h('p', { class: 'muted' }, formatDateTime(n.created_at), ' · ',
      n.event === 'checkout_digest'
        ? link(`/attendance?date=${encodeURIComponent(n.request.day)}`, t('notify.digest.open'))
        : link(n.event === 'request_filed' ? '/requests?tab=approve' : '/requests?tab=mine', t('notify.open'))));
  const list = pagedList({
    path: '/notifications',
    search: false,
    render: (items) => (items.length ? h('ul', { class: 'notice-list' }, items.map(item)) : h('p', { class: 'empty' }, t('notify.none'))),
  });
  clear(box, list.element);
  main.append(pageHeader(t('nav.notifications')), section(t('notify.list'), box), section(t('notify.settings'), settingsForm(current)));
  await list.reload();
  // Seen once shown: the next visit lists them as read.
  api.post('/notifications/read').catch(() => {});
}
