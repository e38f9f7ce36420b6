// Administration → Sites: the places the organisation works at, and which kiosk stands where.
//
// A site has a time zone, an identification mode for its kiosks (verify by default) and whose
// face clock-ins must pass a liveness check (off, at its kiosks, or on phones too); a kiosk is
// bound to one site and may override the identification mode. Employees and departments name
// their site on their own pages (site_id).

import { api } from './api.js';
import { lookupList } from './data.js';
import { t } from './i18n.js';
import { identificationCell } from './kiosk-identity.js';
import { clear, field, h, input, messageBox, section, select, table, toast } from './ui.js';

const MODES = ['verify', 'identify'];
const LIVENESS = ['off', 'kiosks', 'everywhere'];
const livenessOptions = () => LIVENESS.map((m) => [m, t(`sites.liveness.${m}`)]);

function modeOptions(inherit) {
  const options = MODES.map((m) => [m, t(`sites.mode.${m}`)]);
  return inherit ? [['', t('sites.mode.inherit')], ...options] : options;
}

export function sitesSection() {
  const message = messageBox();
  const list = h('div', { 'aria-live': 'polite' });
  const siteChoice = select('site_id', []);
  const kioskChoice = select('kiosk_id', []);

  // Changed in place: each row's selector saves the site's liveness setting at once.
  function livenessCell(site) {
    const choice = select('liveness', livenessOptions(), {
      value: site.liveness, 'aria-label': t('sites.liveness.of', { name: site.name }),
    });
    choice.addEventListener('change', async () => {
      try {
        await api.patch(`/sites/${site.id}`, { liveness: choice.value });
        toast(t('common.saved'));
      } catch (err) {
        choice.value = site.liveness;
        message.error(err);
        return;
      }
      site.liveness = choice.value;
    });
    return choice;
  }

  async function load() {
    try {
      const [sites, kiosks] = await Promise.all([lookupList('/sites'), lookupList('/kiosks')]);
      const active = kiosks.filter((k) => !k.revoked_at);
      clear(siteChoice, ...sites.map((s) => h('option', { value: String(s.id) }, s.name)));
      clear(kioskChoice, ...active.map((k) => h('option', { value: String(k.id) }, k.name)));
      clear(list, table([
        { label: t('sites.name'), key: 'name' },
        { label: t('sites.timezone'), key: 'timezone' },
        { label: t('sites.address'), render: (s) => s.address || '' },
        { label: t('sites.mode'), render: (s) => t(`sites.mode.${s.identification_mode}`) },
        { label: t('sites.liveness'), render: livenessCell },
      ], sites, { empty: t('sites.none') }));
    } catch (err) {
      message.error(err);
    }
  }

  const name = input('name', { required: true, maxlength: 200 });
  const zone = input('timezone', { required: true, value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' });
  const address = input('address', { maxlength: 2000 });
  const mode = select('identification_mode', modeOptions(false));
  const liveness = select('liveness', livenessOptions());
  const create = h('form', { class: 'form-inline', 'aria-label': t('sites.add') },
    field(t('sites.name'), name), field(t('sites.timezone'), zone), field(t('sites.address'), address),
    field(t('sites.mode'), mode), field(t('sites.liveness'), liveness), h('button', { type: 'submit', class: 'btn btn-primary' }, t('sites.add')));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post('/sites', { name: name.value.trim(), timezone: zone.value.trim(), address: address.value.trim() || null, identification_mode: mode.value, liveness: liveness.value });
      create.reset();
      toast(t('common.saved'));
      load();
    } catch (err) {
      message.error(err);
    }
  });

  const kioskMode = select('kiosk_mode', modeOptions(true));
  const verdict = h('p', { class: 'muted', id: 'kiosk-binding-verdict', 'aria-live': 'polite' });
  const bind = h('form', { class: 'form-inline', 'aria-label': t('sites.bind') },
    field(t('sites.kiosk'), kioskChoice), field(t('sites.site'), siteChoice), field(t('sites.mode'), kioskMode),
    h('button', { type: 'submit', class: 'btn' }, t('sites.bind')));
  bind.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!kioskChoice.value || !siteChoice.value) return;
    try {
      await api.put(`/sites/${siteChoice.value}/kiosks/${kioskChoice.value}`, { identification_mode: kioskMode.value || null });
      toast(t('common.saved'));
      clear(verdict, identificationCell(kioskChoice.value));
    } catch (err) {
      message.error(err);
    }
  });

  load();
  return section(t('sites.title'), message, create, list, bind, verdict);
}
