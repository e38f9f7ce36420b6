// Sign in, register, forgot password and reset password (the e-mailed link lands here), and
// accepting HR's invitation (its link lands here too).

import * as client from '../api.js';
import { signedIn } from '../app.js';
import { t } from '../i18n.js';
import { field, h, input, link, messageBox } from '../ui.js';

function card(title, ...children) {
  document.title = `${title} · FaceClock`;
  return h('div', { class: 'auth-card card' }, h('h1', {}, title), children);
}

function submitForm(form, message, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    message.clear();
    try {
      await action(new FormData(form));
    } catch (err) {
      message.error(err);
    } finally {
      submit.disabled = false;
    }
  });
}

function loginView(main) {
  const message = messageBox();
  const form = h('form', { class: 'form-stack', 'aria-label': t('auth.signin') },
    field(t('auth.username'), input('username', { autocomplete: 'username', required: true, autocapitalize: 'none' })),
    field(t('auth.password'), input('password', { type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('auth.signin')));
  submitForm(form, message, async (data) => {
    await client.login(data.get('username').trim(), data.get('password'));
    await signedIn();
  });
  main.append(card(t('auth.signin'), message, form,
    h('p', { class: 'auth-links' }, link('/forgot-password', t('auth.forgot')), ' · ', link('/register', t('auth.register'))),
    h('p', { class: 'auth-links' }, link('/kiosk', t('auth.kioskmode')))));
}

function registerView(main) {
  const message = messageBox();
  const form = h('form', { class: 'form-stack', 'aria-label': t('auth.register') },
    field(t('auth.username'), input('username', { autocomplete: 'username', required: true, autocapitalize: 'none', minlength: '3' }),
      { hint: t('auth.username.hint') }),
    field(t('auth.email'), input('email', { type: 'email', autocomplete: 'email', required: true })),
    field(t('auth.password'), input('password', { type: 'password', autocomplete: 'new-password', required: true, minlength: '8' }),
      { hint: t('auth.password.hint') }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('auth.register')));
  submitForm(form, message, async (data) => {
    const username = data.get('username').trim();
    await client.api.post('/auth/register', { username, email: data.get('email').trim(), password: data.get('password') }, { auth: false });
    // Registration answers the same for a taken name; the e-mail tells the address's owner.
    try {
      await client.login(username, data.get('password'));
    } catch {
      message.show(t('auth.register.sent'));
      return;
    }
    await signedIn();
  });
  main.append(card(t('auth.register'), message, form, h('p', { class: 'auth-links' }, link('/login', t('auth.haveaccount')))));
}

function forgotView(main) {
  const message = messageBox();
  const form = h('form', { class: 'form-stack', 'aria-label': t('auth.forgot') },
    h('p', {}, t('auth.forgot.text')),
    field(t('auth.email'), input('email', { type: 'email', autocomplete: 'email', required: true })),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('auth.forgot.send')));
  submitForm(form, message, async (data) => {
    await client.api.post('/auth/password/forgot', { email: data.get('email').trim() }, { auth: false });
    message.ok(t('auth.forgot.sent'));
    form.reset();
  });
  main.append(card(t('auth.forgot'), message, form, h('p', { class: 'auth-links' }, link('/login', t('auth.signin')))));
}

function resetView(main, query) {
  const message = messageBox();
  const token = query.get('token') || '';
  if (!token) {
    main.append(card(t('auth.reset'), h('p', { class: 'notice notice-error', role: 'alert' }, t('auth.reset.notoken')),
      h('p', {}, link('/forgot-password', t('auth.forgot')))));
    return;
  }
  const form = h('form', { class: 'form-stack', 'aria-label': t('auth.reset') },
    field(t('auth.newpassword'), input('new_password', { type: 'password', autocomplete: 'new-password', required: true, minlength: '8' }),
      { hint: t('auth.password.hint') }),
    field(t('auth.confirmpassword'), input('confirm', { type: 'password', autocomplete: 'new-password', required: true, minlength: '8' })),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('auth.reset.submit')));
  submitForm(form, message, async (data) => {
    if (data.get('new_password') !== data.get('confirm')) {
      message.show(t('auth.reset.mismatch'), 'error');
      return;
    }
    await client.api.post('/auth/password/reset', { token, new_password: data.get('new_password') }, { auth: false });
    // The token has done its work: take it out of the address bar and history.
    history.replaceState({}, '', '/reset-password?done=1');
    form.remove();
    message.ok(t('auth.reset.done'));
    main.querySelector('.auth-card').append(h('p', {}, h('a', { href: '/login', 'data-link': '', class: 'btn btn-primary', id: 'to-signin' }, t('auth.signin'))));
  });
  main.append(card(t('auth.reset'), message, form));
}

// An invitation from HR: the account made here is linked to the employee already.
function acceptView(main, query) {
  const message = messageBox();
  const token = query.get('token') || '';
  if (!token) {
    main.append(card(t('invite.accept'), h('p', { class: 'notice notice-error', role: 'alert' }, t('invite.notoken'))));
    return;
  }
  const form = h('form', { class: 'form-stack', 'aria-label': t('invite.accept') },
    h('p', {}, t('invite.accept.intro')),
    field(t('auth.username'), input('username', { autocomplete: 'username', required: true, autocapitalize: 'none', minlength: '3' }),
      { hint: t('auth.username.hint') }),
    field(t('auth.password'), input('password', { type: 'password', autocomplete: 'new-password', required: true, minlength: '8' }),
      { hint: t('auth.password.hint') }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('invite.accept.submit')));
  submitForm(form, message, async (data) => {
    const username = data.get('username').trim();
    await client.api.post('/auth/invitations/accept', { token, username, password: data.get('password') }, { auth: false });
    // The link is spent: out of the address bar and history, then straight in.
    history.replaceState({}, '', '/accept-invitation');
    await client.login(username, data.get('password'));
    await signedIn();
  });
  main.append(card(t('invite.accept'), message, form));
}

export function render(main, { view, query }) {
  main.classList.add('auth-page');
  const views = { login: loginView, register: registerView, forgot: forgotView, reset: resetView, accept: acceptView };
  if (view === 'reset' && query.get('done')) {
    main.append(card(t('auth.reset'), h('p', { class: 'notice notice-ok' }, t('auth.reset.done')), h('p', {}, link('/login', t('auth.signin')))));
  } else {
    views[view](main, query);
  }
  return undefined;
}

