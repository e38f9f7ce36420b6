// The kiosk: a full-screen camera that clocks people in by face.
//
// Browsers have no portable face detector, so "one face in view and steady" is approximated:
// a frame is sent when the picture has stopped moving (tiny grey thumbnails compared every
// 300 ms) and is not blank; the server then says whether there was no face, one, or several.
// After every answer the kiosk waits a little before trying again, so one person standing in
// front of it is not clocked twice and a crowd does not flood the server.
//
// Where the operator allows it, "Use badge and PIN" opens a form for people the camera cannot
// take (SECURITY.md: everyone can clock in without a face); the camera pauses while it is open.

import * as client from '../api.js';
import { hasRole, signedIn } from '../app.js';
import { captureFrame, contrastOf, frameSignature, motionBetween, startCamera, stopCamera } from '../camera.js';
import { LANGUAGES, formatTime, language, setLanguage, statusLabel, t } from '../i18n.js';
import { button, errorText, field, h, input, link, messageBox } from '../ui.js';

const SAMPLE_MS = 300;
const STEADY_MS = 600;
const MIN_GAP_MS = 1500;
const MOTION_LIMIT = 8;
const MIN_CONTRAST = 24;
const BACKOFF = { ok: 5000, duplicate: 4000, unknown_face: 3000, multiple_faces: 2500, no_face: 1500, error: 5000 };

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
    const notes = kind === 'ok' ? [880, 1320] : [330, 220];
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
  document.title = `${t('kiosk.setup')} · FaceClock`;
  main.append(h('div', { class: 'auth-card card' }, h('h1', {}, t('kiosk.setup')), message, form,
    h('p', { class: 'auth-links' }, link('/login?next=/kiosk', t('kiosk.setup.signin')))));
}

export function render(main) {
  if (!client.hasSession() || !hasRole('kiosk', 'hr')) {
    setupView(main);
    return undefined;
  }
  document.body.classList.add('kiosk-mode');
  document.title = `${t('nav.kiosk')} · FaceClock`;
  const claims = client.decodeToken() || {};
  const deviceId = claims.device_id || (String(claims.sub || '').startsWith('kiosk:') ? String(claims.sub).slice(6) : null);
  const beeper = new Beeper();

  const video = h('video', { class: 'kiosk-video', autoplay: true, playsinline: true, muted: true, 'aria-label': t('camera.preview') });
  const headline = h('p', { class: 'kiosk-headline', id: 'kiosk-headline' }, t('kiosk.starting'));
  const detail = h('p', { class: 'kiosk-detail', id: 'kiosk-detail' });
  const panel = h('div', { class: 'kiosk-panel kiosk-idle', id: 'kiosk-panel', role: 'status', 'aria-live': 'assertive', 'aria-atomic': 'true' }, headline, detail);
  const clock = h('p', { class: 'kiosk-clock', 'aria-hidden': 'true' });
  const recent = h('ol', { class: 'kiosk-history', 'aria-label': t('kiosk.recent') });
  const sound = button(t('kiosk.sound'), { class: 'btn btn-ghost', hidden: !beeper.blocked, onclick: async () => { await beeper.resume(); sound.hidden = !beeper.blocked; } });
  const manualToggle = button(t('kiosk.manual.open'), {
    class: 'btn btn-ghost', id: 'kiosk-manual-toggle', hidden: !hasRole('kiosk'),
    'aria-expanded': 'false', 'aria-controls': 'kiosk-manual',
    onclick: () => (manualForm.hidden ? openManual() : closeManual()),
  });
  const badgeInput = input('employee_no', { required: true, autocomplete: 'off', maxlength: 64, autocapitalize: 'characters', spellcheck: 'false' });
  const pinInput = input('pin', {
    type: 'password', required: true, autocomplete: 'off', inputmode: 'numeric', pattern: '[0-9]{4,8}', minlength: 4, maxlength: 8,
  });
  const manualSubmit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('kiosk.manual.submit'));
  const manualForm = h('form', { class: 'kiosk-manual', id: 'kiosk-manual', hidden: true, 'aria-label': t('kiosk.manual.title') },
    h('h2', {}, t('kiosk.manual.title')),
    field(t('kiosk.manual.badge'), badgeInput),
    field(t('kiosk.manual.pin'), pinInput, { hint: t('kiosk.manual.pin.hint') }),
    h('div', { class: 'actions' }, manualSubmit, button(t('common.cancel'), { class: 'btn btn-ghost', onclick: () => closeManual() })));
  const langSelect = h('select', { 'aria-label': t('nav.language'), class: 'kiosk-lang' }, LANGUAGES.map((l) => h('option', { value: l.code, selected: l.code === language() }, l.label)));
  langSelect.addEventListener('change', async () => { await setLanguage(langSelect.value); showIdle(); });
  const root = h('div', { class: 'kiosk', id: 'kiosk' },
    h('div', { class: 'kiosk-top' }, h('h1', { class: 'kiosk-title' }, t('nav.kiosk')), clock, h('div', { class: 'kiosk-tools' }, manualToggle, sound, langSelect,
      button(t('kiosk.fullscreen'), { class: 'btn btn-ghost', onclick: () => (document.fullscreenElement ? document.exitFullscreen() : root.requestFullscreen().catch(() => {})) }),
      h('a', { href: '/roll-call', 'data-link': '', class: 'btn btn-ghost' }, t('nav.rollcall')))),
    h('div', { class: 'kiosk-stage' }, video, panel),
    manualForm,
    recent);
  main.append(root);

  const state = { busy: false, manual: false, last: null, steadySince: 0, nextAt: 0, stopped: false, timer: null, resetTimer: null };

  function show(kind, title, text) {
    panel.className = `kiosk-panel kiosk-${kind}`;
    headline.textContent = title;
    detail.textContent = text || '';
  }

  function showIdle() {
    show('idle', t('kiosk.look'), t('kiosk.look.text'));
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

  function showPunch(punch) {
    show('ok', punch.name, `${t(`kiosk.kind.${punch.kind}`)} · ${formatTime(punch.at)} · ${statusLabel(punch.status)}${punch.duplicate ? ` · ${t('kiosk.duplicate')}` : ''}`);
    beeper.play('ok');
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
      beeper.play('bad');
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

  async function send() {
    state.busy = true;
    let wait = BACKOFF.error;
    try {
      const blob = await captureFrame(video, { maxWidth: 800, quality: 0.85 });
      const form = new FormData();
      form.append('image', blob, 'kiosk.jpg');
      if (deviceId) form.append('device_id', deviceId);
      const punch = await client.api.upload('/clock-ins', form, { 'Idempotency-Key': newKey() });
      showPunch(punch);
      wait = punch.duplicate ? BACKOFF.duplicate : BACKOFF.ok;
      holdResult(wait);
    } catch (err) {
      const code = err.code || 'error';
      if (code === 'no_face') {
        wait = BACKOFF.no_face;
        showIdle();
      } else if (code === 'unknown_face' || code === 'ambiguous_face') {
        show('bad', t('kiosk.unknown'), t('kiosk.unknown.text'));
        beeper.play('bad');
        wait = BACKOFF.unknown_face;
        holdResult(wait);
      } else if (code === 'multiple_faces') {
        show('warn', t('kiosk.several'), t('kiosk.several.text'));
        beeper.play('bad');
        wait = BACKOFF.multiple_faces;
        holdResult(wait);
      } else {
        // Anything else (server down, expired session, rate limit): say so, then keep trying.
        show('bad', t('kiosk.error'), errorText(err));
        holdResult(BACKOFF.error);
      }
    } finally {
      state.nextAt = Date.now() + Math.max(wait, MIN_GAP_MS);
      state.steadySince = 0;
      state.busy = false;
    }
  }

  function tick() {
    clock.textContent = formatTime(new Date());
    if (state.stopped || state.busy || state.manual || !video.videoWidth) return;
    const signature = frameSignature(video);
    const moving = motionBetween(signature, state.last) > MOTION_LIMIT;
    state.last = signature;
    const now = Date.now();
    if (moving || contrastOf(signature) < MIN_CONTRAST) {
      state.steadySince = 0;
      return;
    }
    if (!state.steadySince) state.steadySince = now;
    if (now - state.steadySince >= STEADY_MS && now >= state.nextAt) send();
  }

  (async () => {
    try {
      await startCamera(video);
      if (state.stopped) { stopCamera(video); return; }
      showIdle();
      state.timer = setInterval(tick, SAMPLE_MS);
    } catch (err) {
      show('bad', t('kiosk.nocamera'), err.message);
    }
  })();

  return () => {
    state.stopped = true;
    clearInterval(state.timer);
    clearTimeout(state.resetTimer);
    stopCamera(video);
    beeper.close();
    document.body.classList.remove('kiosk-mode');
  };
}
