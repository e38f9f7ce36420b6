// FaceClock single-page app: session start-up, the router and the page frame.

import * as client from './api.js';
import { LANGUAGES, initI18n, language, setLanguage, t } from './i18n.js';
import { button, clear, errorText, h, select } from './ui.js';

// path pattern, page module, who may open it (null: anyone signed in; 'public': signed out too)
const ROUTES = [
  { path: '/login', page: 'auth', view: 'login', access: 'public' },
  { path: '/register', page: 'auth', view: 'register', access: 'public' },
  { path: '/forgot-password', page: 'auth', view: 'forgot', access: 'public' },
  { path: '/reset-password', page: 'auth', view: 'reset', access: 'public' },
  { path: '/accept-invitation', page: 'auth', view: 'accept', access: 'public' },
  { path: '/', page: 'dashboard', nav: 'nav.dashboard', roles: ['admin', 'hr', 'manager', 'employee'] },
  { path: '/employees', page: 'employees', nav: 'nav.employees', roles: ['admin', 'hr', 'manager'] },
  { path: '/employees/:id', page: 'employee', roles: ['admin', 'hr', 'manager'] },
  { path: '/departments', page: 'departments', nav: 'nav.departments', roles: ['admin', 'hr', 'manager'] },
  { path: '/clock-in', page: 'clockin', nav: 'nav.clockin', roles: ['employee'], linked: true },
  { path: '/kiosk', page: 'kiosk', nav: 'nav.kiosk', roles: ['admin', 'hr', 'kiosk'], access: 'kiosk' },
  { path: '/roll-call', page: 'rollcall', nav: 'nav.rollcall', roles: ['admin', 'hr', 'manager', 'kiosk'] },
  { path: '/attendance', page: 'attendance', nav: 'nav.attendance', roles: ['admin', 'hr', 'manager', 'employee'] },
  { path: '/rules', page: 'rules', nav: 'nav.rules', roles: ['admin', 'hr'] },
  { path: '/requests', page: 'requests', nav: 'nav.requests', roles: ['admin', 'hr', 'manager', 'employee'] },
  { path: '/notifications', page: 'notifications', nav: 'nav.notifications', roles: ['admin', 'hr', 'manager', 'employee'] },
  { path: '/reports', page: 'reports', nav: 'nav.reports', roles: ['admin', 'hr', 'manager', 'employee'] },
  { path: '/recognition-test', page: 'recognition-test', nav: 'devices.nav.test', roles: ['admin', 'hr'] },
  { path: '/admin', page: 'admin', nav: 'nav.admin', roles: ['admin'] },
];

const state = { me: null, cleanup: null, renderId: 0 };

export function me() {
  return state.me;
}

export function hasRole(...roles) {
  const mine = (state.me && state.me.roles) || [];
  return mine.includes('admin') || roles.some((r) => mine.includes(r));
}

function match(pathname) {
  for (const route of ROUTES) {
    const names = [];
    const pattern = new RegExp('^' + route.path.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '/?$');
    const found = pattern.exec(pathname);
    if (found) {
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1])]));
      return { route, params };
    }
  }
  return null;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  render();
}

function allowed(route) {
  if (!route.roles) return true;
  return hasRole(...route.roles);
}

function homeFor() {
  if (hasRole('admin', 'hr', 'manager', 'employee')) return '/';
  if (hasRole('kiosk')) return '/kiosk';
  return '/';
}

// Who is signed in comes from the access token's claims (auth puts the username, roles, employee
// and department there); /auth/me is asked only when they are missing. Kiosk tokens have no
// account behind them, so the claims are all there is.
async function loadMe() {
  const claims = client.decodeToken();
  const fromClaims = claims && {
    username: claims.username || claims.sub, roles: claims.roles || [],
    employee_id: claims.employee_id ?? null, department_id: claims.department_id ?? null,
  };
  if (claims && claims.username) {
    state.me = fromClaims;
    return;
  }
  try {
    state.me = await client.api.get('/auth/me');
  } catch {
    state.me = fromClaims;
  }
}

export async function signedIn() {
  await loadMe();
  const wanted = new URLSearchParams(location.search).get('next');
  navigate(wanted && wanted.startsWith('/') && !wanted.startsWith('//') ? wanted : homeFor(), { replace: true });
}

export async function signOut() {
  await client.logout();
  state.me = null;
  navigate('/login', { replace: true });
}

function renderTopbar() {
  const bar = document.getElementById('topbar');
  document.querySelector('.skip-link').textContent = t('nav.skip');
  const langSelect = select('language', LANGUAGES.map((l) => [l.code, l.label]), { value: language(), id: 'lang-select' });
  langSelect.addEventListener('change', async () => {
    await setLanguage(langSelect.value);
    if (state.me && client.hasSession() && !hasRole('kiosk')) {
      client.api.patch('/auth/me', { language: langSelect.value }).catch(() => {});
    }
    render();
  });
  const menuToggle = state.me ? button(t('nav.menu'), {
    class: 'btn btn-ghost menu-toggle', 'aria-controls': 'sidenav', 'aria-expanded': 'false',
    onclick: () => {
      const open = document.body.classList.toggle('nav-open');
      menuToggle.setAttribute('aria-expanded', String(open));
    },
  }) : null;
  clear(bar,
    menuToggle,
    h('a', { href: '/', class: 'brand', 'data-link': '' }, h('img', { src: '/favicon.svg', alt: '', width: '28', height: '28' }), 'FaceClock'),
    h('div', { class: 'topbar-right' },
      h('label', { for: 'lang-select', class: 'visually-hidden' }, t('nav.language')),
      langSelect,
      state.me ? h('span', { class: 'whoami' }, state.me.username || '') : null,
      state.me ? button(t('nav.signout'), { class: 'btn btn-ghost', id: 'signout', onclick: signOut }) : null));
}

function renderNav(current) {
  const nav = document.getElementById('sidenav');
  if (!state.me) {
    clear(nav);
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  // "Clock in" is for accounts linked to an employee record: it clocks in that employee.
  const shown = ROUTES.filter((r) => r.nav && allowed(r) && (!r.linked || state.me.employee_id));
  const links = shown.map((r) => h('li', {},
    h('a', { href: r.path, 'data-link': '', 'aria-current': current === r ? 'page' : null }, t(r.nav))));
  clear(nav, h('ul', {}, links));
  const notices = shown.indexOf(ROUTES.find((r) => r.page === 'notifications'));
  if (notices >= 0 && current !== shown[notices]) countUnread(links[notices].firstChild);
}

// The Notifications link shows how many are unread (not on that page: opening it reads them).
async function countUnread(anchor) {
  try {
    const { unread } = await client.api.get('/notifications', { limit: 1 });
    if (unread > 0 && anchor.isConnected) anchor.append(' ', h('span', { class: 'badge badge-pending nav-count' }, String(unread)));
  } catch {
    // A nicety: the menu works without it.
  }
}

export async function render() {
  const renderId = ++state.renderId;
  if (state.cleanup) {
    try { state.cleanup(); } catch { /* a page's cleanup must never block navigation */ }
    state.cleanup = null;
  }
  document.body.classList.remove('nav-open', 'kiosk-mode');
  const main = document.getElementById('main');
  const found = match(location.pathname);
  const route = found && found.route;
  if (route && route.access !== 'public' && route.access !== 'kiosk' && !state.me) {
    navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    return;
  }
  if (route && route.access === 'public' && state.me && route.view === 'login') {
    navigate(homeFor(), { replace: true });
    return;
  }
  renderTopbar();
  renderNav(route);
  if (!route) {
    clear(main, h('h1', {}, t('error.notfound.title')), h('p', {}, t('error.notfound.text')), h('a', { href: '/', 'data-link': '' }, t('nav.dashboard')));
    return;
  }
  if (state.me && !allowed(route)) {
    clear(main, h('h1', {}, t('error.forbidden.title')), h('p', {}, t('error.forbidden.text')));
    return;
  }
  try {
    const module = await import(`./pages/${route.page}.js`);
    if (renderId !== state.renderId) return;
    // Each page draws into its own element: a page still loading when the person moves on
    // keeps writing into its detached element, never into the next page.
    const view = h('div', { class: 'view' });
    clear(main, view);
    const query = new URLSearchParams(location.search);
    const cleanup = await module.render(view, { params: found.params, query, view: route.view, me: state.me });
    if (renderId === state.renderId && typeof cleanup === 'function') state.cleanup = cleanup;
    else if (typeof cleanup === 'function') cleanup();
  } catch (err) {
    clear(main, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(err)));
  }
  if (document.activeElement === document.body || !document.activeElement) main.focus({ preventScroll: true });
}

function interceptLinks() {
  document.addEventListener('click', (event) => {
    const anchor = event.target.closest('a[data-link]');
    if (!anchor || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
    main().focus({ preventScroll: true });
  });
  window.addEventListener('popstate', render);
}

function main() {
  return document.getElementById('main');
}

async function start() {
  await initI18n();
  interceptLinks();
  client.onSessionEnd(() => {
    state.me = null;
    if (!location.pathname.startsWith('/login')) navigate('/login', { replace: true });
  });
  if ((client.savedRefreshToken() || client.savedDeviceSecret()) && (await client.refresh())) {
    await loadMe();
  }
  render();
}

start();
