// The rules-v2 parameters of a shift (RULES.md): punch policy, worked time, hours thresholds,
// automatic check-out, overtime minimum/rounding/without approval, holidays, flexible hours.

import { t } from '../i18n.js';
import { field, h, input, select } from '../ui.js';

const CHECKS = ['auto_checkout', 'overtime_without_approval', 'work_on_holidays', 'flexible'];
const MINUTES = ['overtime_min_minutes', 'overtime_rounding_minutes'];
const HOURS = ['absent_below_hours', 'required_hours'];

export function ruleFields() {
  return [
    field(t('rules.punch_policy'), select('punch_policy', [
      ['first_last', t('rules.punch_policy.first_last')], ['every_period', t('rules.punch_policy.every_period')]]),
    { hint: t('rules.punch_policy.hint') }),
    field(t('rules.worked_time'), select('worked_time', [
      ['first_last', t('rules.worked_time.first_last')], ['pairs', t('rules.worked_time.pairs')]])),
    field(t('rules.absent_below_hours'), input('absent_below_hours', { type: 'number', min: '0', max: '24', step: '0.5' })),
    MINUTES.map((name) => field(t(`rules.${name}`), input(name, { type: 'number', min: '0', max: '1440', required: true }))),
    CHECKS.map((name) => field(t(`rules.${name}`), input(name, { type: 'checkbox' }))),
    field(t('rules.required_hours'), input('required_hours', { type: 'number', min: '0', max: '24', step: '0.5' }),
      { hint: t('rules.flexible.hint') }),
  ].flat();
}

// `values`: a whole shift (the default shift with the edited one over it).
export function fillRules(form, values) {
  form.elements.punch_policy.value = values.punch_policy;
  form.elements.worked_time.value = values.worked_time;
  for (const name of [...MINUTES, ...HOURS]) form.elements[name].value = values[name] ?? '';
  for (const name of CHECKS) form.elements[name].checked = Boolean(values[name]);
}

export function ruleBody(values) {
  const body = { punch_policy: values.punch_policy, worked_time: values.worked_time };
  for (const name of MINUTES) body[name] = Number(values[name] ?? 0);
  for (const name of HOURS) body[name] = values[name] === undefined ? null : Number(values[name]);
  for (const name of CHECKS) body[name] = Boolean(values[name]);
  return body;
}

export function ruleSummary(shift) {
  const parts = [t(`rules.punch_policy.${shift.punch_policy || 'first_last'}`)];
  if (shift.worked_time === 'pairs') parts.push(t('rules.worked_time.pairs'));
  if (shift.flexible) parts.push(t('rules.flexible'));
  if (shift.auto_checkout) parts.push(t('rules.auto_checkout'));
  if (shift.work_on_holidays) parts.push(t('rules.work_on_holidays'));
  return h('span', { class: 'hint' }, parts.join(' · '));
}
