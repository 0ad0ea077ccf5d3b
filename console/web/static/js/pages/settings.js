// settings.js: the global campaign settings. The form sends what is typed; the API
// checks the ranges and its error is shown next to each field it names.
import { APIError, api } from '../api.js';
import { $, clearErrors, notice, readOnly, showErrors, toast } from '../ui.js';

function get(obj, path) { return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj); }

function set(obj, path, v) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] = o[k] || {};
  o[keys[keys.length - 1]] = v;
}

export async function mount(ctx) {
  const form = $('#settings-form');
  const inputs = [...form.querySelectorAll('input[name]')];
  const load = (s) => inputs.forEach((i) => { i.value = get(s, i.name) ?? ''; });
  let current = await api('GET', '/api/v1/settings');
  load(current);
  if (!(await ctx.allows('PUT /api/v1/settings'))) {
    readOnly(form, 'Your role can view but not change settings');
    $('#settings-reset').disabled = true;
    notice(`Read-only: role ${ctx.user.role} can view settings but not change them.`, 'info');
    return;
  }
  $('#settings-reset').addEventListener('click', () => { clearErrors(form); load(current); });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = {};
    for (const i of inputs) {
      const raw = i.value.trim();
      // Send numbers as numbers; anything else as typed, so the API names the problem.
      const n = Number(raw);
      set(body, i.name, raw !== '' && Number.isFinite(n) ? n : raw);
    }
    const btn = $('#settings-save');
    btn.disabled = true;
    try {
      current = await api('PUT', '/api/v1/settings', body);
      load(current);
      toast('Settings saved.');
      notice('Settings saved.', 'ok');
    } catch (e) {
      if (!(e instanceof APIError)) throw e;
      notice('');
      showErrors(form, e);
    } finally {
      btn.disabled = false;
    }
  });
}
