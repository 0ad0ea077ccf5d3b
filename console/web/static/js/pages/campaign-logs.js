// campaign-logs.js: Campaign Logs: today's events by default, a date range, search on
// the description, and a CSV export of exactly the rows shown.
import { api, query } from '../api.js';
import { csv, download, field, fill, fmtTime, h, table, toast } from '../ui.js';

/** day formats a Date as the yyyy-mm-dd of a date input, in the browser's zone. */
function day(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export async function mount(ctx) {
  const today = day(new Date());
  const form = h('form', { class: 'toolbar', role: 'search', id: 'logs-form' },
    field({ name: 'from', label: 'From', type: 'date', value: today }),
    field({ name: 'to', label: 'To', type: 'date', value: today }),
    field({ name: 'search', label: 'Search description', type: 'search', placeholder: 'Campaign name, user or reason' }),
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', id: 'export-logs', onclick: () => exportShown() }, 'Export CSV'));
  const out = h('div', { class: 'table-wrap', id: 'campaign-logs' });
  const count = h('p', { class: 'muted', id: 'logs-count' });
  let shown = [];
  const load = async () => {
    const f = form.elements;
    // Whole days in the browser's zone: from 00:00 of From to 00:00 after To.
    const since = f.from.value ? new Date(f.from.value + 'T00:00') : null;
    const until = f.to.value ? new Date(f.to.value + 'T00:00') : null;
    if (until) until.setDate(until.getDate() + 1);
    const iso = (d) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '');
    shown = await api('GET', '/api/v1/campaign-logs' + query({ since: iso(since), until: iso(until), search: f.search.value.trim(), limit: 5000 }));
    fill(out, table([
      { key: 'at', label: 'Date & Time', render: (l) => fmtTime(l.at) },
      { key: 'log_type', label: 'Log Type' },
      { key: 'sub_type', label: 'Sub Type' },
      { key: 'description', label: 'Description' },
    ], shown, { empty: 'No campaign events in this range.' }));
    fill(count, shown.length === 1 ? '1 event' : `${shown.length} events`);
  };
  const exportShown = () => {
    const rows = [['date_time', 'log_type', 'sub_type', 'campaign', 'user', 'description'],
      ...shown.map((l) => [l.at, l.log_type, l.sub_type, l.campaign || '', l.user, l.description])];
    download(`campaign-logs-${form.elements.from.value || 'all'}-to-${form.elements.to.value || 'now'}.csv`, csv(rows), 'text/csv');
    toast(`Exported ${shown.length} log rows.`);
  };
  let timer = null;
  form.elements.search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  form.addEventListener('submit', async (ev) => { ev.preventDefault(); await load(); toast('Refreshed.'); });
  fill(ctx.page, form, count, out);
  await load();
}
