// dashboard.js: the campaigns Dashboard: name, type, progress "x of y", status and
// start of the current run, refreshed every 5 s. A name opens the campaign's details.
import { api } from '../api.js';
import { fill, fmtTime, h, poll, table } from '../ui.js';
import { modeLabels, progressView, sizeBars } from './campaigns.js';

export async function mount(ctx) {
  const out = h('div', { class: 'table-wrap', id: 'dashboard-table' });
  let last = '';
  const load = async () => {
    const rows = await api('GET', '/api/v1/campaigns/dashboard');
    const sig = JSON.stringify(rows);
    if (sig === last) return;
    last = sig;
    fill(out, table([
      { key: 'name', label: 'Campaign Name', render: (r) => h('a', { href: '/dashboard/' + r.id }, r.name) },
      { key: 'type', label: 'Campaign Type', render: (r) => 'Voice · ' + (modeLabels[r.type] || r.type) },
      { key: 'progress', label: 'Progress', render: (r) => progressView(r.progress) },
      { key: 'status', label: 'Status', render: (r) => h('span', { class: 'status ' + r.status }, r.status) },
      { key: 'started_at', label: 'Campaign Start Date and Time', render: (r) => fmtTime(r.started_at) },
    ], rows, { rowData: (r) => ({ id: r.id }), empty: 'No campaigns yet.' }));
    sizeBars(out);
  };
  fill(ctx.page, h('p', { class: 'help' }, 'Select a campaign to see its details. Progress refreshes every 5 seconds.'), out);
  await load();
  poll(load, 5000);
}
