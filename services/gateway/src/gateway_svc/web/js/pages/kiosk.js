// The kiosk: a full-screen camera that clocks people in by face.
//
// Browsers have no portable face detector, so presence is approximated (presence.js): a frame
// is sent when the picture is steady, not blank, and shows something the server has not already
// answered for; the server then says whether there was no face, one, or several. Nobody in
// view means no uploads; someone lingering after their punch is not sent again, and the server
// answers a repeat within its cooldown with the earlier punch ("already clocked in at 08:02").
//
// Where the operator allows it, "Use badge and PIN" opens a form for people the camera cannot
// take (SECURITY.md: everyone can clock in without a face); the camera pauses while it is open.

import * as client from '../api.js';
import { hasRole, signedIn } from '../app.js';
import { captureFrame, frameSignature, startCamera, stopCamera } from '../camera.js';
import { LANGUAGES, formatTime, language, setLanguage, statusLabel, t } from '../i18n.js';
import { createIdentityClaim } from '../kiosk-identity.js';
import { captureBurst, livenessPrompt, livenessRefusal, requestChallenge, sendBurst } from '../liveness.js';
import { button, errorText, field, h, input, link, messageBox } from '../ui.js';
import { PresenceGate } from '../presence.js';

const SAMPLE_MS = 300;
const MIN_GAP_MS = 1500;
const HEARTBEAT_MS = 60_000;
const BACKOFF = { ok: 5000, duplicate: 4000, unknown_face: 3000, multiple_faces: 2500, no_face: 1500, liveness: 4000, error: 5000 };

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Short tones: rising for a punch, low for a refusal.
class Beeper {
  constructor() {
    const Context = window.AudioContext || window.webkitAudioContext;
    this.context = Context ? new Context() : null;
  }

  get blocked() {
    return !this.context || this.context.state !== 'running';
  }

  resume() {
    return this.context ? this.context.resume() : Promise.resolve();
  }

  play(kind) {
    if (this.blocked) return;
    const notes = { ok: [880, 1320], same: [660], bad: [330, 220] }[kind];
    const start = this.context.currentTime;
    notes.forEach((frequency, i) => {
      const osc = this.context.createOscillator();
      const gain = this.context.createGain();
      osc.type = 'sine';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + i * 0.16);
      gain.gain.exponentialRampToValueAtTime(0.3, start + i * 0.16 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.16 + 0.15);
      osc.connect(gain).connect(this.context.destination);
      osc.start(start + i * 0.16);
      osc.stop(start + i * 0.16 + 0.16);
    });
  }

  close() {
    if (this.context) this.context.close().catch(() => {});
  }
}

function setupView(main) {
  const message = messageBox();
  const secret = input('device_secret', { type: 'password', required: true, autocomplete: 'off' });
  const form = h('form', { class: 'form-stack' },
    h('p', {}, t('kiosk.setup.text')),
    field(t('kiosk.setup.secret'), secret),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('kiosk.setup.submit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await client.deviceLogin(secret.value.trim());
      history.replaceState({}, '', '/kiosk?next=/kiosk');
      await signedIn();
    } catch (err) {
      message.error(err);
    }
  });
  // Or the short code an admin reads off the Administration page.
  const code = input('pairing_code', { required: true, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', placeholder: 'ABCD-EFGH' });
  const pairing = h('form', { class: 'form-stack' },
    field(t('kiosk.setup.code'), code, { hint: t('kiosk.setup.code.hint') }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('kiosk.setup.pair')));
  pairing.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await client.pairDevice(code.value.trim());
      history.replaceState({}, '', '/kiosk?next=/kiosk');
      await signedIn();
    } catch (err) {
      message.error(err);
    }
  });
  document.title = `${t('kiosk.setup')} · FaceClock`;
  main.append(h('div', { class: 'auth-card card' }, h('h1', {}, t('kiosk.setup')), message, pairing, h('p', { class: 'muted' }, t('kiosk.setup.or')), form,
    h('p', { class: 'auth-links' }, link('/login?next=/kiosk', t('kiosk.setup.signin')))));
}

// The device's heartbeat: marks it online on the device list and answers the settings an
// admin gave it (null when this is no kiosk device, e.g. HR at the kiosk page, or no answer).
async function heartbeat(deviceId) {
  if (!deviceId) return null;
  try {
    return await client.api.post('/auth/device/heartbeat');
  } catch {
    return null;
  }
}

// Digits for the PIN by touch: a tablet's own keyboard would cover half the screen.
function keypad(target, submit) {
  const press = (key) => {
    if (key === 'back') target.value = target.value.slice(0, -1);
    else if (key === 'clear') target.value = '';
    else if (target.value.length < Number(target.maxLength > 0 ? target.maxLength : 64)) target.value += key;
    target.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'];
  const labels = { back: ['⌫', t('devices.keypad.back')], clear: [t('devices.keypad.clear'), t('devices.keypad.clear')] };
  return h('div', { class: 'keypad', role: 'group', 'aria-label': t('devices.keypad') },
    keys.map((key) => button(labels[key] ? labels[key][0] : key, {
      class: `btn keypad-key keypad-${key}`, 'aria-label': labels[key] ? labels[key][1] : key, onclick: () => press(key),
    })),
    submit);
}

export async function render(main) {
  if (!client.hasSession() || !hasRole('kiosk', 'hr')) {
    setupView(main);
    return undefined;
  }
  document.body.classList.add('kiosk-mode');
  const claims = client.decodeToken() || {};
  const deviceId = claims.device_id || (String(claims.sub || '').startsWith('kiosk:') ? String(claims.sub).slice(6) : null);
  // Applied before anything is drawn, so the whole kiosk speaks the language it was given.
  const device = { pin_allowed: true, sound: true, ...(await heartbeat(deviceId)) };
  if (device.language && device.language !== language()) await setLanguage(device.language, false);
  document.title = `${t('nav.kiosk')} · FaceClock`;
  const beeper = new Beeper();
  // Verify kiosks take a claimed identity first (kiosk-identity.js).
  const identity = createIdentityClaim({
    onClaim: () => { presence.rearm(); state.nextAt = 0; showIdle(); },
    camera: () => video,
  });

  const video = h('video', { class: 'kiosk-video', autoplay: true, playsinline: true, muted: true, 'aria-label': t('camera.preview') });
  const headline = h('p', { class: 'kiosk-headline', id: 'kiosk-headline' }, t('kiosk.starting'));
  const detail = h('p', { class: 'kiosk-detail', id: 'kiosk-detail' });
  const panel = h('div', { class: 'kiosk-panel kiosk-idle', id: 'kiosk-panel', role: 'status', 'aria-live': 'assertive', 'aria-atomic': 'true' }, headline, detail);
  const clock = h('p', { class: 'kiosk-clock', 'aria-hidden': 'true' });
  const recent = h('ol', { class: 'kiosk-history', 'aria-label': t('kiosk.recent') });
  const sound = button(t('kiosk.sound'), { class: 'btn btn-ghost', hidden: !device.sound || !beeper.blocked, onclick: async () => { await beeper.resume(); sound.hidden = !beeper.blocked; } });
  const manualToggle = button(t('kiosk.manual.open'), {
    class: 'btn btn-ghost', id: 'kiosk-manual-toggle', hidden: !hasRole('kiosk') || !device.pin_allowed,
    'aria-expanded': 'false', 'aria-controls': 'kiosk-manual',
    onclick: () => (manualForm.hidden ? openManual() : closeManual()),
  });
  const badgeInput = input('employee_no', { required: true, autocomplete: 'off', maxlength: 64, autocapitalize: 'characters', spellcheck: 'false' });
  // inputmode none: the on-screen keypad types the PIN, not the tablet's keyboard.
  const pinInput = input('pin', {
    type: 'password', required: true, autocomplete: 'off', inputmode: 'none', pattern: '[0-9]{4,8}', minlength: 4, maxlength: 8,
  });
  const manualSubmit = h('button', { type: 'submit', class: 'btn btn-primary keypad-enter' }, t('kiosk.manual.submit'));
  const manualForm = h('form', { class: 'kiosk-manual', id: 'kiosk-manual', hidden: true, 'aria-label': t('kiosk.manual.title') },
    h('h2', {}, t('kiosk.manual.title')),
    h('div', { class: 'kiosk-manual-body' },
      h('div', {},
        field(t('kiosk.manual.badge'), badgeInput),
        field(t('kiosk.manual.pin'), pinInput, { hint: t('kiosk.manual.pin.hint') }),
        h('div', { class: 'actions' }, button(t('common.cancel'), { class: 'btn btn-ghost', onclick: () => closeManual() }))),
      keypad(pinInput, manualSubmit)));
  const langSelect = h('select', { 'aria-label': t('nav.language'), class: 'kiosk-lang' }, LANGUAGES.map((l) => h('option', { value: l.code, selected: l.code === language() }, l.label)));
  langSelect.addEventListener('change', async () => { await setLanguage(langSelect.value); showIdle(); });
  const root = h('div', { class: 'kiosk', id: 'kiosk' },
    h('div', { class: 'kiosk-top' }, h('h1', { class: 'kiosk-title' }, t('nav.kiosk')), clock, h('div', { class: 'kiosk-tools' }, manualToggle, sound, langSelect,
      button(t('kiosk.fullscreen'), { class: 'btn btn-ghost', onclick: () => (document.fullscreenElement ? document.exitFullscreen() : root.requestFullscreen().catch(() => {})) }),
      h('a', { href: '/roll-call', 'data-link': '', class: 'btn btn-ghost' }, t('nav.rollcall')))),
    h('div', { class: 'kiosk-stage' }, video, panel),
    identity.element,
    manualForm,
    recent);
  main.append(root);
  // Where the site checks liveness: the step prompts, and a retry after a failed check.
  const prompt = livenessPrompt();
  const retry = button(t('liveness.retry'), {
    class: 'btn btn-primary', id: 'liveness-retry', hidden: true,
    onclick: () => { retry.hidden = true; presence.rearm(); state.nextAt = 0; showIdle(); },
  });
  panel.append(prompt.root, retry);

  const state = { busy: false, manual: false, nextAt: 0, stopped: false, timer: null, resetTimer: null,
    shown: false };
  const presence = new PresenceGate();

  function show(kind, title, text) {
    state.shown = true;
    panel.className = `kiosk-panel kiosk-${kind}`;
    headline.textContent = title;
    detail.textContent = text || '';
  }

  function showIdle() {
    if (identity.ready()) show('idle', t('kiosk.look'), t('kiosk.look.text'));
    else show('idle', t('kiosk.claim.first'), t('kiosk.claim.first.text'));
  }

  function holdResult(ms) {
    clearTimeout(state.resetTimer);
    state.resetTimer = setTimeout(showIdle, ms);
  }

  function openManual() {
    state.manual = true;
    manualForm.hidden = false;
    manualToggle.setAttribute('aria-expanded', 'true');
    badgeInput.focus();
  }

  function closeManual() {
    state.manual = false;
    manualForm.reset();
    manualForm.hidden = true;
    manualToggle.setAttribute('aria-expanded', 'false');
    // The camera looks again only after a pause, so the person walking off is not taken.
    state.nextAt = Date.now() + MIN_GAP_MS;
  }

  function play(kind) {
    if (device.sound) beeper.play(kind);
  }

  function showPunch(punch) {
    if (punch.duplicate) {
      // No new punch: the person's punch of moments ago stands ("already clocked in at 08:02").
      show('ok', punch.name, t(`kiosk.already.${punch.kind}`, { time: formatTime(punch.at) }));
      play('same');
      return;
    }
    show('ok', punch.name, `${t(`kiosk.kind.${punch.kind}`)} · ${formatTime(punch.at)} · ${statusLabel(punch.status)}`);
    play('ok');
    recordPunch(punch);
  }

  manualForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    manualSubmit.disabled = true;
    const body = { employee_no: badgeInput.value.trim(), pin: pinInput.value };
    if (deviceId) body.device_id = deviceId;
    pinInput.value = '';
    try {
      const punch = await client.api.post('/clock-ins/manual', body, { headers: { 'Idempotency-Key': newKey() } });
      closeManual();
      showPunch(punch);
      holdResult(BACKOFF.ok);
      state.nextAt = Date.now() + BACKOFF.ok;
    } catch (err) {
      const code = err.code || 'error';
      play('bad');
      if (code === 'invalid_credentials') {
        show('bad', t('kiosk.manual.invalid'), t('kiosk.manual.invalid.text'));
        pinInput.focus();
      } else if (code === 'too_many_attempts') {
        show('bad', t('kiosk.manual.locked'), t('kiosk.manual.locked.text'));
        closeManual();
      } else if (code === 'manual_clock_in_disabled') {
        // The operator turned the fallback off: say so once, then offer it no more.
        show('bad', t('kiosk.manual.disabled'), t('kiosk.manual.disabled.text'));
        closeManual();
        manualToggle.hidden = true;
      } else {
        show('bad', t('kiosk.error'), errorText(err));
      }
      holdResult(BACKOFF.error);
    } finally {
      manualSubmit.disabled = false;
    }
  });

  function recordPunch(punch) {
    recent.prepend(h('li', {}, `${formatTime(punch.at)} · ${punch.name} · ${t(`kiosk.kind.${punch.kind}`)} · ${statusLabel(punch.status)}`));
    while (recent.children.length > 5) recent.lastChild.remove();
  }

  // A burst answering a liveness challenge where the site checks it, else one frame.
  async function clockIn() {
    const challenge = await requestChallenge();
    if (challenge.required) {
      try {
        show('idle', t('liveness.title'), '');
        const frames = await captureBurst(video, challenge, prompt, { shouldStop: () => state.stopped || state.manual });
        return await sendBurst(challenge, frames, { deviceId, key: newKey(), extend: (form) => identity.addTo(form) });
      } finally {
        prompt.hide();
      }
    }
    const blob = await captureFrame(video, { maxWidth: 800, quality: 0.85 });
    const form = new FormData();
    form.append('image', blob, 'kiosk.jpg');
    if (deviceId) form.append('device_id', deviceId);
    identity.addTo(form);
    return client.api.upload('/clock-ins', form, { 'Idempotency-Key': newKey() });
  }

  async function send(signature) {
    state.busy = true;
    retry.hidden = true;
    let wait = BACKOFF.error;
    let scene = { nobody: false }; // what the answer tells about this frame; null: nothing
    let keepClaim = false;  // a person who chose their name keeps it until a face is seen
    try {
      const punch = await clockIn();
      showPunch(punch);
      wait = punch.duplicate ? BACKOFF.duplicate : BACKOFF.ok;
      holdResult(wait);
    } catch (err) {
      const code = err.code || 'error';
      if (code === 'no_face') {
        wait = BACKOFF.no_face;
        scene = { nobody: true };
        keepClaim = true;
        showIdle();
      } else if (code === 'unknown_face' || code === 'ambiguous_face') {
        show('bad', t('kiosk.unknown'), t('kiosk.unknown.text'));
        play('bad');
        wait = BACKOFF.unknown_face;
        holdResult(wait);
      } else if (code === 'claim_required') {
        identity.requireClaim();
        show('warn', t('kiosk.claim.first'), t('kiosk.claim.first.text'));
        wait = BACKOFF.no_face;
        scene = null; // not a verdict on the face: once a name is claimed, the same view goes again
      } else if (code === 'face_mismatch') {
        show('bad', t('kiosk.mismatch'), t('kiosk.mismatch.text'));
        play('bad');
        wait = BACKOFF.unknown_face;
        holdResult(wait);
      } else if (livenessRefusal(code)) {
        const [title, text] = livenessRefusal(code);
        show('bad', t(title), t(text));
        play('bad');
        retry.hidden = false;
        keepClaim = true;
        wait = BACKOFF.liveness;
        holdResult(wait);
      } else if (code === 'liveness_cancelled') {
        keepClaim = true;
        scene = null;
        showIdle();
      } else if (code === 'multiple_faces') {
        show('warn', t('kiosk.several'), t('kiosk.several.text'));
        play('bad');
        wait = BACKOFF.multiple_faces;
        holdResult(wait);
      } else {
        // Anything else (server down, expired session, rate limit): say so, then keep trying.
        show('bad', t('kiosk.error'), errorText(err));
        holdResult(BACKOFF.error);
        scene = null;
      }
    } finally {
      if (scene) presence.judged(signature, scene); else presence.retry();
      if (!keepClaim) identity.done();
      state.nextAt = Date.now() + Math.max(wait, MIN_GAP_MS);
      state.busy = false;
    }
  }

  function tick() {
    clock.textContent = formatTime(new Date());
    if (state.stopped || state.busy || state.manual || !video.videoWidth || !identity.ready()) return;
    const signature = frameSignature(video);
    const now = Date.now();
    if (presence.observe(signature, now) && now >= state.nextAt) send(signature);
  }

  (async () => {
    try {
      await Promise.all([startCamera(video), identity.load()]);
      if (state.stopped) { stopCamera(video); return; }
      // An answer given while the camera started (a badge and PIN tried at once) stays up.
      if (!state.shown) showIdle();
      state.timer = setInterval(tick, SAMPLE_MS);
    } catch (err) {
      show('bad', t('kiosk.nocamera'), err.message);
    }
  })();

  // The beat each minute keeps the kiosk "online" on the device list and brings changed
  // settings (badge and PIN, sound; a new language at the next load).
  const beat = setInterval(async () => {
    const fresh = await heartbeat(deviceId);
    if (!fresh || state.stopped) return;
    Object.assign(device, fresh);
    manualToggle.hidden = !hasRole('kiosk') || !device.pin_allowed;
    if (!device.pin_allowed && state.manual) closeManual();
    sound.hidden = !device.sound || !beeper.blocked;
  }, HEARTBEAT_MS);

  return () => {
    state.stopped = true;
    clearInterval(beat);
    clearInterval(state.timer);
    clearTimeout(state.resetTimer);
    stopCamera(video);
    beeper.close();
    document.body.classList.remove('kiosk-mode');
  };
}
