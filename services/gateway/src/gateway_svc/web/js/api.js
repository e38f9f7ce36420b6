// The API client: every call goes to /api/v1 on this origin. The access token lives only in
// memory; the refresh token (or, on a kiosk, the device secret) in localStorage so a reload
// keeps the session. A 401 triggers one refresh and one retry.

const BASE = '/api/v1';
const REFRESH_KEY = 'fc.refresh';
const DEVICE_KEY = 'fc.kioskSecret';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let accessToken = null;
let refreshing = null;
const listeners = new Set();

export function onSessionEnd(listener) {
  listeners.add(listener);
}

export function hasSession() {
  return Boolean(accessToken);
}

export function savedRefreshToken() {
  return localStorage.getItem(REFRESH_KEY);
}

export function savedDeviceSecret() {
  return localStorage.getItem(DEVICE_KEY);
}

function storePair(pair) {
  accessToken = pair.access_token;
  if (pair.refresh_token) localStorage.setItem(REFRESH_KEY, pair.refresh_token);
}

export function clearSession() {
  accessToken = null;
  localStorage.removeItem(REFRESH_KEY);
  localStorage.removeItem(DEVICE_KEY);
}

async function errorOf(response) {
  let code = 'http_' + response.status;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    } else if (body && body.detail) {
      message = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the status line is all there is to show.
  }
  return new ApiError(response.status, code, message);
}

function rawFetch(method, path, { json, form, headers = {}, auth = true } = {}) {
  // The server writes its messages (errors, explanations, reports) in the reader's language.
  const language = document.documentElement.lang || 'en';
  const init = { method, headers: { Accept: 'application/json', 'Accept-Language': language, ...headers } };
  if (auth && accessToken) init.headers.Authorization = `Bearer ${accessToken}`;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  return fetch(BASE + path, init).catch((err) => {
    throw new ApiError(0, 'network_error', err.message || 'Network error');
  });
}

async function refreshSession() {
  const device = savedDeviceSecret();
  const refresh = savedRefreshToken();
  if (!device && !refresh) return false;
  const response = device
    ? await rawFetch('POST', '/auth/device-login', { json: { device_secret: device }, auth: false })
    : await rawFetch('POST', '/auth/refresh', { json: { refresh_token: refresh }, auth: false });
  if (!response.ok) {
    // A refused refresh token is gone for good; a rate limit or a server error is not a refusal,
    // and a device secret may work again once the server is back.
    if (!device && [400, 401, 403].includes(response.status)) {
      clearSession();
      listeners.forEach((l) => l());
    }
    return false;
  }
  storePair(await response.json());
  return true;
}

// Several calls that hit 401 at once share one refresh.
export function refresh() {
  if (!refreshing) refreshing = refreshSession().finally(() => { refreshing = null; });
  return refreshing;
}

// A 401 that judges what was typed (a kiosk's wrong badge number or PIN), not the token: sent
// again after a renewal it would count as a second wrong try towards the lockout.
async function isVerdict(response) {
  try {
    return (await response.clone().json()).error.code === 'invalid_credentials';
  } catch {
    return false;
  }
}

export async function send(method, path, options = {}) {
  const sentWith = accessToken;
  let response = await rawFetch(method, path, options);
  // A call sent with a token that another call has renewed meanwhile only needs sending again.
  if (response.status === 401 && options.auth !== false && !(await isVerdict(response))
      && (accessToken !== sentWith || (await refresh()))) {
    response = await rawFetch(method, path, options);
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function request(method, path, options = {}) {
  const response = await send(method, path, options);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const api = {
  get: (path, params) => request('GET', path + query(params)),
  post: (path, json, extra) => request('POST', path, { json, ...extra }),
  patch: (path, json) => request('PATCH', path, { json }),
  put: (path, json) => request('PUT', path, { json }),
  del: (path) => request('DELETE', path),
  upload: (path, form, headers) => request('POST', path, { form, headers }),
};

// Every row of a list a page must see whole (a count over everyone), read page by page: one
// page would silently leave out the rest of a large organisation.
export async function allItems(path, params = {}, pageSize = 1000) {
  const rows = [];
  for (let offset = 0; ; offset += pageSize) {
    const answer = await api.get(path, { ...params, limit: pageSize, offset });
    const list = answer.items || [];
    rows.push(...list);
    if (!list.length || rows.length >= (answer.total ?? rows.length)) return rows;
  }
}

export function query(params) {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    // A list is the parameter repeated (several employees at once, say).
    if (Array.isArray(value)) value.forEach((one) => search.append(key, one));
    else if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function login(username, password) {
  localStorage.removeItem(DEVICE_KEY);
  const pair = await request('POST', '/auth/login', { json: { username, password }, auth: false });
  storePair(pair);
}

export async function deviceLogin(secret) {
  const pair = await request('POST', '/auth/device-login', { json: { device_secret: secret }, auth: false });
  localStorage.removeItem(REFRESH_KEY);
  localStorage.setItem(DEVICE_KEY, secret);
  storePair(pair);
}

// A short code an admin handed out, instead of the long secret: the device gets its secret.
export async function pairDevice(code) {
  const paired = await request('POST', '/auth/device-pair', { json: { code }, auth: false });
  await deviceLogin(paired.device_secret);
  return paired;
}

export async function logout() {
  const refreshToken = savedRefreshToken();
  try {
    if (accessToken) await rawFetch('POST', '/auth/logout', { json: { refresh_token: refreshToken } });
  } finally {
    clearSession();
  }
}

// Downloads a file that needs the bearer token: fetch it, then hand the blob to the browser.
export async function download(path, fallbackName) {
  const response = await send('GET', path);
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

export function decodeToken() {
  if (!accessToken) return null;
  try {
    const payload = accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload));
  } catch {
    return null;
  }
}
