// lists.js: List Management tables (contact, DNC and agent mapping lists) with
// create-by-upload (mapping step, progress, report), append, delete and Mark as Global.
// Contact lists may instead come from an API integration (list-api.js): the table
// shows their source and URL, with the edit icon next to the URL and Sync now.
import { APIError, allows, api, query } from '../api.js';
import { apiListDialog, syncNow } from '../list-api.js';
import { clearErrors, confirmDialog, download, field, fill, fmtTime, h, modal, notice, poll, showErrors, table, toast } from '../ui.js';
import { upload } from '../upload.js';

const kinds = {
  '/lists': { api: '/api/v1/contact-lists', one: 'contact list', view: '/lists/contact/', countLabel: 'Contacts', fileRequired: true,
    fields: ['phone', 'first_name', 'last_name', 'time_zone', 'priority', 'agent'], dupes: true, sources: true },
  '/lists/dnc': { api: '/api/v1/dnc-lists', one: 'DNC list', view: '/lists/dnc/', countLabel: 'Contacts', fileRequired: false,
    fields: ['phone', 'expires'], global: true, template: 'phone,expires_at\r\n"+14155550123",\r\n' },
  '/lists/mapping': { api: '/api/v1/agent-mapping-lists', one: 'mapping list', view: '/lists/mapping/', countLabel: 'Mappings', fileRequired: false,
    fields: ['phone', 'agent', 'priority'] },
};

const sourceLabels = { csv: 'Local Drive', api: 'API', manual: 'Manual' };

const fieldLabels = { phone: 'Phone number (E.164)', first_name: 'First name', last_name: 'Last name', time_zone: 'Time zone (tz database)', priority: 'Customer priority', agent: 'Agent (id or email)', expires: 'Expires at' };

/** csvHeader reads the first record of a CSV file in the browser for the mapping step. */
async function csvHeader(file) {
  const text = await file.slice(0, 64 * 1024).text();
  const out = [];
  let cur = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else if (c === '\n' || c === '\r') break;
    else cur += c;
  }
  out.push(cur);
  return out.map((x) => x.replace(/^\uFEFF/, '').trim()).filter((x) => x !== '');
}

/** reportView shows what an import did, with the rejected rows and their download. */
export function reportView(rep) {
  if (!rep) return null;
  const ok = rep.status === 'completed';
  const parts = [h('p', { class: 'banner ' + (ok && !rep.rejected ? 'ok' : ok ? 'warn' : 'error'), id: 'import-report' },
    ok ? `Imported ${rep.imported} of ${rep.rows} rows.` : 'Nothing was imported.',
    rep.rejected ? ` ${rep.rejected} rows were rejected.` : '',
    rep.duplicates ? ` ${rep.duplicates} duplicates.` : '',
    rep.error ? ' ' + rep.error : '')];
  if (rep.errors && rep.errors.length) {
    parts.push(table([
      { key: 'row', label: 'Row', class: 'num' }, { key: 'column', label: 'Column' },
      { key: 'value', label: 'Value' }, { key: 'reason', label: 'Reason' },
    ], rep.errors.slice(0, 20), { caption: rep.errors.length > 20 ? 'First 20 rejected rows' : 'Rejected rows' }));
  }
  if (rep.rejected && rep.import_id) {
    parts.push(h('p', {}, h('button', { type: 'button', onclick: () => downloadRejected(rep.import_id) }, 'Download rejected rows (CSV)')));
  }
  return h('div', { class: 'wide' }, parts);
}

export async function downloadRejected(importID) {
  const res = await api('GET', `/api/v1/list-imports/${importID}/rejected.csv`, undefined, { raw: true });
  download(`import-${importID}-rejected.csv`, await res.blob());
}

/**
 * uploadDialog asks for a CSV (and, for a new list, a name), shows its header for the
 * mapping step, uploads with progress and shows the report.
 */
export function uploadDialog(kind, list, done) {
  let creating = !list;
  const mapBox = h('fieldset', { class: 'wide', hidden: true }, h('legend', {}, 'Mapping fields'));
  const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const result = h('div', { class: 'wide', 'aria-live': 'polite' });
  const file = h('input', { type: 'file', name: 'file', id: 'f-file', accept: '.csv,text/csv' });
  // A new contact list comes from the Local Drive (this form) or an API integration.
  // (A radio group, not a fieldset: the mapping fieldset stays the dialog's first.)
  const source = creating && kind.sources ? h('div', { class: 'field wide', id: 'list-source', role: 'radiogroup', 'aria-labelledby': 'list-source-l' },
    h('span', { class: 'label', id: 'list-source-l' }, 'Source'),
    h('span', { class: 'choices' }, [['local', 'Local Drive'], ['api', 'API Integration']].map(([v, l]) => h('label', { class: 'day' },
      h('input', { type: 'radio', name: 'source', value: v, id: 'source-' + v, checked: v === 'local' }), l)))) : null;
  const form = h('form', { novalidate: true },
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    source,
    creating ? field({ name: 'name', label: 'Name', required: true, maxlength: 200 }) : null,
    creating ? field({ name: 'description', label: 'Description' }) : null,
    h('div', { class: 'field wide' }, h('label', { for: 'f-file' }, 'CSV file' + (kind.fileRequired || !creating ? '' : ' (optional)')), file,
      h('p', { class: 'help' }, 'Phone numbers in E.164 (+ country code, area code, number). Up to 150 columns of up to 300 characters.',
        kind.template ? [' ', h('button', { type: 'button', class: 'link', onclick: () => download('dnc-template.csv', kind.template, 'text/csv') }, 'Download the CSV template')] : '')),
    mapBox,
    field({ name: 'strict', label: 'Reject the whole file when any row is bad', type: 'checkbox' }),
    kind.dupes ? field({ name: 'allow_duplicates', label: 'Keep rows whose number is already in the list', type: 'checkbox' }) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, creating ? 'Save' : 'Upload'), bar),
    result);
  file.addEventListener('change', async () => {
    const f = file.files[0];
    fill(mapBox, h('legend', {}, 'Mapping fields'));
    if (!f) { mapBox.hidden = true; return; }
    const head = await csvHeader(f);
    mapBox.append(h('p', { class: 'help' }, 'Choose what each column holds. Leave every column on "Automatic" to let the server recognise the usual headers; columns not mapped stay available to flows as custom fields.'));
    head.forEach((col, i) => {
      mapBox.append(field({ id: 'map-' + i, name: 'map:' + col, label: col, type: 'select',
        options: [['', 'Automatic'], ['-', 'Custom field'], ...kind.fields.map((k) => [k, fieldLabels[k]])] }));
    });
    mapBox.hidden = false;
  });
  const m = modal(creating ? 'New ' + kind.one : `Upload to ${list.name}`, form, { wide: true, onclose: done });
  if (source) {
    source.addEventListener('change', (ev) => {
      if (ev.target.value !== 'api') return;
      const preset = { name: form.elements.name.value.trim(), description: form.elements.description.value.trim() };
      m.close();
      apiListDialog(null, done, preset);
    });
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    fill(result);
    const fd = new FormData();
    if (creating) { fd.append('name', form.elements.name.value.trim()); fd.append('description', form.elements.description.value.trim()); }
    fd.append('strict', form.elements.strict.checked ? 'true' : 'false');
    if (kind.dupes) fd.append('allow_duplicates', form.elements.allow_duplicates.checked ? 'true' : 'false');
    mapBox.querySelectorAll('select').forEach((s) => {
      if (s.value && s.value !== '-') fd.append('map', s.name.slice(4) + '=' + s.value);
    });
    if (file.files[0]) fd.append('file', file.files[0]);
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    try {
      const path = creating ? kind.api : `${kind.api}/${list.id}/rows`;
      const res = await upload('POST', path, fd, (f) => { bar.value = f; });
      const rep = creating ? res.report : res;
      fill(result, reportView(rep));
      toast(creating ? `${kind.one} ${res.list.name} created: ${res.list.status}.` : 'Upload finished.');
      btn.textContent = 'Upload another file';
      if (creating) { form.elements.name.disabled = true; form.elements.description.disabled = true; list = res.list; creating = false; }
    } catch (e) {
      if (!(e instanceof APIError)) throw e;
      showErrors(form, e);
    } finally {
      btn.disabled = false;
      bar.hidden = true;
    }
  });
  return m;
}

export async function mount(ctx) {
  const kind = kinds[location.pathname];
  const canWrite = await allows('POST ' + kind.api);
  if (!canWrite) notice(`Read-only: role ${ctx.user.role} can view lists but not change them.`, 'info');
  const state = { search: '', sort: 'updated_at', desc: true, offset: 0, limit: 25 };
  const search = h('input', { type: 'search', id: 'list-search', name: 'search', placeholder: 'Name or description' });
  const out = h('div', { class: 'table-wrap', id: 'lists-table' });
  const pager = h('div', { class: 'pager' });

  const load = async () => {
    const res = await api('GET', kind.api + query({ search: state.search, sort: state.sort, desc: state.desc ? 'true' : '', limit: state.limit, offset: state.offset }));
    const cols = [
      { key: 'name', label: kind.one === 'contact list' ? 'Contact Lists' : kind.one === 'DNC list' ? 'DNC Lists' : 'Mapping Lists', sort: true,
        render: (l) => [h('a', { href: kind.view + l.id }, l.name), l.global ? h('span', { class: 'label-global' }, 'Global') : null,
          l.source === 'api' ? h('span', { class: 'label-new' }, 'API') : null] },
      kind.sources ? { key: 'source', label: 'Source', class: 'source', render: (l) => l.source !== 'api' ? sourceLabels[l.source] || l.source : [
        'API ', h('span', { class: 'list-url', title: l.url || '' }, l.url || ''),
        h('button', { type: 'button', class: 'link write edit-url', disabled: !canWrite, title: 'Edit the API integration', 'aria-label': 'Edit integration of ' + l.name, onclick: () => apiListDialog(l, load) }, '✎')] } : null,
      { key: 'status', label: 'Status', render: (l) => [h('span', { class: 'status ' + l.status, title: l.error || '' }, l.status), l.error ? h('div', { class: 'help' }, l.error) : null] },
      { key: 'entries', label: kind.countLabel, class: 'num', sort: true },
      { key: 'campaigns', label: 'Campaigns', render: (l) => (l.campaigns || []).join(', ') },
      { key: 'updated_at', label: 'Last Updated', sort: true, render: (l) => fmtTime(l.updated_at) },
      { key: '_a', label: 'Actions', class: 'row-actions', render: (l) => [
        h('a', { class: 'button', href: kind.view + l.id, 'aria-label': 'View ' + l.name }, 'View'),
        l.source !== 'api' ? h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Upload to ' + l.name, onclick: () => uploadDialog(kind, l, load) }, 'Upload') : null,
        l.source === 'api' ? h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Sync ' + l.name + ' now', onclick: (ev) => { ev.target.disabled = true; syncNow(l, load); } }, 'Sync now') : null,
        kind.global && !l.global ? h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Mark ' + l.name + ' as Global', onclick: () => markGlobal(l) }, 'Mark as Global') : null,
        h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Delete ' + l.name, onclick: () => remove(l) }, 'Delete'),
      ] },
    ];
    fill(out, table(cols.filter(Boolean), res.items || [], {
      sort: { key: state.sort, dir: state.desc ? 'desc' : 'asc' },
      onsort: (k) => { state.desc = state.sort === k ? !state.desc : k !== 'name'; state.sort = k; state.offset = 0; load(); },
      rowData: (l) => ({ id: l.id }),
      class: '', empty: state.search ? 'No list matches the search.' : `No ${kind.one}s yet.`,
    }));
    out.querySelectorAll('tbody tr').forEach((tr, i) => { if ((res.items || [])[i]?.global) tr.classList.add('global'); });
    const from = res.total ? state.offset + 1 : 0, to = Math.min(state.offset + state.limit, res.total);
    fill(pager, `${from}–${to} of ${res.total}`,
      h('button', { type: 'button', disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - state.limit); load(); } }, 'Previous'),
      h('button', { type: 'button', disabled: to >= res.total, onclick: () => { state.offset += state.limit; load(); } }, 'Next'));
  };

  const markGlobal = async (l) => {
    if (!(await confirmDialog('Mark as Global?', `Make ${l.name} the Global DNC list? It then applies to every voice campaign, and the current global list is unmarked.`, 'Confirm'))) return;
    try {
      await api('POST', `${kind.api}/${l.id}/global`);
      toast(`${l.name} is now the Global DNC list.`);
      await load();
    } catch (e) { notice(`${l.name} was not marked global: ${e.message}`, 'error'); }
  };
  const remove = async (l) => {
    if (!(await confirmDialog(`Delete ${kind.one}?`, `Delete ${l.name} and all its entries? This cannot be undone.`, 'Delete', true))) return;
    try {
      await api('DELETE', `${kind.api}/${l.id}`);
      toast(`Deleted ${l.name}.`);
      await load();
    } catch (e) { notice(`${l.name} was not deleted: ${e.message}`, 'error'); }
  };

  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.search = search.value.trim(); state.offset = 0; load(); }, 250); });
  fill(ctx.page,
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'list-search' }, 'Search'), search),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'write', onclick: () => load().then(() => toast('Refreshed.')) }, 'Refresh'),
      h('button', { type: 'button', class: 'primary write', id: 'new-list', disabled: !canWrite, onclick: () => uploadDialog(kind, null, load) }, '+ New ' + kind.one)),
    out, pager);
  await load();
  // Lists being validated change status by themselves: keep the table current.
  poll(async () => { if (out.querySelector('.status.Validating')) await load(); }, 5000);
}
