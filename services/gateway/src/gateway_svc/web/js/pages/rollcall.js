// Roll call: a group photo (file or camera), a box and a name on each face, present and
// absent lists, and the roll-call CSV.

import { api, download } from '../api.js';
import { hasRole } from '../app.js';
import { captureFrame, startCamera, stopCamera } from '../camera.js';
import { departmentOptions, departments as loadDepartments, sites as loadSites } from '../data.js';
import { formatDateTime, t } from '../i18n.js';
import { button, clear, errorText, field, h, input, messageBox, pageHeader, progressBar, section, select, svg } from '../ui.js';
import { waitForReport } from './reports.js';

const rollLabel = (face) => (face.employee_id !== null && face.employee_id !== undefined && !face.ambiguous ? face.name || t('roll.unknown') : t('roll.unknown'));

// Also the recognition test's photo (recognition-test.js), with its own labels.
export function photoWithBoxes(url, faces, labelOf = rollLabel) {
  const img = h('img', { src: url, alt: t('roll.photo.alt', { n: faces.length }), class: 'roll-photo' });
  const overlay = svg('svg', { class: 'roll-overlay', 'aria-hidden': 'true', preserveAspectRatio: 'none' });
  const figure = h('figure', { class: 'roll-figure' }, h('div', { class: 'roll-stage' }, img, overlay));
  const draw = () => {
    const width = img.naturalWidth;
    const height = img.naturalHeight;
    overlay.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const stroke = Math.max(2, Math.round(width / 300));
    const fontSize = Math.max(12, Math.round(width / 40));
    for (const face of faces) {
      const { top, right, bottom, left } = face.box;
      const known = face.employee_id !== null && face.employee_id !== undefined && !face.ambiguous;
      const label = labelOf(face, faces.indexOf(face));
      const kind = known ? 'known' : 'unknown';
      const labelY = top > fontSize * 1.6 ? top - fontSize * 1.5 : bottom;
      const background = svg('rect', { x: left, y: labelY, width: Math.max(right - left, label.length * fontSize * 0.7), height: fontSize * 1.5, class: `face-label-bg face-${kind}` });
      const text = svg('text', { x: left + fontSize * 0.3, y: labelY + fontSize * 1.1, class: 'face-label', 'font-size': fontSize, text: label });
      overlay.append(svg('rect', { x: left, y: top, width: right - left, height: bottom - top, class: `face-box face-${kind}`, 'stroke-width': stroke }), background, text);
      // The name's real width is known only once it is laid out; the estimate above is the fallback.
      const measured = overlay.isConnected ? text.getComputedTextLength() : 0;
      if (measured) background.setAttribute('width', String(Math.max(right - left, measured + fontSize * 0.6)));
    }
  };
  if (img.complete && img.naturalWidth) draw();
  else img.addEventListener('load', draw, { once: true });
  const names = [...faces].sort((a, b) => a.box.left - b.box.left).map((f) => labelOf(f, faces.indexOf(f)));
  figure.append(h('figcaption', {}, t('roll.caption', { names: names.join(', ') || t('common.none') })));
  return figure;
}

function personList(title, people, kind) {
  return h('div', { class: `roll-list roll-${kind}` }, h('h3', {}, `${title} (${people.length})`),
    people.length ? h('ul', {}, people.map((p) => h('li', {}, p.name, p.employee_no ? h('span', { class: 'muted' }, ` · ${p.employee_no}`) : null,
      p.department ? h('span', { class: 'muted' }, ` · ${p.department}`) : null))) : h('p', { class: 'empty' }, t('common.none')));
}

// The gateway queues the roll call's CSV with the caller's token; when that failed (reporting
// briefly away, or the token expired during a long recognition), the page asks for it itself,
// renewing the token as any call does. The roll call is recorded either way.
async function queuedReportId(roll) {
  if (roll.report_id) return roll.report_id;
  const report = await api.post('/reports', { kind: 'roll_call', params: { roll_call_id: roll.id } });
  return report.id;
}

function csvBlock(roll) {
  const box = h('div', { class: 'roll-csv' });
  const status = h('div', { 'aria-live': 'polite' }, progressBar(0, t('reports.progress')));
  const message = messageBox();
  let reportId = null;
  const get = button(t('roll.csv'), {
    class: 'btn btn-primary', id: 'roll-csv', disabled: true,
    onclick: async () => {
      try {
        const name = await download(`/reports/${reportId}/download`, `roll-call-${reportId}.csv`);
        message.ok(t('reports.downloaded', { name }));
      } catch (err) {
        message.error(err);
      }
    },
  });
  box.append(h('h3', {}, t('roll.csv.title')), status, get, message);
  queuedReportId(roll).then((id) => {
    reportId = id;
    waitForReport(id, (report) => clear(status, progressBar(report.progress, t('reports.progress')), ' ', t(`reports.status.${report.status}`)))
      .then((report) => {
        if (report.status === 'done') get.disabled = false;
        else message.show(report.error || t('reports.status.failed'), 'error');
      })
      .catch((err) => message.error(err));
  }, (err) => {
    clear(status);
    message.show(`${t('roll.noreport')} ${errorText(err)}`, 'error');
  });
  return box;
}

export async function render(main) {
  const message = messageBox();
  const result = h('div', { class: 'roll-result', id: 'roll-result' });
  const departments = hasRole('hr') ? await loadDepartments() : [];
  const dept = select('department_id', departmentOptions(departments, t('roll.alldepts')));
  // A roll call covers one site or department, never the whole company (a kiosk: its site).
  const sites = hasRole('hr') ? await loadSites() : [];
  const site = select('site_id', [['', t('roll.allsites')], ...sites.map((s) => [s.id, s.name])]);
  const file = input('image', { type: 'file', accept: 'image/jpeg,image/png,image/webp,image/heic,image/heif,.heic' });
  const video = h('video', { class: 'camera-preview', autoplay: true, playsinline: true, muted: true, 'aria-label': t('camera.preview') });
  const cameraBox = h('div', { class: 'camera-box', hidden: true }, video);
  let busy = false;

  async function submit(blob, name) {
    if (busy) return;
    busy = true;
    message.show(t('roll.working'));
    clear(result);
    const form = new FormData();
    form.append('image', blob, name);
    if (dept.value) form.append('department_id', dept.value);
    if (site.value) form.append('site_id', site.value);
    try {
      const roll = await api.upload('/roll-calls', form);
      message.ok(t('roll.done', { present: roll.present.length, absent: roll.absent.length, unknown: roll.unknown_faces }));
      clear(result,
        section(t('roll.result', { at: formatDateTime(roll.at) }),
          photoWithBoxes(URL.createObjectURL(blob), roll.faces || []),
          h('div', { class: 'grid-2' }, personList(t('roll.present'), roll.present, 'present'), personList(t('roll.absent'), roll.absent, 'absent')),
          roll.unknown_faces ? h('p', {}, t('roll.unknowncount', { n: roll.unknown_faces })) : null,
          roll.other_departments && roll.other_departments.length ? h('p', { class: 'roll-elsewhere' }, t('roll.elsewhere', { names: roll.other_departments.map((p) => p.name).join(', ') })) : null,
          csvBlock(roll)));
    } catch (err) {
      message.error(err);
    } finally {
      busy = false;
    }
  }

  const uploadForm = h('form', { class: 'form-inline' }, sites.length ? field(t('roll.site'), site) : null,
    departments.length ? field(t('emp.department'), dept) : null,
    field(t('roll.file'), file), h('button', { type: 'submit', class: 'btn btn-primary' }, t('roll.upload')));
  uploadForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (file.files.length) submit(file.files[0], file.files[0].name);
    else message.show(t('roll.choose'), 'error');
  });
  const snap = button(t('roll.snap'), {
    class: 'btn btn-primary', id: 'roll-snap', disabled: true,
    onclick: async () => submit(await captureFrame(video, { maxWidth: 1600 }), 'roll-call.jpg'),
  });
  const toggle = button(t('camera.start'), {
    class: 'btn', id: 'roll-camera',
    onclick: async () => {
      if (video.srcObject) {
        stopCamera(video);
        cameraBox.hidden = true;
        snap.disabled = true;
        toggle.textContent = t('camera.start');
        return;
      }
      try {
        cameraBox.hidden = false;
        await startCamera(video, { facingMode: 'environment' });
        snap.disabled = false;
        toggle.textContent = t('camera.stop');
      } catch (err) {
        cameraBox.hidden = true;
        message.error(err);
      }
    },
  });
  main.append(pageHeader(t('nav.rollcall')),
    section(t('roll.take'), h('p', {}, t('roll.text')), uploadForm, h('div', { class: 'camera-controls' }, toggle, snap), cameraBox),
    message, result);
  return () => stopCamera(video);
}
