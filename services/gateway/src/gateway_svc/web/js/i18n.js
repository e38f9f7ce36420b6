// English and Simplified Chinese. The catalogues are JSON files next to index.html so a test
// can check both hold every key the code uses.

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
];
const KEY = 'fc.lang';

let current = 'en';
let catalogue = {};
let fallback = {};

function initialLanguage() {
  const saved = localStorage.getItem(KEY);
  if (LANGUAGES.some((l) => l.code === saved)) return saved;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

async function load(code) {
  const response = await fetch(`/i18n/${code}.json`);
  return response.json();
}

export async function initI18n() {
  fallback = await load('en');
  await setLanguage(initialLanguage(), false);
}

export async function setLanguage(code, remember = true) {
  catalogue = code === 'en' ? fallback : await load(code);
  current = code;
  if (remember) localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
}

export function language() {
  return current;
}

export function t(key, vars) {
  let text = catalogue[key] ?? fallback[key] ?? key;
  if (vars) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }
  return text;
}

const locales = { en: 'en-GB', 'zh-CN': 'zh-CN' };

export function formatDateTime(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(locales[current], { dateStyle: 'medium', timeStyle: 'short' });
}

// `timeZone` (an IANA name the server gives, e.g. the employee's or site's): times as they read
// on that wall clock, matching the server's explanations; without it, this browser's zone.
export function formatTime(value, timeZone) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const options = { hour: '2-digit', minute: '2-digit' };
  if (timeZone) options.timeZone = timeZone;
  try {
    return date.toLocaleTimeString(locales[current], options);
  } catch {
    return date.toLocaleTimeString(locales[current], { hour: '2-digit', minute: '2-digit' });
  }
}

export function formatNumber(value, digits = 1) {
  if (value === null || value === undefined || value === '') return '';
  return Number(value).toLocaleString(locales[current], { maximumFractionDigits: digits });
}

// Status codes from the API shown as words ("late_and_early_leave" → "Late and left early").
// `scope` picks a wording where one code means two things: a day "pending" is not over yet,
// a request "pending" awaits approval.
export function statusLabel(status, scope) {
  if (!status) return '';
  const scoped = scope ? `status.${scope}.${status}` : null;
  if (scoped && t(scoped) !== scoped) return t(scoped);
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? status.replace(/_/g, ' ') : text;
}
