// Leave allocation: the yearly days of each leave type per employee, with what is used,
// pending and left (GET/PUT /leave-balances).

import { api } from '../api.js';
import { employeeField } from '../data.js';
import { formatNumber, t } from '../i18n.js';
import {
  clear, field, h, input, items, latestOnly, messageBox, section, select, table, toast,
} from '../ui.js';

export async function allocationsSection() {
  const message = messageBox();
  const list = h('div', { 'aria-live': 'polite' });
  const types = items(await api.get('/leave-types').catch(() => ({ items: [] })));
  // Whose allocation: searched for on the server (a large organisation has more people than a list).
  const employee = employeeField(t('common.employee'), 'employee_id', { emptyLabel: t('rules.none'), required: true });
  const chosen = () => employee.chosen()[0];
  const year = input('year', { type: 'number', min: '1900', max: '2200', required: true, value: String(new Date().getFullYear()) });
  const leaveType = select('leave_type', types.map((x) => [x.code, x.name]), { required: true });
  const days = input('entitled_days', { type: 'number', min: '0', max: '366', step: '0.5', required: true });
  const isCurrent = latestOnly();
  const show = (value) => (value === null || value === undefined ? '—' : formatNumber(value));
  async function load() {
    if (!chosen()) { clear(list); return; }
    const turn = isCurrent();
    try {
      const rows = items(await api.get('/leave-balances', { employee_id: chosen(), year: year.value }));
      if (turn()) {
        clear(list, table([
          { label: t('allocations.type'), render: (b) => (types.find((x) => x.code === b.leave_type) || {}).name || b.leave_type },
          { label: t('allocations.entitled'), render: (b) => show(b.entitled_days) },
          { label: t('allocations.used'), render: (b) => show(b.used_days) },
          { label: t('allocations.pending'), render: (b) => show(b.pending_days) },
          { label: t('allocations.remaining'), render: (b) => show(b.remaining_days) },
        ], rows, { empty: t('allocations.none') }));
      }
    } catch (err) {
      message.error(err);
    }
  }
  employee.select.addEventListener('change', load);
  year.addEventListener('change', load);
  const form = h('form', { class: 'form-inline' }, employee.element, field(t('allocations.year'), year),
    field(t('allocations.type'), leaveType), field(t('allocations.days'), days),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('allocations.save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.put('/leave-balances', {
        employee_id: chosen(), year: Number(year.value), leave_type: leaveType.value, entitled_days: Number(days.value),
      });
      toast(t('common.saved'));
      load();
    } catch (err) {
      message.error(err);
    }
  });
  return section(t('allocations.title'), h('p', { class: 'hint' }, t('allocations.hint')), message, form, list);
}
