// list-logs.js: the List Management Log of API-integrated list fetches: search, date
// and time range, refresh, and the JSON of each fetch.
import { api, query } from '../api.js';
import { download, field, fill, fmtTime, h, table, toast } from '../ui.js';

export async function mount(ctx) {
  const form = h('form', { class: 'toolbar', role: 'search' },
    field({ name: 'search', label: 'Search', placeholder: 'List, campaign, description or status' }),
    field({ name: 'since', label: 'From', type: 'datetime-local' }),
    field({ name: 'until', label: 'To', type: 'datetime-local' }),
    h('button', { type: 'submit', class: 'primary' }, 'Refresh'));
  const out = h('div', { class: 'table-wrap', id: 'logs' });
  const iso = (v) => (v ? new Date(v).toISOString().replace(/\.\d+Z$/, 'Z') : '');
  const load = async () => {
    const f = form.elements;
    const res = await api('GET', '/api/v1/list-logs' + query({ search: f.search.value.trim(), since: iso(f.since.value), until: iso(f.until.value), limit: 200 }));
    fill(out, table([
      { key: 'at', label: 'Date & Time', render: (l) => fmtTime(l.at) },
      { key: 'list_name', label: 'Contact Lists' }, { key: 'campaigns', label: 'Campaigns' },
      { key: 'status', label: 'Status', render: (l) => h('span', { class: 'status ' + l.status }, l.status) },
      { key: 'description', label: 'Description' },
      { key: '_e', label: 'Export', render: (l) => h('button', { type: 'button', 'aria-label': 'Export fetch ' + l.id, onclick: async () => {
        const r = await api('GET', `/api/v1/list-logs/${l.id}/export`, undefined, { raw: true });
        download(`list-log-${l.id}.json`, await r.blob());
      } }, 'JSON') },
    ], res.items || [], { empty: 'No API fetches match.' }));
  };
  form.addEventListener('submit', async (ev) => { ev.preventDefault(); await load(); toast('Refreshed.'); });
  fill(ctx.page, form, out);
  await load();
}
