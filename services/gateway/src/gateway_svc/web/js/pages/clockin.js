// An employee clocks in on their own phone: one photo of their own face (the gateway refuses
// anyone else's face for an employee account).

import { api } from '../api.js';
import { me } from '../app.js';
import { captureFrame, startCamera, stopCamera } from '../camera.js';
import { formatTime, statusLabel, t } from '../i18n.js';
import { claimCodeSection } from '../claim-code.js';
import { captureBurst, livenessPrompt, livenessRefusal, requestChallenge, sendBurst } from '../liveness.js';
import { button, clear, errorText, h, pageHeader, section } from '../ui.js';

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const REFUSALS = {
  no_face: 'clockin.noface',
  unknown_face: 'kiosk.unknown.text',
  multiple_faces: 'kiosk.several.text',
  face_mismatch: 'clockin.mismatch',
};

export function render(main) {
  main.append(pageHeader(t('nav.clockin')));
  if (!me().employee_id) {
    main.append(h('p', { class: 'notice notice-info' }, t('req.nolink')));
    return undefined;
  }
  const video = h('video', { class: 'camera-preview', autoplay: true, playsinline: true, muted: true, 'aria-label': t('camera.preview') });
  const result = h('div', { class: 'clockin-result', role: 'status', 'aria-live': 'assertive', id: 'clockin-result' });
  const prompt = livenessPrompt();
  let left = false;
  // A burst answering a liveness challenge where the employee's site checks it, else one photo.
  async function clockIn() {
    const challenge = await requestChallenge();
    if (challenge.required) {
      try {
        clear(result);
        const frames = await captureBurst(video, challenge, prompt, { shouldStop: () => left });
        return await sendBurst(challenge, frames, { key: newKey() });
      } finally {
        prompt.hide();
      }
    }
    const form = new FormData();
    form.append('image', await captureFrame(video, { maxWidth: 960 }), 'clock-in.jpg');
    return api.upload('/clock-ins', form, { 'Idempotency-Key': newKey() });
  }
  const shoot = button(t('clockin.now'), {
    class: 'btn btn-primary btn-large', id: 'clockin-now', disabled: true,
    onclick: async () => {
      shoot.disabled = true;
      clear(result, h('p', { class: 'loading' }, t('clockin.working')));
      try {
        const punch = await clockIn();
        clear(result, h('div', { class: 'notice notice-ok' },
          h('p', { class: 'clockin-name' }, punch.name),
          h('p', {}, `${t(`kiosk.kind.${punch.kind}`)} · ${formatTime(punch.at)} · ${statusLabel(punch.status)}${punch.duplicate ? ` · ${t('kiosk.duplicate')}` : ''}`)));
      } catch (err) {
        const key = REFUSALS[err.code];
        const liveness = livenessRefusal(err.code);
        clear(result, h('p', { class: 'notice notice-error', role: 'alert' },
          liveness ? t(liveness[1]) : (key ? t(key) : errorText(err))));
      } finally {
        shoot.disabled = false;
      }
    },
  });
  const message = h('div', {});
  const code = claimCodeSection();
  main.append(section(t('clockin.title'), h('p', {}, t('clockin.text')), message, h('div', { class: 'camera-box' }, video),
    h('div', { class: 'camera-controls' }, shoot), prompt.root, result),
  section(t('claimcode.title'), code.element));
  startCamera(video)
    .then(() => { if (left) stopCamera(video); else shoot.disabled = false; })
    .catch((err) => clear(message, h('p', { class: 'notice notice-error', role: 'alert' }, err.message)));
  return () => { left = true; stopCamera(video); code.stop(); };
}
