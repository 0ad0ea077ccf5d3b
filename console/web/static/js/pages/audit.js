// audit.js: the audit log of every change made through the API (admins only).
import { api, query } from '../api.js';
import { field, fill, fmtTime, h, table } from '../ui.js';

export async function mount(ctx) {
  const form = h('form', { class: 'toolbar', role: 'search' },
    field({ name: 'resource', label: 'Resource', placeholder: 'e.g. settings' }),
    field({ name: 'since', label: 'From', type: 'date' }),
    field({ name: 'until', label: 'To', type: 'date' }),
    h('button', { type: 'submit' }, 'Apply'));
  const out = h('div', { class: 'table-wrap' });
  const load = async () => {
    const f = form.elements;
    const since = f.since.value ? new Date(f.since.value + 'T00:00:00').toISOString() : '';
    const until = f.until.value ? new Date(f.until.value + 'T23:59:59').toISOString() : '';
    const rows = await api('GET', '/api/v1/audit' + query({ resource: f.resource.value.trim(), since, until, limit: 500 }));
    fill(out, table([
      { key: 'at', label: 'Date & Time', render: (r) => fmtTime(r.at) },
      { key: 'actor', label: 'User' }, { key: 'action', label: 'Action' },
      { key: 'resource_id', label: 'Record' }, { key: 'detail', label: 'Detail' },
      { key: 'outcome', label: 'Result', render: (r) => r.outcome === 'pending'
        ? h('span', { class: 'status Invalid', title: 'Written before the change; its result was never recorded (the server stopped or the store failed in between). Check the record.' }, 'unconfirmed')
        : 'done' },
    ], rows || [], { empty: 'No changes match.' }));
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  fill(ctx.page, form, out);
  await load();
}
