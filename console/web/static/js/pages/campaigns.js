// campaigns.js: Campaign Management, Voice tab: the campaign table with its actions,
// sort, saved filters, live progress, and export/import of campaigns.
import { APIError, allows, api, query } from '../api.js';
import { clearErrors, confirmDialog, download, field, fill, fmtTime, h, modal, notice, poll, showErrors, table, toast } from '../ui.js';
import { upload } from '../upload.js';

export const modeLabels = { agentless: 'Agentless', progressive: 'Progressive', preview: 'Preview', power: 'Power', predictive: 'Predictive' };
const statuses = ['Ready', 'Active', 'Paused', 'Rerun', 'Completed'];
const MAX_EXPORT = 50;

/** startOfToday is local midnight as RFC 3339 (the "Recently imported" label lasts until end of day). */
export function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** progressView shows "x of y" with a bar. */
export function progressView(p) {
  const pct = p && p.total ? Math.round((p.done * 100) / p.total) : 0;
  return h('span', { class: 'progress', title: pct + '%' },
    h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: null, dataset: { pct } })), (p && p.text) || '0 of 0');
}

/** sizeBars sets the width of progress bars from data-pct (CSP forbids inline styles in markup, not in the DOM). */
export function sizeBars(root) {
  root.querySelectorAll('.progress .bar span[data-pct]').forEach((s) => { s.style.width = s.dataset.pct + '%'; });
}

export async function mount(ctx) {
  const canWrite = await allows('POST /api/v1/campaigns');
  const canImport = await allows('POST /api/v1/campaigns/import');
  const canExport = await allows('POST /api/v1/campaigns/export');
  if (!canWrite) notice(`Read-only: role ${ctx.user.role} can view campaigns but not change them.`, 'info');
  const saved = new URLSearchParams(location.search).get('saved');
  if (saved) { toast(`Campaign ${saved} saved.`); history.replaceState(null, '', '/campaigns'); }

  // state: what the table shows. selected persists across pages (individual
  // selection); pageAll marks ids chosen by the page-level Select All.
  const state = { search: '', sort: 'run_time', order: 'asc', filter: null, adhoc: null, page: 0, size: 10, rows: [], selected: new Map(), pageAll: new Set(), recent: new Set(), filters: [] };
  const out = h('div', { class: 'table-wrap', id: 'campaigns-table' });
  const pager = h('div', { class: 'pager', id: 'campaigns-pager' });
  const selInfo = h('span', { id: 'selection', class: 'muted' });
  const exportBtn = h('button', { type: 'button', id: 'export', disabled: true, onclick: () => exportSelected() }, 'Export');
  const search = h('input', { type: 'search', id: 'campaign-search', name: 'search', placeholder: 'Campaign name' });
  const filterBtn = h('button', { type: 'button', id: 'filters-button', 'aria-expanded': 'false', 'aria-haspopup': 'true' }, 'Filters ▾');
  const filterMenu = h('div', { class: 'menu', id: 'filters-menu', hidden: true });
  const chips = h('div', { class: 'chips', id: 'filter-chips' });
  let last = '';

  const clearSelection = () => { state.selected.clear(); state.pageAll.clear(); };

  const params = () => {
    const p = { search: state.search, sort: state.sort, order: state.order };
    if (state.filter) p.filter = state.filter.id;
    else if (state.adhoc) Object.assign(p, { status: state.adhoc.statuses.join(','), priority: state.adhoc.priorities.join(','), mode: state.adhoc.modes.join(',') });
    return p;
  };

  const fetchRows = async () => api('GET', '/api/v1/campaigns' + query(params()));
  const loadRecent = async () => {
    try {
      const logs = await api('GET', '/api/v1/campaign-logs' + query({ sub_type: 'Imported', since: startOfToday(), limit: 5000 }));
      state.recent = new Set(logs.map((l) => l.campaign_id));
    } catch { state.recent = new Set(); }
  };

  const act = async (c, action) => {
    const verbs = { play: 'started', pause: 'paused', resume: 'resumed', stop: 'stopped', rerun: 'rerun' };
    if (action === 'stop' && !(await confirmDialog('Stop campaign?', `Stop ${c.name}? This ends the current run and resets the campaign's data; running it again starts a new instance.`, 'Stop', true))) return;
    try {
      const res = await api('POST', `/api/v1/campaigns/${c.id}/${action}`);
      notice('');
      toast(`${c.name} ${verbs[action]}: now ${res.status}.`);
      await load(true);
    } catch (e) {
      if (!(e instanceof APIError)) throw e;
      notice(`${c.name} was not ${verbs[action]}: ${e.message}`, 'error');
    }
  };

  const clone = async (c) => {
    try {
      const res = await api('POST', `/api/v1/campaigns/${c.id}/clone`);
      clearSelection();
      toast(`Cloned ${c.name} as ${res.name}.`);
      await load(true);
    } catch (e) { notice(`${c.name} was not cloned: ${e.message}`, 'error'); }
  };

  const remove = async (c) => {
    if (!(await confirmDialog('Delete campaign?', `Delete ${c.name} and all its runs? This cannot be undone.`, 'Delete', true))) return;
    try {
      await api('DELETE', `/api/v1/campaigns/${c.id}`);
      clearSelection();
      toast(`Deleted ${c.name}.`);
      await load(true);
    } catch (e) { notice(`${c.name} was not deleted: ${e.message}`, 'error'); }
  };

  // The Play/Pause/Replay control follows the status. A scheduled campaign still shows
  // Play: the API's refusal ("starts at its scheduled time") is the message the spec wants.
  const runButton = (c) => {
    const by = { Ready: ['play', 'Play', '▶ '], Active: ['pause', 'Pause', ''], Rerun: ['pause', 'Pause', ''], Paused: ['resume', 'Resume', '▶ '], Completed: ['rerun', 'Replay', ''] };
    const [action, label, icon] = by[c.status] || ['play', 'Play', '▶ '];
    return h('button', { type: 'button', class: 'write run ' + action, disabled: !canWrite, 'data-action': action, 'aria-label': `${label} ${c.name}`, onclick: () => act(c, action) }, icon + label);
  };

  const toggle = (c, on) => {
    if (on) {
      if (state.selected.size >= MAX_EXPORT) { notice(`You can export at most ${MAX_EXPORT} campaigns at a time; run several exports for more.`, 'warn'); return false; }
      state.selected.set(c.id, c.name);
    } else {
      state.selected.delete(c.id);
      state.pageAll.delete(c.id);
    }
    return true;
  };

  const pageRows = () => state.rows.slice(state.page * state.size, (state.page + 1) * state.size);

  const render = () => {
    const rows = pageRows();
    const allOn = rows.length > 0 && rows.every((c) => state.selected.has(c.id));
    const head = h('input', { type: 'checkbox', id: 'select-page', 'aria-label': 'Select all campaigns on this page', checked: allOn, disabled: !canExport,
      onchange: (ev) => {
        if (ev.target.checked) {
          for (const c of rows) {
            if (state.selected.has(c.id)) continue;
            if (!toggle(c, true)) break;
            state.pageAll.add(c.id);
          }
        } else rows.forEach((c) => toggle(c, false));
        render();
      } });
    const cols = [
      { key: '_sel', label: head, class: 'select', render: (c) => h('input', { type: 'checkbox', 'aria-label': 'Select ' + c.name, checked: state.selected.has(c.id), disabled: !canExport,
        onchange: (ev) => { if (!toggle(c, ev.target.checked)) ev.target.checked = false; state.pageAll.delete(c.id); render(); } }) },
      { key: 'name', label: 'Name', render: (c) => [h('a', { href: '/dashboard/' + c.id, class: 'campaign-name' }, c.name),
        state.recent.has(c.id) ? h('span', { class: 'label-new' }, 'Recently imported') : null,
        c.scheduled ? h('span', { class: 'label-new', title: c.next_start_at ? 'Next start ' + fmtTime(c.next_start_at) : '' }, 'Scheduled') : null,
        h('div', { class: 'help' }, 'Voice · ' + (modeLabels[c.mode] || c.mode))] },
      { key: '_a', label: 'Actions', class: 'row-actions', render: (c) => [
        runButton(c),
        h('button', { type: 'button', class: 'write', disabled: !canWrite || !['Active', 'Rerun', 'Paused'].includes(c.status), 'aria-label': 'Stop ' + c.name, onclick: () => act(c, 'stop') }, '■ Stop'),
        h('a', { class: 'button', href: `/campaigns/${c.id}/edit`, 'aria-label': 'Edit ' + c.name }, canWrite ? 'Edit' : 'View'),
        h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Clone ' + c.name, onclick: () => clone(c) }, 'Clone'),
        h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Delete ' + c.name, onclick: () => remove(c) }, 'Delete'),
      ] },
      { key: 'priority', label: 'Priority', class: 'num', sort: true },
      { key: 'status', label: 'Status', render: (c) => h('span', { class: 'status ' + c.status }, c.status) },
      { key: 'progress', label: 'Progress', render: (c) => progressView(c.progress) },
      { key: 'contact_lists', label: 'Contact List' },
      { key: 'connection', label: 'Connection' },
      { key: 'run_time', label: 'Last Run', sort: true, render: (c) => fmtTime(c.last_run_at) },
      { key: 'updated_at', label: 'Last Updated', render: (c) => fmtTime(c.updated_at) },
    ];
    fill(out, table(cols, rows, {
      sort: { key: state.sort, dir: state.order },
      onsort: (k) => { state.order = state.sort === k && state.order === 'asc' ? 'desc' : 'asc'; state.sort = k; state.page = 0; clearSelection(); load(true); },
      rowData: (c) => ({ id: c.id, status: c.status }),
      empty: state.search || state.filter || state.adhoc ? 'No campaign matches the search or filter.' : 'No voice campaigns yet. Select + New Campaign to create one.',
    }));
    sizeBars(out);
    const pages = Math.max(1, Math.ceil(state.rows.length / state.size));
    const go = (p) => {
      // Page-level Select All resets on navigation; individual choices stay.
      for (const id of state.pageAll) state.selected.delete(id);
      state.pageAll.clear();
      state.page = p;
      render();
    };
    fill(pager, `Page ${state.page + 1} of ${pages} · ${state.rows.length} campaigns`,
      h('button', { type: 'button', id: 'prev-page', disabled: state.page === 0, onclick: () => go(state.page - 1) }, 'Previous'),
      h('button', { type: 'button', id: 'next-page', disabled: state.page >= pages - 1, onclick: () => go(state.page + 1) }, 'Next'));
    fill(selInfo, state.selected.size ? `${state.selected.size} selected (at most ${MAX_EXPORT})` : '');
    exportBtn.disabled = !state.selected.size || !canExport;
    exportBtn.textContent = state.selected.size ? `Export ${state.selected.size}` : 'Export';
    renderChips();
  };

  // load fetches the table; full loads (user actions) also refresh the import labels.
  // The live refresh redraws only when something changed, so focus and menus stay put.
  const load = async (full) => {
    if (full) await loadRecent();
    const rows = await fetchRows();
    const sig = JSON.stringify(rows);
    if (!full && sig === last) return;
    last = sig;
    state.rows = rows;
    const pages = Math.max(1, Math.ceil(rows.length / state.size));
    if (state.page >= pages) state.page = pages - 1;
    render();
  };

  const exportSelected = async () => {
    const ids = [...state.selected.keys()];
    try {
      const res = await api('POST', '/api/v1/campaigns/export', { ids }, { raw: true });
      const name = (res.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
      download(name ? name[1] : 'campaigns.csv', await res.blob());
      toast(`Exported ${ids.length} campaigns. The export is recorded in Campaign Logs.`);
    } catch (e) { notice('Export failed: ' + e.message, 'error'); }
  };

  const importDialog = () => {
    const file = h('input', { type: 'file', name: 'file', id: 'f-import-file', accept: '.csv,text/csv' });
    const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
    const result = h('div', { class: 'wide', id: 'import-result', 'aria-live': 'polite' });
    const form = h('form', { novalidate: true },
      h('div', { class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'field wide' }, h('label', { for: 'f-import-file' }, 'Campaign export file (CSV)'), file,
        h('p', { class: 'help' }, 'A file made by Export, with up to 50 campaigns. Each campaign is imported whole or skipped; its contact lists, DNC list, caller ID and flow or queue must exist here under the same names.')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Import'), bar),
      result);
    modal('Import campaigns', form, { wide: true, onclose: () => { clearSelection(); load(true); } });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      fill(result);
      if (!file.files[0]) { showErrors(form, { field: 'file', message: 'Choose the CSV file to import.' }); return; }
      const fd = new FormData();
      fd.append('file', file.files[0]);
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      bar.hidden = false;
      try {
        const res = await upload('POST', '/api/v1/campaigns/import', fd, (f) => { bar.value = f; });
        const skipped = res.results.filter((r) => !r.id);
        fill(result, h('p', { class: 'banner ' + (res.failed ? (res.imported ? 'warn' : 'error') : 'ok'), id: 'import-message' }, res.message),
          skipped.length ? table([{ key: 'row', label: 'Row', class: 'num' }, { key: 'name', label: 'Campaign' }, { key: 'reason', label: 'Reason' }], skipped, { caption: 'Skipped campaigns' }) : null,
          skipped.length ? h('p', {}, h('a', { href: '/campaign-logs' }, 'Open Campaign Logs')) : null);
      } catch (e) {
        if (!(e instanceof APIError)) throw e;
        showErrors(form, e);
      } finally {
        btn.disabled = false;
        bar.hidden = true;
      }
    });
  };

  // Saved filters.
  const loadFilters = async () => { state.filters = await api('GET', '/api/v1/campaigns/filters'); };

  const renderChips = () => {
    const f = state.filter || state.adhoc;
    if (!f) { fill(chips); return; }
    const parts = [...(f.statuses || []), ...(f.priorities || []).map((p) => 'Priority ' + p), ...(f.modes || []).map((m) => modeLabels[m] || m)];
    fill(chips, h('span', { class: 'label-new', id: 'active-filter' }, (state.filter ? state.filter.name + ': ' : 'Filter: ') + (parts.join(', ') || 'everything'),
      ' ', h('button', { type: 'button', class: 'link', 'aria-label': 'Clear filter', onclick: () => { state.filter = null; state.adhoc = null; state.page = 0; clearSelection(); load(true); } }, '✕')));
  };

  const applyFilter = (f, saved) => {
    state.filter = saved ? f : null;
    state.adhoc = saved ? null : f;
    state.page = 0;
    clearSelection();
    filterMenu.hidden = true;
    filterBtn.setAttribute('aria-expanded', 'false');
    return load(true);
  };

  const filterDialog = (cur) => {
    const box = (name, values, labels, on) => h('fieldset', { 'data-field': name },
      h('legend', {}, { statuses: 'Status', priorities: 'Priority', modes: 'Dialing Mode' }[name]),
      values.map((v, i) => field({ id: `flt-${name}-${v}`, name: `${name}:${v}`, label: labels ? labels[i] : String(v), type: 'checkbox', value: (on || []).includes(v) })));
    const form = h('form', { novalidate: true, id: 'filter-form' },
      h('div', { class: 'form-error', role: 'alert', hidden: true }),
      box('statuses', statuses, null, cur && cur.statuses),
      box('priorities', [5, 4, 3, 2, 1], ['5 (highest)', '4', '3', '2', '1 (lowest)'], cur && cur.priorities),
      box('modes', Object.keys(modeLabels), Object.values(modeLabels), cur && cur.modes),
      h('fieldset', { class: 'wide' }, h('legend', {}, 'Save'),
        field({ name: 'name', label: 'Filter name (up to 20 characters)', maxlength: 20, value: cur ? cur.name : '' }),
        field({ name: 'default', label: 'Make this the default view', type: 'checkbox', value: cur && cur.default })),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', value: 'save' }, 'Save & Apply'),
        cur ? null : h('button', { type: 'submit', value: 'apply' }, 'Apply without saving')));
    const m = modal(cur ? 'Edit filter' : 'New filter', form, { wide: true });
    const read = () => {
      const pick = (name, num) => [...form.querySelectorAll(`input[name^="${name}:"]`)].filter((x) => x.checked).map((x) => { const v = x.name.split(':')[1]; return num ? Number(v) : v; });
      return { name: form.elements.name.value.trim(), default: form.elements.default.checked, statuses: pick('statuses'), priorities: pick('priorities', true), modes: pick('modes') };
    };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const body = read();
      if (ev.submitter && ev.submitter.value === 'apply') { m.close(); await applyFilter(body, false); return; }
      try {
        const f = cur ? await api('PUT', `/api/v1/campaigns/filters/${cur.id}`, body) : await api('POST', '/api/v1/campaigns/filters', body);
        m.close();
        toast(`Filter ${f.name} saved${f.default ? ' as the default view' : ''}.`);
        await loadFilters();
        await applyFilter(f, true);
      } catch (e) {
        if (!(e instanceof APIError)) throw e;
        showErrors(form, e);
      }
    });
  };

  const duplicateDialog = (f) => {
    const form = h('form', { novalidate: true },
      h('div', { class: 'form-error', role: 'alert', hidden: true }),
      field({ name: 'name', label: 'Name of the copy (up to 20 characters)', maxlength: 20, value: (f.name + ' copy').slice(0, 20) }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save')));
    const m = modal('Duplicate filter', form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const out = await api('POST', `/api/v1/campaigns/filters/${f.id}/duplicate`, { name: form.elements.name.value.trim() });
        m.close();
        toast(`Filter ${out.name} created.`);
        await loadFilters();
        renderMenu();
      } catch (e) {
        if (!(e instanceof APIError)) throw e;
        showErrors(form, e);
      }
    });
  };

  const renderMenu = () => {
    fill(filterMenu,
      h('button', { type: 'button', class: 'link', id: 'add-filter', onclick: () => { filterMenu.hidden = true; filterDialog(null); } }, '+ Add New Filter'),
      state.filters.length ? h('ul', {}, state.filters.map((f) => h('li', { dataset: { filter: f.name } },
        h('button', { type: 'button', class: 'link', 'aria-label': 'Apply filter ' + f.name, onclick: () => applyFilter(f, true) }, f.name),
        f.default ? h('span', { class: 'label-new' }, 'Default') : null,
        h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'link', 'aria-label': 'Edit filter ' + f.name, onclick: () => { filterMenu.hidden = true; filterDialog(f); } }, 'Edit'),
        h('button', { type: 'button', class: 'link', 'aria-label': 'Duplicate filter ' + f.name, onclick: () => { filterMenu.hidden = true; duplicateDialog(f); } }, 'Duplicate'),
        h('button', { type: 'button', class: 'link', 'aria-label': (f.default ? 'Unmark default ' : 'Mark as default ') + f.name, onclick: async () => {
          const out = await api('POST', `/api/v1/campaigns/filters/${f.id}/default`, { default: !f.default });
          toast(out.default ? `${f.name} is now the default view.` : `${f.name} is no longer the default view.`);
          await loadFilters();
          renderMenu();
        } }, f.default ? 'Unmark default' : 'Mark as Default'),
        h('button', { type: 'button', class: 'link', 'aria-label': 'Delete filter ' + f.name, onclick: async () => {
          filterMenu.hidden = true;
          if (!(await confirmDialog('Delete filter?', `Delete the saved filter ${f.name}?`, 'Delete', true))) return;
          await api('DELETE', `/api/v1/campaigns/filters/${f.id}`);
          toast(`Filter ${f.name} deleted.`);
          await loadFilters();
          if (state.filter && state.filter.id === f.id) await applyFilter(null, false);
          renderMenu();
        } }, 'Delete')))) : h('p', { class: 'help' }, 'No saved filters yet.'));
  };

  filterBtn.addEventListener('click', () => {
    renderMenu();
    filterMenu.hidden = !filterMenu.hidden;
    filterBtn.setAttribute('aria-expanded', String(!filterMenu.hidden));
  });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !filterMenu.hidden) { filterMenu.hidden = true; filterBtn.setAttribute('aria-expanded', 'false'); filterBtn.focus(); } });

  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.search = search.value.trim(); state.page = 0; clearSelection(); load(true); }, 250);
  });
  const size = h('select', { id: 'page-size', 'aria-label': 'Campaigns per page', onchange: (ev) => { state.size = Number(ev.target.value); state.page = 0; state.pageAll.clear(); render(); } },
    [10, 25, 50].map((n) => h('option', { value: n, selected: n === state.size }, n + ' per page')));

  fill(ctx.page,
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Campaign types' },
      h('button', { type: 'button', role: 'tab', 'aria-selected': 'true', id: 'tab-voice' }, 'Voice')),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'campaign-search' }, 'Search'), search),
      h('div', { class: 'dropdown' }, filterBtn, filterMenu),
      chips,
      h('span', { class: 'spacer' }),
      selInfo, exportBtn,
      h('button', { type: 'button', id: 'import', class: 'write', disabled: !canImport, onclick: importDialog }, 'Import'),
      h('button', { type: 'button', id: 'refresh', onclick: () => { clearSelection(); load(true).then(() => toast('Refreshed.')); } }, 'Refresh'),
      canWrite ? h('a', { class: 'button primary', id: 'new-campaign', href: '/campaigns/new' }, '+ New Campaign') : null),
    out, h('div', { class: 'toolbar' }, pager, size));

  await loadFilters();
  state.filter = state.filters.find((f) => f.default) || null;
  await load(true);
  // Progress and status change by themselves while campaigns run: refresh every 5 s.
  poll(() => load(false), 5000);
}
