// shell.js runs on every page: it checks the session, shows the navigation the user's
// role can use (read from the API's own route table), and mounts the page module.
import { api, allows, bootData, clearSession, neededRole, route, saveSession, session, signIn } from './api.js';
import { $, fill, h, notice } from './ui.js';

const boot = bootData();

/** params extracts {name} segments of the page pattern from the current path. */
function params(pattern, path) {
  const p = pattern.replace(/\/\{\$\}$/, '/').split('/');
  const a = path.split('/');
  const out = {};
  p.forEach((seg, i) => {
    const m = /^\{(\w+)(\.\.\.)?\}$/.exec(seg);
    if (m) out[m[1]] = decodeURIComponent(a[i] || '');
  });
  return out;
}

async function showNav() {
  const items = [...document.querySelectorAll('#nav li[data-needs]')];
  await Promise.all(items.map(async (li) => { li.hidden = !(await allows(li.dataset.needs)); }));
  document.querySelectorAll('#nav section').forEach((s) => {
    s.hidden = !s.querySelector('li:not([hidden])');
  });
  const here = location.pathname;
  let best = null;
  document.querySelectorAll('#nav a').forEach((a) => {
    const href = a.getAttribute('href');
    if (here === href || here.startsWith(href + '/')) {
      if (!best || href.length > best.getAttribute('href').length) best = a;
    }
  });
  if (best) best.setAttribute('aria-current', 'page');
}

async function main() {
  const page = $('#page');
  if (boot.page === '/login') {
    const mod = await import(boot.module);
    await mod.mount({ boot });
    return;
  }
  if (!session()) { signIn(); return; }
  let user;
  try {
    user = await api('GET', '/api/v1/auth/me');
  } catch (e) {
    if (e.status !== 401) notice('Cannot reach the server: ' + e.message, 'error');
    return;
  }
  const s = session();
  s.user = user;
  saveSession(s);
  fill($('#who'), h('span', { class: 'user' }, user.display_name || user.username), ' ', h('span', { class: 'role' }, user.role));
  const out = $('#logout');
  out.hidden = false;
  out.addEventListener('click', async () => {
    try { await api('POST', '/api/v1/auth/logout', undefined, { noRedirect: true }); } catch { /* the token may be gone already */ }
    clearSession();
    location.assign('/login');
  });
  await showNav();

  if (boot.needs) {
    const op = await route(boot.needs);
    if (!op) {
      page.setAttribute('aria-busy', 'false');
      notice(`This page is not available on this server: it needs the API call ${boot.needs}, which is not there.`, 'error');
      return;
    }
    if (!(await allows(boot.needs))) {
      const need = await neededRole(boot.needs);
      location.replace('/?denied=' + encodeURIComponent(location.pathname) + '&need=' + encodeURIComponent(need));
      return;
    }
  }
  const mod = await import(boot.module);
  const ctx = {
    boot,
    user,
    page,
    params: params(boot.page, location.pathname),
    allows,
  };
  try {
    await mod.mount(ctx);
  } catch (e) {
    notice('This page could not load: ' + e.message, 'error');
  } finally {
    page.setAttribute('aria-busy', 'false');
  }
}

main().catch((e) => notice('The page failed to start: ' + e.message, 'error'));
