// One employee: details, an invitation to make their account, face samples, enrolment by file
// or camera, erasure.

import { api } from '../api.js';
import { hasRole, navigate } from '../app.js';
import { captureFrame, startCamera, stopCamera } from '../camera.js';
import { departments as loadDepartments, sites as loadSites } from '../data.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import {
  button, clear, confirmDialog, errorText, field, formValues, h, input, link, messageBox, pageHeader, section, select, table, toast,
} from '../ui.js';
import { employeeBody, employeeFields } from './employees.js';

// The verdict on one enrolment attempt, shown as a card next to the others.
function verdictCard(name, previewUrl, outcome) {
  const ok = !outcome.error;
  const lines = [];
  if (ok) {
    const q = outcome.answer.quality || {};
    lines.push(h('p', { class: 'verdict verdict-ok' }, t('face.accepted')));
    if (q.face_width_px) lines.push(h('p', {}, t('face.width', { px: q.face_width_px })));
    if (q.sharpness !== undefined) lines.push(h('p', {}, t('face.sharpness', { value: formatNumber(q.sharpness) })));
    if (q.nearest_own_distance !== null && q.nearest_own_distance !== undefined) {
      lines.push(h('p', {}, t('face.owndistance', { value: formatNumber(q.nearest_own_distance, 2) })));
    }
    for (const other of outcome.answer.resembles || []) {
      lines.push(h('p', { class: 'verdict verdict-warn' }, t('face.resembles', { id: other.employee_id, value: formatNumber(other.distance, 2) })));
    }
  } else {
    lines.push(h('p', { class: 'verdict verdict-bad' }, t('face.refused')), h('p', {}, errorText(outcome.error)));
  }
  return h('li', { class: `sample ${ok ? 'sample-ok' : 'sample-bad'}` },
    previewUrl ? h('img', { src: previewUrl, alt: t('face.preview', { name }), class: 'sample-img' }) : null,
    h('div', { class: 'sample-body' }, h('p', { class: 'sample-name' }, name), lines));
}

function enrolSection(employeeId, onEnrolled) {
  const results = h('ul', { class: 'samples', 'aria-live': 'polite', 'aria-label': t('face.results') });
  const message = messageBox();

  async function enrol(blob, name) {
    const form = new FormData();
    form.append('image', blob, name);
    const previewUrl = URL.createObjectURL(blob);
    let outcome;
    try {
      outcome = { answer: await api.upload(`/employees/${employeeId}/faces`, form) };
    } catch (err) {
      outcome = { error: err };
    }
    results.prepend(verdictCard(name, previewUrl, outcome));
    return outcome;
  }

  // Upload: several files at once, one verdict each.
  const files = input('images', { type: 'file', accept: 'image/jpeg,image/png,image/webp,image/heic,image/heif,.heic', multiple: true });
  const uploadForm = h('form', { class: 'form-inline' },
    field(t('face.files'), files, { hint: t('face.files.hint') }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('face.upload')));
  uploadForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = [...files.files];
    if (!chosen.length) return;
    message.show(t('face.uploading', { n: chosen.length }));
    let accepted = 0;
    for (const file of chosen) if (!(await enrol(file, file.name)).error) accepted += 1;
    message.show(t('face.summary', { ok: accepted, total: chosen.length }), accepted === chosen.length ? 'ok' : 'error');
    uploadForm.reset();
    onEnrolled();
  });

  // Camera: live preview, one sample per click.
  const video = h('video', { class: 'camera-preview', autoplay: true, playsinline: true, muted: true, 'aria-label': t('camera.preview') });
  const cameraBox = h('div', { class: 'camera-box', hidden: true }, video);
  let counter = 0;
  const take = button(t('face.take'), {
    class: 'btn btn-primary', id: 'take-sample', disabled: true,
    onclick: async () => {
      take.disabled = true;
      try {
        counter += 1;
        const outcome = await enrol(await captureFrame(video, { maxWidth: 1280 }), t('face.camerasample', { n: counter }));
        if (outcome.error) message.error(outcome.error);
        else message.ok(t('face.enrolled'));
        onEnrolled();
      } catch (err) {
        message.error(err);
      } finally {
        take.disabled = false;
      }
    },
  });
  const toggle = button(t('camera.start'), {
    class: 'btn', id: 'camera-toggle',
    onclick: async () => {
      if (video.srcObject) {
        stopCamera(video);
        cameraBox.hidden = true;
        take.disabled = true;
        toggle.textContent = t('camera.start');
        return;
      }
      try {
        cameraBox.hidden = false;
        await startCamera(video);
        take.disabled = false;
        toggle.textContent = t('camera.stop');
      } catch (err) {
        cameraBox.hidden = true;
        message.error(err);
      }
    },
  });
  const card = section(t('face.enrol'), h('p', {}, t('face.enrol.text')), message, uploadForm,
    h('div', { class: 'camera-controls' }, toggle, take), cameraBox,
    h('h3', {}, t('face.results')), results);
  card.cleanup = () => stopCamera(video);
  return card;
}

// The kiosk PIN (badge + PIN fallback): HR sets or clears it; nobody ever reads it back.
function pinSection(employee) {
  const message = messageBox();
  const status = h('p', { id: 'pin-status' });
  const pin = input('pin', {
    type: 'password', required: true, autocomplete: 'new-password', inputmode: 'numeric', pattern: '[0-9]{4,8}', minlength: 4, maxlength: 8,
  });
  const clearButton = button(t('pin.clear'), { class: 'btn btn-danger' });
  let hasPin = Boolean(employee.has_pin);
  const showStatus = () => {
    status.textContent = hasPin ? t('pin.set.yes') : t('pin.set.no');
    clearButton.hidden = !hasPin;
  };
  const form = h('form', { class: 'form-inline' },
    field(t('pin.new'), pin, { hint: t('pin.hint') }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('pin.save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.put(`/employees/${employee.id}/pin`, { pin: pin.value });
      hasPin = true;
      form.reset();
      showStatus();
      message.ok(t('pin.saved'));
    } catch (err) {
      message.error(err);
    }
  });
  clearButton.addEventListener('click', async () => {
    if (!(await confirmDialog(t('pin.clear.title', { name: employee.name }), t('pin.clear.text'), t('pin.clear')))) return;
    try {
      await api.del(`/employees/${employee.id}/pin`);
      hasPin = false;
      showStatus();
      message.ok(t('pin.cleared'));
    } catch (err) {
      message.error(err);
    }
  });
  showStatus();
  return section(t('pin.title'), h('p', {}, t('pin.text')), message, status, form, h('div', { class: 'actions' }, clearButton));
}

// HR invites the employee to make their own account: an e-mailed link that works once, the
// account linked to this record. Shown while no account is linked yet.
function inviteSection(employee) {
  const message = messageBox();
  const box = h('div', {});
  const email = input('email', { type: 'email', required: true, value: employee.email || '' });
  const language = select('language', [['en', 'English'], ['zh-CN', '简体中文']], { value: document.documentElement.lang === 'zh-CN' ? 'zh-CN' : 'en' });
  const form = h('form', { class: 'form-inline' }, field(t('invite.email'), email), field(t('invite.language'), language),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('invite.send')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.clear();
    try {
      const sent = await api.post('/users/invitations', { employee_id: employee.id, email: email.value.trim(), name: employee.name, language: language.value });
      message.ok(t('invite.sent', { email: sent.email, until: formatDateTime(sent.expires_at) }));
    } catch (err) {
      message.error(err);
    }
  });
  (async () => {
    try {
      const linked = (await api.get('/users', { employee_id: employee.id, limit: 1 })).total > 0;
      clear(box, linked ? h('p', { class: 'muted' }, t('invite.linked')) : h('div', {}, h('p', { class: 'hint' }, t('invite.hint')), form));
    } catch (err) {
      message.error(err);
    }
  })();
  return section(t('invite.title'), message, box);
}

export async function render(main, { params }) {
  const id = Number(params.id);
  const message = messageBox();
  let employee;
  try {
    employee = await api.get(`/employees/${id}`);
  } catch (err) {
    main.append(pageHeader(t('emp.employee')), message);
    message.error(err);
    return undefined;
  }
  const [departments, sites] = await Promise.all([loadDepartments(), loadSites()]);
  const canEdit = hasRole('hr');
  main.append(pageHeader(employee.name, link('/employees', t('emp.back'), { class: 'btn btn-ghost' })), message);

  // Details, editable by HR.
  const details = h('form', { class: 'form-grid' });
  employeeFields(details, departments, sites, employee);
  if (canEdit) {
    details.append(h('div', { class: 'actions field-wide' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))));
    details.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        employee = await api.patch(`/employees/${id}`, employeeBody(formValues(details)));
        toast(t('common.saved'));
      } catch (err) {
        message.error(err);
      }
    });
  } else {
    for (const el of details.elements) el.disabled = true;
  }
  main.append(section(t('emp.details'), details));
  if (canEdit) main.append(inviteSection(employee));

  // Enrolled samples.
  const sampleList = h('div', { 'aria-live': 'polite' });
  async function loadSamples() {
    try {
      const answer = await api.get(`/employees/${id}/faces`);
      const list = answer.items || [];
      clear(sampleList,
        h('p', { class: 'count', id: 'sample-count' }, t('face.count', { n: list.length })),
        table([
          // Samples by number and date: the UUID means nothing to a person.
          { label: t('face.id'), render: (f) => t('face.number', { n: list.indexOf(f) + 1 }) },
          { label: t('face.added'), render: (f) => formatDateTime(f.created_at) },
          canEdit ? { label: t('common.actions'), render: (f) => button(t('common.delete'), { class: 'btn btn-small btn-danger', onclick: () => deleteSample(f.face_id) }) } : null,
        ].filter(Boolean), list, { empty: t('face.none') }));
    } catch (err) {
      clear(sampleList, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(err)));
    }
  }
  async function deleteSample(faceId) {
    if (!(await confirmDialog(t('face.delete.title'), t('face.delete.text'), t('common.delete')))) return;
    try {
      await api.del(`/employees/${id}/faces/${encodeURIComponent(faceId)}`);
      toast(t('face.deleted'));
      loadSamples();
    } catch (err) {
      message.error(err);
    }
  }
  async function deleteAll() {
    if (!(await confirmDialog(t('face.deleteall.title'), t('face.deleteall.text', { name: employee.name }), t('face.deleteall')))) return;
    try {
      await api.del(`/employees/${id}/faces`);
      toast(t('face.deleted'));
      loadSamples();
    } catch (err) {
      message.error(err);
    }
  }
  main.append(section(t('face.samples'), sampleList,
    canEdit ? h('div', { class: 'actions' }, button(t('face.deleteall'), { class: 'btn btn-danger', onclick: deleteAll })) : null));
  await loadSamples();

  let enrolCard = null;
  if (canEdit) {
    enrolCard = enrolSection(id, loadSamples);
    main.append(enrolCard);
    main.append(pinSection(employee));
    main.append(section(t('emp.delete'),
      h('p', {}, t('emp.delete.text')),
      button(t('emp.delete'), {
        class: 'btn btn-danger',
        onclick: async () => {
          if (!(await confirmDialog(t('emp.delete.title', { name: employee.name }), t('emp.delete.confirm'), t('emp.delete')))) return;
          try {
            await api.del(`/employees/${id}`);
            toast(t('emp.deleted', { name: employee.name }));
            navigate('/employees');
          } catch (err) {
            message.error(err);
          }
        },
      })));
  }
  return () => enrolCard && enrolCard.cleanup();
}
