// Recognition test (HR, as CompreFace offers): a photo in, every face found boxed on it, the
// nearest employees within the threshold with their distance, and what a kiosk would decide.
// Read-only: nothing is clocked; the server keeps an audit entry of who tried which decision.

import { api } from '../api.js';
import { sites as loadSites } from '../data.js';
import { formatNumber, t } from '../i18n.js';
import { clear, field, h, input, messageBox, pageHeader, section, select, table } from '../ui.js';
import { photoWithBoxes } from './rollcall.js';

const distance = (value) => (value === null || value === undefined ? '' : formatNumber(value, 3));

function label(face, index) {
  const who = face.decision === 'match' ? face.name || `#${face.employee_id}` : t(`devices.test.face.${face.decision}`);
  return `${index + 1} · ${who}`;
}

function nearest(face) {
  if (!face.candidates.length) {
    // Unknown: the nearest sample is farther than the threshold, so nobody is named.
    return face.distance === null ? t('devices.test.nobody') : t('devices.test.none.within', { distance: distance(face.distance) });
  }
  return h('ul', { class: 'devices-test-candidates' }, face.candidates.map((c) => h('li', {}, `${c.name || `#${c.employee_id}`} · ${distance(c.distance)}`)));
}

function answer(result, url) {
  const threshold = result.threshold === null ? t('devices.test.threshold.none') : distance(result.threshold);
  const scope = result.site_name ? t('devices.test.scope.site', { site: result.site_name }) : t('devices.test.scope.everyone');
  const verdict = h('p', { class: `notice devices-test-verdict devices-test-${result.kiosk_decision}`, id: 'recognition-decision' },
    h('strong', {}, t(`devices.test.kiosk.${result.kiosk_decision}`)), ' ', t(`devices.test.kiosk.${result.kiosk_decision}.text`));
  return section(t('devices.test.result'),
    verdict,
    h('p', { id: 'recognition-figures' }, t('devices.test.figures', { threshold, faces: result.gallery_faces, scope })),
    photoWithBoxes(url, result.faces, label),
    h('h3', {}, t('devices.test.faces', { n: result.faces.length })),
    table([
      { label: '#', render: (f) => String(result.faces.indexOf(f) + 1) },
      { label: t('devices.test.decision'), render: (f) => t(`devices.test.face.${f.decision}`) },
      { label: t('devices.test.nearest'), render: nearest },
      { label: t('devices.test.distance'), render: (f) => distance(f.distance) },
      { label: t('devices.test.box'), render: (f) => `${f.box.right - f.box.left}×${f.box.bottom - f.box.top} px` },
    ], result.faces, { empty: t('devices.test.noface') }));
}

export async function render(main) {
  const message = messageBox();
  const result = h('div', { id: 'recognition-result', 'aria-live': 'polite' });
  const sites = await loadSites();
  const site = select('site_id', [['', t('devices.test.everyone')], ...sites.map((s) => [s.id, s.name])]);
  const file = input('image', { type: 'file', required: true, accept: 'image/jpeg,image/png,image/webp,image/heic,image/heif,.heic' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('devices.test.run'));
  const form = h('form', { class: 'form-inline' },
    field(t('devices.test.photo'), file), field(t('devices.test.site'), site, { hint: t('devices.test.site.hint') }), submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file.files.length) return;
    const photo = file.files[0];
    const body = new FormData();
    body.append('image', photo, photo.name);
    if (site.value) body.append('site_id', site.value);
    submit.disabled = true;
    message.clear();
    clear(result);
    try {
      clear(result, answer(await api.upload('/recognition/tests', body), URL.createObjectURL(photo)));
    } catch (err) {
      message.error(err);
    } finally {
      submit.disabled = false;
    }
  });
  main.append(pageHeader(t('devices.test.title')), section(t('devices.test.try'), h('p', {}, t('devices.test.text')), form), message, result);
}
