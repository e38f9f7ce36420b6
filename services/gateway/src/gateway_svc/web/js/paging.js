// A long list read one page at a time from the API, with a search box, a count and
// Previous/Next: a page of 20 rows instead of thousands rendered at once.

import { api } from './api.js';
import { t } from './i18n.js';
import { button, clear, field, h, input, latestOnly, messageBox } from './ui.js';

// Previous/Next under a list showing rows from+1.. of `total` (`shown` on this page); none when
// everything fits on one page.
export function pagerBar({ from, shown, total, prev, next }) {
  if (from === 0 && shown >= total) return null;
  return h('div', { class: 'pager' },
    button(t('common.prev'), { disabled: from === 0, onclick: prev }),
    h('span', {}, t('common.page', { from: from + 1, to: Math.min(total, from + shown), total })),
    button(t('common.next'), { disabled: from + shown >= total, onclick: next }));
}

// `path`: the API list; `params()`: extra filters (their controls in `extraFilters`);
// `render(items)`: the table of one page, or a promise of it (when the page needs more data);
// `search: false` for a list without a search box.
export function pagedList({ path, render, params = () => ({}), pageSize = 20, searchLabel, extraFilters = [], search = true }) {
  const state = { offset: 0 };
  const message = messageBox();
  const results = h('div', { 'aria-live': 'polite' });
  const q = input('q', { type: 'search', autocomplete: 'off' });
  const turn = latestOnly();
  const filters = h('form', { class: 'filters', role: 'search' },
    search ? field(searchLabel || t('common.search'), q) : null, ...extraFilters,
    h('button', { type: 'submit', class: 'btn' }, t(search ? 'common.search' : 'common.show')));
  filters.addEventListener('submit', (event) => { event.preventDefault(); state.offset = 0; load(); });
  for (const control of filters.querySelectorAll('select')) {
    control.addEventListener('change', () => { state.offset = 0; load(); });
  }

  const pager = (total) => pagerBar({
    from: state.offset, shown: pageSize, total,
    prev: () => { state.offset = Math.max(0, state.offset - pageSize); load(); },
    next: () => { state.offset += pageSize; load(); },
  });

  async function load() {
    message.clear();
    const isCurrent = turn();
    try {
      const query = search ? { q: q.value.trim() } : {};
      const answer = await api.get(path, { ...params(), ...query, limit: pageSize, offset: state.offset });
      if (!isCurrent()) return;
      const list = answer.items || [];
      if (!list.length && state.offset > 0) { // the last row of the last page went away
        state.offset = Math.max(0, state.offset - pageSize);
        load();
        return;
      }
      const view = await render(list);
      if (!isCurrent()) return;
      clear(results, h('p', { class: 'count' }, t('common.total', { n: answer.total ?? list.length })),
        view, pager(answer.total ?? list.length));
    } catch (err) {
      clear(results);
      message.error(err);
    }
  }

  const form = search || extraFilters.length ? filters : null;
  return { element: h('div', {}, form, message, results), reload: load };
}
