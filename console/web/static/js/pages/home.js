// home.js: the start page: links to what the role may use; users sent here from a page
// their role cannot open see why.
import { rank } from '../api.js';
import { fill, h } from '../ui.js';

export async function mount(ctx) {
  const q = new URLSearchParams(location.search);
  const denied = q.get('denied');
  const parts = [];
  if (denied) {
    const need = q.get('need');
    parts.push(h('div', { class: 'banner error', role: 'alert', id: 'denied' },
      h('p', {}, h('strong', {}, 'You cannot open ' + denied + '. '),
        `You are signed in as ${ctx.user.username} with role ${ctx.user.role}; that page needs role ${need || 'supervisor'} or higher.`)));
  }
  if (rank(ctx.user.role) < rank('supervisor')) {
    parts.push(h('p', {}, 'Campaign management is for managers and supervisors. Agents take calls in the agent console: ',
      h('a', { href: '/console/' }, '/console/'), '.'));
  } else {
    const groups = [...document.querySelectorAll('#nav section:not([hidden])')].map((s) =>
      h('section', { class: 'card' }, h('h2', {}, s.dataset.group),
        h('ul', {}, [...s.querySelectorAll('li:not([hidden]) a')].map((a) => h('li', {}, h('a', { href: a.getAttribute('href') }, a.textContent))))));
    parts.push(h('p', {}, `Welcome, ${ctx.user.display_name || ctx.user.username}.`), h('div', { class: 'cards' }, groups));
  }
  fill(ctx.page, parts);
}
