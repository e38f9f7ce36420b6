// Leave and business trips as HR systems file them: whole days, a half day or hours (as the
// leave type allows), with what the request costs and the balance before and after it shown
// while filing; a request the server would refuse (over the balance, overlapping another) is
// refused here first, with the server's sentence in the reader's language.

import { api } from './api.js';
import { formatNumber, t } from './i18n.js';
import { clear, field, h, input, items, latestOnly, select } from './ui.js';

let typesCache = null;

export async function leaveTypes() {
  if (!typesCache) typesCache = api.get('/leave-types').then(items).catch(() => { typesCache = null; return []; });
  return typesCache;
}

// The catalogue's word for a seeded type; a type HR added keeps the name HR gave it.
export function leaveTypeLabel(code, types = []) {
  const key = `req.leave.${code}`;
  const text = t(key);
  if (text !== key) return text;
  return (types.find((x) => x.code === code) || {}).name || code;
}

// The same inside a sentence ("the sick leave request of …", "…的病假申请").
export function leaveTypeInSentence(code, types = []) {
  const key = `leave.sentence.${code}`;
  const text = t(key);
  return text !== key ? text : leaveTypeLabel(code, types);
}

export function amount(days, hours, unit) {
  return unit === 'h' ? t('leave.hours', { n: formatNumber(hours, 2) }) : t('leave.days', { n: formatNumber(days, 2) });
}

// "Annual 2026: 10 days allocated, 3 taken, 1 pending, 6 left" (the unit the allocation is in).
export function balanceText(b, types) {
  const name = `${leaveTypeLabel(b.leave_type, types)} ${b.year}`;
  if (b.entitled_days === null && b.entitled_hours === null) return t('leave.balance.none', { type: name });
  const inDays = b.entitled_days !== null;
  const pick = (days, hours) => amount(days, hours, inDays ? 'd' : 'h');
  return t('leave.balance', {
    type: name,
    entitled: pick(b.entitled_days, b.entitled_hours),
    taken: pick(b.used_days, b.used_hours),
    pending: pick(b.pending_days, b.pending_hours),
    left: pick(inDays ? b.entitled_days - b.used_days - b.pending_days : 0, inDays ? 0 : b.entitled_hours - b.used_hours - b.pending_hours),
  });
}

function leftAfter(b, days, hours) {
  if (b.entitled_days !== null) return amount(b.entitled_days - b.used_days - b.pending_days - days, 0, 'd');
  return amount(0, b.entitled_hours - b.used_hours - b.pending_hours - hours, 'h');
}

// The leave part of the request form. `employeeId()` is whom it is for; returns the fields, a
// `body()` for POST /leave-requests and `check()` (the preview, throws the server's refusal).
export function leaveFields(kind, types, employeeId) {
  const isLeave = kind === 'leave';
  const type = isLeave ? select('leave_type', types.map((x) => [x.code, leaveTypeLabel(x.code, types)]), { id: 'leave-type' }) : null;
  const unit = select('unit', [], { id: 'leave-unit' });
  const slots = h('div', { class: 'form-grid-inner' });
  const preview = h('div', { id: 'leave-preview', class: 'leave-preview field-wide', 'aria-live': 'polite' });
  const inputs = {
    from: input('from', { type: 'date', required: true }),
    to: input('to', { type: 'date', required: true }),
    day: input('day', { type: 'date', required: true }),
    half: select('half', [['first', t('leave.half.first')], ['second', t('leave.half.second')]]),
    start: input('start', { type: 'datetime-local', required: true }),
    end: input('end', { type: 'datetime-local', required: true }),
  };
  const chosenType = () => (isLeave ? types.find((x) => x.code === type.value) : null);
  function fillUnits() {
    const kindOf = chosenType();
    const units = [['days', t('leave.unit.days')]];
    if (!kindOf || kindOf.allow_half_days) units.push(['half', t('leave.unit.half')]);
    if (!kindOf || kindOf.allow_hours) units.push(['hours', t('leave.unit.hours')]);
    const was = unit.value;
    clear(unit, units.map(([value, label]) => h('option', { value }, label)));
    unit.value = units.some(([value]) => value === was) ? was : 'days';
    fillSlots();
  }
  function fillSlots() {
    const parts = {
      days: [field(t('leave.from'), inputs.from), field(t('leave.to'), inputs.to)],
      half: [field(t('common.date'), inputs.day), field(t('leave.half'), inputs.half)],
      hours: [field(t('req.start'), inputs.start), field(t('req.end'), inputs.end)],
    }[unit.value];
    clear(slots, parts);
  }
  // The end of a whole-day request follows its start until it is chosen.
  inputs.from.addEventListener('change', () => {
    if (!inputs.to.value || inputs.to.value < inputs.from.value) inputs.to.value = inputs.from.value;
  });
  function body() {
    const out = { kind };
    if (isLeave) out.leave_type = type.value;
    if (unit.value === 'days') Object.assign(out, { start: inputs.from.value, end: inputs.to.value });
    // A date-time without an offset is read in the employee's own zone, which is what a leave
    // request means (an HR officer elsewhere files it in the employee's local time).
    if (unit.value === 'hours') Object.assign(out, { start: inputs.start.value, end: inputs.end.value });
    if (unit.value === 'half') Object.assign(out, { start: inputs.day.value, end: inputs.day.value, half: inputs.half.value });
    return out;
  }
  const complete = (b) => Boolean(b.start && b.end);
  const isCurrent = latestOnly();
  async function refresh() {
    const request = body();
    const who = employeeId();
    if (!complete(request) || !who) { clear(preview); return; }
    const turn = isCurrent();
    try {
      const answer = await api.post('/leave-requests/preview', { ...request, employee_id: who });
      if (!turn()) return;
      const lines = [h('p', { class: 'leave-cost' }, t('leave.cost', { cost: amount(answer.days, answer.hours, 'd'), hours: amount(0, answer.hours, 'h') }))];
      if (answer.balance) {
        lines.push(h('p', { class: 'leave-balance' }, balanceText(answer.balance, types)));
        if (answer.balance.entitled_days !== null || answer.balance.entitled_hours !== null) {
          lines.push(h('p', { class: 'leave-after' }, t('leave.after', { left: leftAfter(answer.balance, answer.days, answer.hours) })));
        }
      }
      clear(preview, h('div', { class: 'notice notice-info' }, lines));
    } catch (err) {
      if (turn()) clear(preview, h('p', { class: 'notice notice-error', role: 'alert' }, err.message));
    }
  }
  let timer = null;
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 250); };
  for (const control of [...Object.values(inputs), unit]) control.addEventListener('change', later);
  if (type) type.addEventListener('change', () => { fillUnits(); later(); });
  unit.addEventListener('change', fillSlots);
  fillUnits();
  const parts = [];
  if (type) parts.push(field(t('req.leave_type'), type));
  parts.push(field(t('leave.unit'), unit), slots, preview);
  return { parts, body, refresh };
}

// "2026-12-14 – 2026-12-15 · 2 days", "2026-12-14 · first half · 0.5 days", or the moments of a
// request in hours.
export function leaveSpan(r, formatDateTime) {
  if (String(r.start).length === 10 && String(r.end).length === 10) {
    const dates = r.start === r.end ? r.start : `${r.start} – ${r.end}`;
    const half = r.half ? ` · ${t(`leave.half.${r.half}`)}` : '';
    return `${dates}${half} · ${amount(r.days, r.hours, 'd')}`;
  }
  return `${formatDateTime(r.start_at)} – ${formatDateTime(r.end_at)} · ${amount(r.days, r.hours, 'h')}`;
}
