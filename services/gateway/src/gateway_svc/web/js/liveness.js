// Active liveness for face clock-ins, shared by the kiosk and the phone page.
//
// The server draws a challenge (a head turn to one side and a blink, in a random order) with a
// single-use id and a short expiry. Each step is prompted with an arrow while frames are taken
// every `frame_interval_ms`; the burst then goes to /clock-ins with the challenge id, and the
// server checks that the movement happened, in order, by one person. When the site does not
// check liveness (`required: false`) the caller sends one photo as before.
//
// The previews are mirrored, so the person's own left is on the screen's left: the arrow for
// "turn to your left" points left.

import { api } from './api.js';
import { contrastOf, encodeFrame, frameSignature, grabFrame } from './camera.js';
import { t } from './i18n.js';
import { clear, h } from './ui.js';

const ARROWS = { turn_left: '←', turn_right: '→', blink: '◉' };
// Below this spread of brightness the camera sees a blank scene: nobody is in view any more.
const MIN_CONTRAST = 24;
// Room for the upload and the check after the last frame, on top of the steps themselves.
const SEND_MARGIN_MS = 20000;

export class LivenessStopped extends Error {
  constructor(reason) {
    super(t(`liveness.${reason}.text`));
    this.code = `liveness_${reason}`;
  }
}

export function requestChallenge() {
  return api.post('/liveness/challenges', {});
}

// The prompt: a big arrow, what to do, which step, and the progress through the burst.
export function livenessPrompt() {
  const arrow = h('span', { class: 'liveness-arrow', 'aria-hidden': 'true' });
  const text = h('p', { class: 'liveness-text', id: 'liveness-step' });
  const count = h('p', { class: 'liveness-count' });
  const bar = h('progress', { max: '100', value: '0', 'aria-label': t('liveness.progress') });
  const root = h('div', { class: 'liveness', id: 'liveness-prompt', role: 'status', 'aria-live': 'assertive', hidden: true },
    arrow, text, count, bar);
  return {
    root,
    step(step, index, total) {
      root.hidden = false;
      root.dataset.step = step;
      arrow.textContent = ARROWS[step] || '';
      text.textContent = t(`liveness.step.${step}`);
      count.textContent = t('liveness.count', { n: index + 1, total });
    },
    progress(fraction) {
      bar.value = String(Math.round(Math.max(0, Math.min(1, fraction)) * 100));
    },
    checking() {
      root.dataset.step = 'checking';
      clear(arrow);
      text.textContent = t('liveness.checking');
      count.textContent = '';
      bar.value = '100';
    },
    hide() {
      root.hidden = true;
    },
  };
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Prompts each step while capturing; stops (LivenessStopped) when the scene goes blank, when
// `shouldStop()` says so, or when the challenge would expire before the burst is sent.
export async function captureBurst(video, challenge, prompt, { shouldStop = () => false } = {}) {
  const frames = [];
  const total = challenge.steps.length;
  const deadline = Date.now() + total * challenge.step_ms + SEND_MARGIN_MS;
  for (const [index, step] of challenge.steps.entries()) {
    prompt.step(step, index, total);
    const started = Date.now();
    while (Date.now() - started < challenge.step_ms) {
      if (shouldStop()) throw new LivenessStopped('cancelled');
      if (Date.now() > deadline) throw new LivenessStopped('timeout');
      if (contrastOf(frameSignature(video)) < MIN_CONTRAST) throw new LivenessStopped('noface');
      frames.push(grabFrame(video, { maxWidth: 480 }));
      prompt.progress((index + (Date.now() - started) / challenge.step_ms) / total);
      await pause(challenge.frame_interval_ms);
    }
  }
  prompt.checking();
  // Encoded after the burst: encoding between frames made a slow device send too few of them.
  return Promise.all(frames.map((frame) => encodeFrame(frame, 0.8)));
}

// `extend(form)` adds the caller's own fields (a kiosk's claimed identity).
export function sendBurst(challenge, frames, { deviceId, key, extend } = {}) {
  const form = new FormData();
  form.append('challenge', challenge.challenge_id);
  frames.forEach((blob, i) => form.append('frames', blob, `frame-${String(i).padStart(2, '0')}.jpg`));
  if (deviceId) form.append('device_id', deviceId);
  if (extend) extend(form);
  return api.upload('/clock-ins', form, { 'Idempotency-Key': key });
}

// The error codes a liveness clock-in can end with, as a headline and a text to show.
export function livenessRefusal(code) {
  if (code === 'liveness_failed' || code === 'challenge_used') return ['liveness.failed', 'liveness.failed.text'];
  if (code === 'challenge_expired' || code === 'liveness_timeout') return ['liveness.timeout', 'liveness.timeout.text'];
  if (code === 'liveness_noface') return ['liveness.noface', 'liveness.noface.text'];
  return null;
}
