// dashboard-detail.js: one campaign's details for a run: Overview, Outcome bar charts
// (inline SVG), Disposition vs Attempts and Latest Execution, refreshed every 5 s.
import { api, query } from '../api.js';
import { field, fill, fmtDuration, fmtTime, h, poll, table } from '../ui.js';
import { modeLabels, progressView, sizeBars } from './campaigns.js';

/** barChart draws counts as horizontal bars in an SVG with a text alternative. */
export function barChart(id, title, counts, alt) {
  const top = counts.slice(0, 5);
  const W = 420, label = 150, row = 30, pad = 8;
  const H = Math.max(1, top.length) * row + pad * 2;
  const max = Math.max(1, ...top.map((c) => c.count));
  const desc = top.length ? top.map((c) => `${c.name}: ${c.count}`).join(', ') : 'no calls yet';
  return h('figure', { class: 'card chart-card', id },
    h('figcaption', {}, h('h3', {}, title)),
    h('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${desc}` },
      h('title', {}, `${title}: ${desc}`),
      top.length ? top.map((c, i) => {
        const y = pad + i * row;
        const w = Math.max(2, Math.round(((W - label - 50) * c.count) / max));
        return h('g', { class: 'bar-row', 'data-name': c.name, 'data-count': c.count },
          h('text', { x: label - 6, y: y + row / 2 + 4, 'text-anchor': 'end' }, c.name.length > 22 ? c.name.slice(0, 21) + '…' : c.name),
          h('rect', { class: 'bar' + (alt ? ' alt' : ''), x: label, y: y + 4, width: w, height: row - 10, rx: 3 }),
          h('text', { x: label + w + 6, y: y + row / 2 + 4 }, String(c.count)));
      }) : h('text', { x: W / 2, y: H / 2 + 4, 'text-anchor': 'middle', class: 'muted' }, 'No calls yet')));
}

/** matrixTable is Disposition vs Attempts: dispositions across, attempt numbers down. */
function matrixTable(d) {
  const cells = d.disposition_vs_attempts || [];
  const names = [...d.dispositions];
  for (const c of cells) if (!names.includes(c.disposition)) names.push(c.disposition);
  const maxAttempt = Math.max(1, ...cells.map((c) => c.attempt));
  const at = new Map(cells.map((c) => [c.attempt + '|' + c.disposition, c.count]));
  const rows = [];
  for (let a = 1; a <= maxAttempt; a++) rows.push({ attempt: a });
  return table([
    { key: 'attempt', label: 'Attempt', class: 'num' },
    ...names.map((n) => ({ key: n, label: n, class: 'num', render: (r) => at.get(r.attempt + '|' + n) || '' })),
  ], rows, { class: 'matrix', caption: 'Latest attempt of each conversation; ongoing ones as In Progress.' });
}

const defaultCols = [
  ['phone', 'Phone Number'], ['attempts', 'Number of Attempts'], ['priority', 'Priority'], ['start_time', 'Start Time'],
  ['duration_seconds', 'Duration'], ['end_time', 'End Time'], ['agent', 'Agent'], ['disposition', 'Disposition'],
];

export async function mount(ctx) {
  const id = ctx.params.id;
  const instances = await api('GET', `/api/v1/campaigns/${id}/instances`);
  const state = { instance: '', offset: 0, limit: 25, cols: new Set(defaultCols.map((c) => c[0])), fields: new Set() };
  const head = h('div', { class: 'toolbar', id: 'detail-head' });
  const overview = h('div', { class: 'cards', id: 'overview' });
  const charts = h('div', { class: 'charts', id: 'outcome' });
  const matrix = h('div', { class: 'table-wrap', id: 'matrix' });
  const execs = h('div', { class: 'table-wrap', id: 'executions' });
  const pager = h('div', { class: 'pager', id: 'exec-pager' });
  const colMenu = h('div', { class: 'menu columns-menu', id: 'columns-menu', hidden: true });
  const colBtn = h('button', { type: 'button', id: 'columns-button', 'aria-expanded': 'false', onclick: () => {
    renderColMenu();
    colMenu.hidden = !colMenu.hidden;
    colBtn.setAttribute('aria-expanded', String(!colMenu.hidden));
  } }, 'Columns ▾');

  const instSel = h('select', { id: 'instance', 'aria-label': 'Run', onchange: (ev) => { state.instance = ev.target.value; state.offset = 0; refresh(true); } },
    h('option', { value: '' }, 'Current run'), instances.map((i) => h('option', { value: i.id }, `Run ${i.number} (${i.kind}, ${i.status}) ${fmtTime(i.started_at || i.created_at)}`)));

  // Latest Execution controls, in the order the API applies them: filter, search, sort.
  const filt = h('form', { class: 'toolbar', id: 'exec-filter', role: 'search' },
    h('fieldset', { class: 'inline' }, h('legend', {}, '1. Filter'),
      field({ name: 'disposition', label: 'Disposition', type: 'select', options: [['', '(any)']] }),
      field({ name: 'priority', label: 'Priority', type: 'select', options: [['', '(any)'], 5, 4, 3, 2, 1] }),
      field({ name: 'since', label: 'From', type: 'datetime-local' }),
      field({ name: 'until', label: 'To', type: 'datetime-local' })),
    h('fieldset', { class: 'inline' }, h('legend', {}, '2. Search'),
      field({ name: 'search', label: 'Phone, first or last name', type: 'search', id: 'exec-search' })),
    h('fieldset', { class: 'inline' }, h('legend', {}, '3. Sort'),
      field({ name: 'sort', label: 'Sort by', type: 'select', options: [['start_time', 'Start Time'], ['priority', 'Priority'], ['disposition', 'Disposition']] }),
      field({ name: 'order', label: 'Order', type: 'select', options: [['desc', 'Descending'], ['asc', 'Ascending']] })),
    h('div', { class: 'dropdown' }, colBtn, colMenu));
  const iso = (v) => (v ? new Date(v).toISOString().replace(/\.\d+Z$/, 'Z') : '');

  const renderColMenu = () => {
    const all = [...defaultCols, ['first_name', 'First Name'], ['last_name', 'Last Name'], ['notes', 'Notes'], ...[...state.fields].sort().map((f) => ['field:' + f, f])];
    fill(colMenu, h('p', { class: 'help' }, 'Default columns, First and Last Name, and every field of the contact list.'),
      h('div', { class: 'columns-picker' }, all.map(([k, l], i) => h('label', { class: 'day' },
        h('input', { type: 'checkbox', id: 'col-' + i, value: k, checked: state.cols.has(k), onchange: (ev) => {
          if (ev.target.checked) state.cols.add(k); else state.cols.delete(k);
          lastExec = '';
          loadExec();
        } }), l))));
  };

  let lastDash = '', lastExec = '';
  const loadDash = async () => {
    const d = await api('GET', `/api/v1/campaigns/${id}/dashboard` + query({ instance: state.instance }));
    const sig = JSON.stringify(d);
    if (sig === lastDash) return;
    lastDash = sig;
    document.title = `${d.name} · outdial`;
    fill(document.getElementById('title'), d.name, ' ', h('span', { class: 'status ' + d.status, id: 'campaign-status' }, d.status));
    fill(head, h('span', {}, 'Voice · ' + (modeLabels[d.mode] || d.mode)),
      d.instance ? h('span', { class: 'muted' }, `Run ${d.instance.number} started ${fmtTime(d.instance.started_at || d.instance.created_at)}`) : h('span', { class: 'muted' }, 'Not run yet'),
      h('span', { class: 'spacer' }), h('label', { for: 'instance' }, 'Run '), instSel,
      h('a', { class: 'button', href: `/campaigns/${id}/edit` }, 'Settings'));
    const st = d.stats;
    const pct = (x) => (Math.round(x * 10) / 10) + '%';
    fill(overview,
      h('div', { class: 'card metric', id: 'metric-progress' }, h('h3', {}, 'Progress'), h('div', { class: 'value' }, d.progress.text), progressView(d.progress)),
      h('div', { class: 'card metric', id: 'metric-connected' }, h('h3', {}, 'Connected Calls'), h('div', { class: 'value' }, String(st.connected)), h('div', { class: 'sub' }, pct(d.connected_pct))),
      h('div', { class: 'card metric', id: 'metric-unconnected' }, h('h3', {}, 'Unconnected Calls'), h('div', { class: 'value' }, String(st.unconnected)), h('div', { class: 'sub' }, pct(d.unconnected_pct) + ' · includes retries and skips')),
      h('div', { class: 'card metric', id: 'metric-duration' }, h('h3', {}, 'Avg. Call Duration'), h('div', { class: 'value' }, fmtDuration(d.avg_call_duration_seconds)), h('div', { class: 'sub' }, 'of connected calls')));
    sizeBars(overview);
    fill(charts, barChart('chart-dialer', 'Outbound Dialer Dispositions (top 5)', st.outcomes || []),
      barChart('chart-agent', 'Agent Dispositions (top 5)', st.dispositions || [], true));
    fill(matrix, matrixTable(d));
    const sel = filt.elements.disposition;
    if (sel.options.length !== d.dispositions.length + 1) {
      const cur = sel.value;
      fill(sel, h('option', { value: '' }, '(any)'), d.dispositions.map((n) => h('option', { value: n, selected: n === cur }, n)));
    }
  };

  const loadExec = async () => {
    const f = filt.elements;
    const wantFields = [...state.cols].some((c) => c.startsWith('field:')) || !state.fields.size;
    const page = await api('GET', `/api/v1/campaigns/${id}/executions` + query({
      instance: state.instance, disposition: f.disposition.value, priority: f.priority.value, since: iso(f.since.value), until: iso(f.until.value),
      search: f.search.value.trim(), sort: f.sort.value, order: f.order.value, limit: state.limit, offset: state.offset, fields: wantFields ? 'all' : '',
    }));
    for (const r of page.rows) for (const k of Object.keys(r.fields || {})) state.fields.add(k);
    const sig = JSON.stringify([page, [...state.cols]]);
    if (sig === lastExec) return;
    lastExec = sig;
    const render = {
      start_time: (r) => fmtTime(r.start_time), end_time: (r) => fmtTime(r.end_time),
      duration_seconds: (r) => (r.start_time ? fmtDuration(r.duration_seconds) : ''),
      agent: (r) => (r.agent ? h('span', { class: 'agent', title: r.agent, 'aria-label': 'Agent ' + r.agent, role: 'img' }, '👤') : ''),
    };
    const cols = [...defaultCols, ['first_name', 'First Name'], ['last_name', 'Last Name'], ['notes', 'Notes'], ...[...state.fields].sort().map((k) => ['field:' + k, k])]
      .filter(([k]) => state.cols.has(k))
      .map(([k, l]) => ({ key: k, label: l, class: ['attempts', 'priority'].includes(k) ? 'num' : undefined,
        render: k.startsWith('field:') ? (r) => (r.fields || {})[k.slice(6)] ?? '' : render[k] }));
    fill(execs, table(cols, page.rows, { empty: 'No conversations match.' }));
    const to = Math.min(state.offset + state.limit, page.total);
    fill(pager, `${page.total ? state.offset + 1 : 0}–${to} of ${page.total}`,
      h('button', { type: 'button', disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - state.limit); loadExec(); } }, 'Previous'),
      h('button', { type: 'button', disabled: to >= page.total, onclick: () => { state.offset += state.limit; loadExec(); } }, 'Next'));
  };

  const refresh = async (force) => {
    if (force) { lastDash = ''; lastExec = ''; }
    await Promise.all([loadDash(), loadExec()]);
  };

  let timer = null;
  filt.addEventListener('input', (ev) => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.offset = 0; loadExec(); }, ev.target.name === 'search' ? 250 : 0);
  });
  filt.addEventListener('submit', (ev) => ev.preventDefault());

  fill(ctx.page, head,
    h('section', { 'aria-labelledby': 'h-overview' }, h('h2', { id: 'h-overview' }, 'Overview'), overview),
    h('section', { 'aria-labelledby': 'h-outcome' }, h('h2', { id: 'h-outcome' }, 'Outcome'), charts),
    h('section', { 'aria-labelledby': 'h-matrix' }, h('h2', { id: 'h-matrix' }, 'Disposition vs. Attempts'), matrix),
    h('section', { 'aria-labelledby': 'h-exec' }, h('h2', { id: 'h-exec' }, 'Latest Execution'), filt, execs, pager));
  await refresh(true);
  poll(() => refresh(false), 5000);
}
