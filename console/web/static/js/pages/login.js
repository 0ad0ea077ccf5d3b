// login.js: the sign-in form. The token goes to sessionStorage (this tab only).
import { APIError, api, saveSession, session } from '../api.js';
import { $, fill } from '../ui.js';

/** nextPath returns a same-site path to go to after sign-in. */
function nextPath() {
  const n = new URLSearchParams(location.search).get('next') || '/';
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/login') ? n : '/';
}

export async function mount() {
  if (session()) { location.replace(nextPath()); return; }
  const form = $('#login-form');
  const err = $('#login-error');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const body = { username: form.username.value.trim(), password: form.password.value };
    if (!body.username || !body.password) {
      fill(err, 'Enter your username and password.');
      err.hidden = false;
      (body.username ? form.password : form.username).focus();
      return;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const res = await api('POST', '/api/v1/auth/login', body, { noRedirect: true });
      saveSession(res);
      location.assign(nextPath());
    } catch (e) {
      fill(err, e instanceof APIError ? e.message : 'Cannot reach the server: ' + e.message);
      err.hidden = false;
      form.password.select();
      form.password.focus();
    } finally {
      btn.disabled = false;
    }
  });
}
