// Reports: request one, watch its progress, download it; the history, newest first.

import { api, download } from '../api.js';
import {
  departmentOptions, departments as loadDepartments, livenessOptions, siteOptions, sites as loadSites,
} from '../data.js';
import { formatDateTime, t } from '../i18n.js';
import { pagedList } from '../paging.js';
import {
  badge, button, clear, field, h, input, isoDate, messageBox, pageHeader, progressBar, section, select, table, today,
} from '../ui.js';

const FINAL = new Set(['done', 'failed']);

// Polls a report until it is done or failed; `onUpdate` sees every state on the way.
export async function waitForReport(id, onUpdate, { interval = 800, timeout = 300000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const report = await api.get(`/reports/${id}`);
    onUpdate(report);
    if (FINAL.has(report.status) || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

function paramFields(kind, departments, sites) {
  const dept = field(t('emp.department'), select('department_id', departmentOptions(departments)));
  // Offered where the organisation has sites; the report then covers that site's people.
  const site = sites.length ? field(t('sites.site'), select('site_id', siteOptions(sites))) : null;
  const month = isoDate(new Date()).slice(0, 7);
  if (kind === 'daily') return [field(t('common.date'), input('date', { type: 'date', value: today(), required: true })), site, dept];
  if (kind === 'monthly') return [field(t('common.month'), input('month', { type: 'month', value: month, required: true })), site, dept];
  if (kind === 'punches') {
    return [field(t('common.from'), input('from', { type: 'date', value: `${month}-01`, required: true })),
      field(t('common.to'), input('to', { type: 'date', value: today(), required: true })), site, dept,
      field(t('att.liveness'), select('liveness', livenessOptions()))];
  }
  return [field(t('reports.rollcallid'), input('roll_call_id', { type: 'number', min: '1', required: true }))];
}

export async function render(main) {
  const message = messageBox();
  const [departments, sites] = await Promise.all([loadDepartments(), loadSites()]);
  let polling = null;
  let stopped = false;

  const kind = select('kind', [['daily', t('reports.kind.daily')], ['monthly', t('reports.kind.monthly')],
    ['roll_call', t('reports.kind.roll_call')], ['punches', t('reports.kind.punches')]]);
  const paramBox = h('div', { class: 'form-grid-inner' });
  const fillParams = () => clear(paramBox, paramFields(kind.value, departments, sites));
  kind.addEventListener('change', fillParams);
  fillParams();
  const form = h('form', { class: 'form-grid' }, field(t('reports.kind'), kind), paramBox,
    h('div', { class: 'actions field-wide' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('reports.request'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const params = {};
    for (const el of paramBox.querySelectorAll('input, select')) {
      if (el.value === '') continue;
      params[el.name] = el.name.endsWith('_id') ? Number(el.value) : el.value;
    }
    try {
      const report = await api.post('/reports', { kind: kind.value, params });
      message.ok(t('reports.queued', { id: report.id }));
      await history.reload();
    } catch (err) {
      message.error(err);
    }
  });

  // The CSV as the worker wrote it, or the same as an Excel workbook.
  async function fetchFile(report, format = 'csv') {
    const csvName = report.file_name || `report-${report.id}.csv`;
    try {
      const name = format === 'xlsx'
        ? await download(`/reports/${report.id}/download?format=xlsx`, csvName.replace(/\.csv$/, '.xlsx'))
        : await download(`/reports/${report.id}/download`, csvName);
      message.ok(t('reports.downloaded', { name }));
    } catch (err) {
      message.error(err);
    }
  }

  const history = pagedList({
    path: '/reports',
    search: false,
    render: (list) => {
      // Keep refreshing the page shown while anything on it is still running.
      if (list.some((r) => !FINAL.has(r.status)) && !stopped && !polling) {
        polling = setTimeout(() => { polling = null; if (!stopped) history.reload(); }, 1000);
      }
      return table([
        { label: t('reports.requested'), render: (r) => formatDateTime(r.created_at) },
        { label: t('reports.kind'), render: (r) => t(`reports.kind.${r.kind}`) },
        { label: t('reports.params'), render: (r) => Object.entries(r.params || {}).map(([k, v]) => `${k}=${v}`).join(', ') },
        { label: t('att.status'), render: (r) => badge(r.status) },
        { label: t('reports.progress'), render: (r) => progressBar(r.progress, t('reports.progress')) },
        { label: t('common.actions'), render: (r) => (r.status === 'done'
          ? h('div', { class: 'row-actions' },
            button(t('reports.download'), { class: 'btn btn-small', onclick: () => fetchFile(r) }),
            button(t('reports.xlsx'), { class: 'btn btn-small', onclick: () => fetchFile(r, 'xlsx') }))
          : (r.error ? h('span', { class: 'error-text' }, r.error) : '')) },
      ], list, { empty: t('reports.none') });
    },
  });

  main.append(pageHeader(t('nav.reports')), message, section(t('reports.new'), form), section(t('reports.history'), history.element));
  await history.reload();
  return () => { stopped = true; };
}
