// Look-ups several pages share: departments and employees for pickers.

import { api } from './api.js';
import { t } from './i18n.js';
import { items } from './ui.js';

export async function departments() {
  try {
    return items(await api.get('/departments', { limit: 500 }));
  } catch {
    return [];
  }
}

export async function employees(params = {}) {
  try {
    return items(await api.get('/employees', { limit: 500, ...params }));
  } catch {
    return [];
  }
}

export function departmentOptions(list, emptyLabel) {
  return [['', emptyLabel ?? t('common.all')], ...list.map((d) => [d.id, `${d.name} (${d.code})`])];
}

export function employeeOptions(list, emptyLabel) {
  return [['', emptyLabel ?? t('common.all')], ...list.map((e) => [e.id, `${e.name} · ${e.employee_no}`])];
}

export function nameMap(list) {
  return new Map(list.map((x) => [x.id, x.name]));
}
