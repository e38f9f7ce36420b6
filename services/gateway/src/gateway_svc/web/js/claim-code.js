// Kiosk claim codes: the phone app shows a short-lived signed QR code naming its signed-in
// employee, and a verify kiosk scans it with its camera instead of a badge number being typed.
// The code is only a claim: the kiosk still checks the face 1:1 against that employee.

import { api } from './api.js';
import { captureFrame } from './camera.js';
import { formatTime, t } from './i18n.js';
import { button, clear, errorText, h, svg } from './ui.js';

// How long the kiosk looks for a code, and how often it sends a frame meanwhile.
const SCAN_MS = 15000;
const SCAN_EVERY_MS = 400;

// The QR modules (rows of "1" dark, "0" light, quiet zone included) as SVG squares: crisp at
// any size, and no image data for the content security policy to weigh.
function qrImage(rows) {
  const size = rows.length;
  const dark = [];
  rows.forEach((row, y) => [...row].forEach((cell, x) => {
    if (cell === '1') dark.push(`M${x} ${y}h1v1h-1z`);
  }));
  return svg('svg', { viewBox: `0 0 ${size} ${size}`, class: 'claim-code-qr', role: 'img', 'aria-label': t('claimcode.label'), 'shape-rendering': 'crispEdges' },
    svg('rect', { width: size, height: size, fill: '#fff' }),
    svg('path', { d: dark.join(''), fill: '#000' }));
}

// The phone: a button that shows the code until it expires.
export function claimCodeSection() {
  const box = h('div', { class: 'claim-code', id: 'claim-code', 'aria-live': 'polite' });
  let timer = null;
  async function show() {
    clearTimeout(timer);
    try {
      const answer = await api.post('/clock-in-codes', {});
      clear(box, qrImage(answer.modules), h('p', { class: 'muted' }, t('claimcode.until', { time: formatTime(answer.expires_at) })));
      timer = setTimeout(() => clear(box, h('p', { class: 'muted' }, t('claimcode.expired'))),
        Math.max(0, new Date(answer.expires_at).getTime() - Date.now()));
    } catch (err) {
      clear(box, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(err)));
    }
  }
  const element = h('div', { class: 'claim-code-box' }, h('p', {}, t('claimcode.text')),
    button(t('claimcode.show'), { class: 'btn', id: 'claim-code-show', onclick: show }), box);
  return { element, stop: () => clearTimeout(timer) };
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// The kiosk: frames go to the server until it reads a code there (the person it names) or the
// time is up (null); `shouldStop()` ends the search early.
export async function scanClaimCode(video, { shouldStop = () => false } = {}) {
  const deadline = Date.now() + SCAN_MS;
  while (Date.now() < deadline && !shouldStop()) {
    const form = new FormData();
    form.append('image', await captureFrame(video, { maxWidth: 960, quality: 0.9 }), 'code.jpg');
    try {
      return await api.upload('/kiosk/claims/scan', form);
    } catch (err) {
      if (err.code !== 'no_claim_code') throw err;
    }
    await pause(SCAN_EVERY_MS);
  }
  return null;
}
