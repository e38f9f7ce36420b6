// Who is at the kiosk: the claimed-identity half of the kiosk, and how HR sees a kiosk's mode.
//
// A kiosk verifies by default: the photo is sent together with a claimed identity (a badge
// number typed in, or a name tapped in a short list of the site's people) and checked 1:1
// against that employee only. A kiosk the operator set to `identify` sends the photo alone,
// 1:N among its site's people, as long as they are few enough for the false-match target;
// otherwise the server answers claim_required and the kiosk asks for a claim again.
// A person may also hold up the kiosk code their phone app shows (claim-code.js) instead of
// typing their badge number.

import * as client from './api.js';
import { scanClaimCode } from './claim-code.js';
import { t } from './i18n.js';
import { button, field, h, input } from './ui.js';

const SEARCH_DELAY_MS = 250;

// `camera()`: the kiosk's video element, for scanning a phone's code.
export function createIdentityClaim({ onClaim, camera } = {}) {
  const state = { mode: 'verify', claim: null };
  const modeLine = h('p', { class: 'kiosk-mode', id: 'kiosk-mode' });
  const chosen = h('p', { class: 'kiosk-claimed', id: 'kiosk-claimed', 'aria-live': 'polite' });
  const badge = input('claim_employee_no', { autocomplete: 'off', maxlength: 64, autocapitalize: 'characters', spellcheck: 'false' });
  const badgeForm = h('form', { class: 'form-inline kiosk-claim-badge' },
    field(t('kiosk.claim.badge'), badge),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('kiosk.claim.use')));
  const nameSearch = input('claim_name', { type: 'search', autocomplete: 'off', maxlength: 100 });
  const people = h('ul', { class: 'kiosk-people', id: 'kiosk-people', 'aria-label': t('kiosk.claim.people') });
  const scan = button(t('kiosk.claim.scan'), { class: 'btn', id: 'kiosk-scan-code' });
  const element = h('div', { class: 'kiosk-claim', id: 'kiosk-claim' },
    modeLine, chosen, badgeForm, camera ? scan : null, field(t('kiosk.claim.name'), nameSearch), people);

  function render() {
    modeLine.textContent = t(state.mode === 'identify' ? 'kiosk.mode.identify' : 'kiosk.mode.verify');
  }

  function choose(claim, label) {
    state.claim = claim;
    chosen.textContent = t('kiosk.claim.chosen', { name: label });
    badge.value = '';
    nameSearch.value = '';
    people.replaceChildren();
    if (onClaim) onClaim();
  }

  function forget() {
    state.claim = null;
    chosen.textContent = '';
  }

  const SCAN_REFUSALS = { claim_code_expired: 'kiosk.claim.scan.expired', claim_code_invalid: 'kiosk.claim.scan.invalid' };
  scan.addEventListener('click', async () => {
    scan.disabled = true;
    forget();
    chosen.textContent = t('kiosk.claim.scanning');
    try {
      const person = await scanClaimCode(camera(), { shouldStop: () => state.claim !== null });
      if (person) choose({ employee_id: person.employee_id }, person.name);
      else if (!state.claim) chosen.textContent = t('kiosk.claim.scan.none');
    } catch (err) {
      chosen.textContent = SCAN_REFUSALS[err.code] ? t(SCAN_REFUSALS[err.code]) : t('kiosk.claim.scan.none');
    } finally {
      scan.disabled = false;
    }
  });

  badgeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const number = badge.value.trim();
    if (number) choose({ employee_no: number }, number);
  });

  let searchTimer = null;
  nameSearch.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const q = nameSearch.value.trim();
      people.replaceChildren();
      if (q.length < 2) return;
      try {
        const answer = await client.api.get('/kiosk/people', { q });
        people.replaceChildren(...answer.items.map((p) => h('li', {},
          button(p.name, { class: 'btn', onclick: () => choose({ employee_id: p.employee_id }, p.name) }))));
      } catch {
        people.replaceChildren(h('li', {}, t('kiosk.claim.nolist')));
      }
    }, SEARCH_DELAY_MS);
  });

  render();
  return {
    element,
    async load() {
      try {
        state.mode = (await client.api.get('/kiosk/identification')).mode;
      } catch {
        state.mode = 'verify';  // not a kiosk device (HR at the kiosk page), or no answer
      }
      render();
    },
    // A verify kiosk sends a photo only once someone has said who they are.
    ready: () => state.mode === 'identify' || state.claim !== null,
    addTo(form) {
      if (!state.claim) return;
      for (const [key, value] of Object.entries(state.claim)) form.append(key, String(value));
    },
    // Each claim is for one clock-in: the next person says who they are afresh.
    done: forget,
    // The server wants a claim: a verify kiosk, or a site too large for 1:N.
    requireClaim() {
      state.mode = 'verify';
      forget();
      render();
    },
  };
}

// HR's view of a kiosk: what it does, and why a kiosk set to identify verifies instead.
export function identificationCell(kioskId) {
  const cell = h('span', { class: 'kiosk-identification' }, '…');
  client.api.get(`/kiosks/${kioskId}/identification`).then((answer) => {
    const parts = [t(answer.mode === 'identify' ? 'kiosk.mode.identify' : 'kiosk.mode.verify')];
    if (answer.configured_mode === 'identify' && answer.mode !== 'identify') {
      parts.push(answer.site_id
        ? t('kiosk.mode.fallback', { faces: answer.gallery_faces, limit: answer.identify_limit_faces })
        : t('kiosk.mode.nosite'));
    }
    cell.textContent = parts.join(' · ');
    cell.title = answer.reason;
  }).catch(() => { cell.textContent = ''; });
  return cell;
}
