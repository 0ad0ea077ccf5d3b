// list-detail.js: one list's entries: contacts (with imports and mapping), DNC numbers
// (validity, add one, remove one) or agent mappings (add, edit, delete).
import { APIError, allows, api, query } from '../api.js';
import { clearErrors, confirmDialog, field, fill, fmtTime, h, modal, notice, showErrors, table, toast } from '../ui.js';
import { downloadRejected, uploadDialog } from './lists.js';

const views = {
  contact: { api: '/api/v1/contact-lists', entries: 'contacts', one: 'contact list', back: '/lists', fields: ['phone', 'first_name', 'last_name', 'time_zone', 'priority', 'agent'], dupes: true, fileRequired: true },
  dnc: { api: '/api/v1/dnc-lists', entries: 'entries', one: 'DNC list', back: '/lists/dnc', fields: ['phone', 'expires'] },
  mapping: { api: '/api/v1/agent-mapping-lists', entries: 'mappings', one: 'mapping list', back: '/lists/mapping', fields: ['phone', 'agent', 'priority'] },
};

export async function mount(ctx) {
  const which = location.pathname.split('/')[2];
  const v = views[which];
  const id = ctx.params.id;
  const canWrite = await allows('POST ' + v.api);
  const state = { search: '', offset: 0, limit: 50 };
  const head = h('div', { id: 'list-head' });
  const out = h('div', { class: 'table-wrap', id: 'entries' });
  const pager = h('div', { class: 'pager' });
  const extra = h('div');
  const search = h('input', { type: 'search', id: 'entry-search', placeholder: which === 'contact' ? 'Number or name' : 'Number' });
  let agents = {};

  const info = async () => {
    let list = { id, name: `${v.one} #${id}` };
    if (which === 'contact') {
      const d = await api('GET', `${v.api}/${id}`);
      list = d.list;
      const mapped = Object.entries(d.mapping || {}).filter(([, x]) => x && x.length).map(([k, x]) => `${k} ← ${Array.isArray(x) ? x.join(', ') : x}`);
      fill(extra, h('h2', {}, 'Imports'), table([
        { key: 'started_at', label: 'Date & Time', render: (i) => fmtTime(i.started_at) },
        { key: 'file_name', label: 'File' }, { key: 'status', label: 'Status', render: (i) => h('span', { class: 'status ' + i.status }, i.status) },
        { key: 'rows', label: 'Rows', class: 'num' }, { key: 'imported', label: 'Imported', class: 'num' },
        { key: 'rejected', label: 'Rejected', class: 'num' }, { key: 'duplicates', label: 'Duplicates', class: 'num' },
        { key: '_r', label: 'Report', render: (i) => (i.rejected ? h('button', { type: 'button', onclick: () => downloadRejected(i.id) }, 'Rejected rows (CSV)') : '') },
      ], d.imports || [], { empty: 'No imports.' }),
      mapped.length ? h('p', { class: 'help' }, 'Mapping: ' + mapped.join('; ')) : null);
    } else if (which === 'dnc') {
      list = await api('GET', `${v.api}/${id}`);
    }
    document.getElementById('title').textContent = list.name;
    document.title = list.name + ' · outdial';
    fill(head, h('p', {},
      list.status ? [h('span', { class: 'status ' + list.status }, list.status), ' '] : null,
      list.global ? [h('span', { class: 'label-global' }, 'Global'), ' '] : null,
      list.entries !== undefined ? `${list.entries} entries. ` : '',
      list.description || '', list.error ? h('span', { class: 'field-error' }, ' ' + list.error) : null),
    h('p', {}, h('a', { href: v.back }, '← All ' + v.one + 's')));
    return list;
  };

  const load = async () => {
    const res = await api('GET', `${v.api}/${id}/${v.entries}` + query({ search: state.search, limit: state.limit, offset: state.offset }));
    const items = res.items || [];
    let cols;
    if (which === 'contact') {
      const custom = [...new Set(items.flatMap((c) => Object.keys(c.fields || {})))].sort();
      cols = [
        { key: 'row', label: 'Row', class: 'num' }, { key: 'phones', label: 'Phone Numbers' },
        { key: 'first_name', label: 'First Name' }, { key: 'last_name', label: 'Last Name' },
        { key: 'time_zone', label: 'Time Zone' }, { key: 'priority', label: 'Priority', class: 'num' },
        ...custom.map((k) => ({ key: 'f:' + k, label: k, render: (c) => (c.fields || {})[k] ?? '' })),
      ];
    } else if (which === 'dnc') {
      cols = [
        { key: 'number', label: 'Phone Number' },
        { key: 'valid', label: 'Validity', render: (e) => h('span', { class: 'status ' + (e.valid ? 'Validated' : 'Invalid') }, e.valid ? 'Valid' : 'Expired') },
        { key: 'expires_at', label: 'Expires', render: (e) => (e.expires_at ? fmtTime(e.expires_at) : 'Never') },
        { key: 'source', label: 'Source' }, { key: 'created_at', label: 'Added', render: (e) => fmtTime(e.created_at) },
        { key: '_a', label: 'Actions', class: 'row-actions', render: (e) => h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Remove ' + e.number, onclick: () => removeEntry(e) }, 'Remove') },
      ];
    } else {
      cols = [
        { key: 'number', label: 'Phone Number' },
        { key: 'agent_id', label: 'Agent', render: (m) => agents[m.agent_id] || '#' + m.agent_id },
        { key: 'priority', label: 'Customer Priority', class: 'num' },
        { key: 'updated_at', label: 'Last Updated', render: (m) => fmtTime(m.updated_at) },
        { key: '_a', label: 'Actions', class: 'row-actions', render: (m) => [
          h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Edit ' + m.number, onclick: () => editMapping(m) }, 'Edit'),
          h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Delete ' + m.number, onclick: () => removeMapping(m) }, 'Delete')] },
      ];
    }
    fill(out, table(cols, items, { empty: state.search ? 'Nothing matches the search.' : 'This list is empty.' }));
    const to = Math.min(state.offset + state.limit, res.total);
    fill(pager, `${res.total ? state.offset + 1 : 0}–${to} of ${res.total}`,
      h('button', { type: 'button', disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - state.limit); load(); } }, 'Previous'),
      h('button', { type: 'button', disabled: to >= res.total, onclick: () => { state.offset += state.limit; load(); } }, 'Next'));
  };

  const addEntry = () => {
    const form = h('form', { novalidate: true }, h('div', { class: 'form-error', role: 'alert', hidden: true }),
      field({ name: 'number', label: 'Phone number (E.164)', placeholder: '+14155550123', required: true }),
      field({ name: 'expires_at', label: 'Expires (optional)', type: 'datetime-local' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add')));
    const m = modal('Add a number', form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const exp = form.elements.expires_at.value;
      try {
        await api('POST', `${v.api}/${id}/entries`, { number: form.elements.number.value.trim(), expires_at: exp ? new Date(exp).toISOString() : undefined });
        m.close();
        toast('Number added.');
        await Promise.all([info(), load()]);
      } catch (e) { if (!(e instanceof APIError)) throw e; showErrors(form, e); }
    });
  };
  const removeEntry = async (e) => {
    if (!(await confirmDialog('Remove number?', `Remove ${e.number} from this DNC list? It may be dialed again.`, 'Remove', true))) return;
    try { await api('DELETE', `${v.api}/${id}/entries/${e.id}`); toast(`Removed ${e.number}.`); await Promise.all([info(), load()]); } catch (err) { notice(err.message, 'error'); }
  };
  const editMapping = (mp) => {
    const opts = Object.entries(agents).map(([aid, name]) => [aid, name]);
    const form = h('form', { novalidate: true }, h('div', { class: 'form-error', role: 'alert', hidden: true }),
      field({ name: 'number', label: 'Phone number (E.164)', value: mp ? mp.number : '', required: true }),
      opts.length ? field({ name: 'agent', label: 'Agent', type: 'select', options: opts, value: mp ? mp.agent_id : '' })
        : field({ name: 'agent', label: 'Agent id or email', value: mp ? mp.agent_id : '' }),
      field({ name: 'priority', label: 'Customer priority', type: 'number', value: mp ? mp.priority : 0 }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, mp ? 'Save' : 'Add')));
    const m = modal(mp ? 'Edit mapping' : 'Add New Contact Mapping', form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const pr = form.elements.priority.value.trim();
      const body = { number: form.elements.number.value.trim(), agent: String(form.elements.agent.value).trim(), priority: pr === '' || !Number.isFinite(Number(pr)) ? pr : Number(pr) };
      try {
        if (mp) await api('PUT', `${v.api}/${id}/mappings/${mp.id}`, body);
        else await api('POST', `${v.api}/${id}/mappings`, body);
        m.close();
        toast('Mapping saved.');
        await load();
      } catch (e) { if (!(e instanceof APIError)) throw e; showErrors(form, e); }
    });
  };
  const removeMapping = async (mp) => {
    if (!(await confirmDialog('Delete mapping?', `Delete the mapping of ${mp.number}?`, 'Delete', true))) return;
    try { await api('DELETE', `${v.api}/${id}/mappings/${mp.id}`); toast('Mapping deleted.'); await load(); } catch (err) { notice(err.message, 'error'); }
  };

  if (which === 'mapping' && (await allows('GET /api/v1/agents'))) {
    for (const a of await api('GET', '/api/v1/agents')) agents[a.id] = a.name;
  }
  const list = await info();
  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.search = search.value.trim(); state.offset = 0; load(); }, 250); });
  const actions = [];
  if (which === 'dnc') actions.push(h('button', { type: 'button', class: 'write', id: 'add-entry', disabled: !canWrite, onclick: addEntry }, '+ Add number'));
  if (which === 'mapping') actions.push(h('button', { type: 'button', class: 'write', id: 'add-mapping', disabled: !canWrite, onclick: () => editMapping(null) }, '+ Add New Contact Mapping'));
  if (list.source !== 'api') {
    actions.push(h('button', { type: 'button', class: 'write', disabled: !canWrite, onclick: () => uploadDialog({ ...v, fields: v.fields }, list, () => Promise.all([info(), load()])) }, 'Upload CSV (append)'));
  }
  fill(ctx.page, head,
    h('div', { class: 'toolbar' }, h('div', { class: 'field' }, h('label', { for: 'entry-search' }, 'Search'), search), h('span', { class: 'spacer' }), actions),
    out, pager, extra);
  await load();
}
