// admin.js: the account catalog (users, agents, queues, phone numbers, SIP trunks) as
// one table-and-form page per resource. Fields map one to one to the API bodies.
import { APIError, allows, api } from '../api.js';
import { clearErrors, confirmDialog, field, fill, fmtTime, h, modal, notice, showErrors, table, toast } from '../ui.js';

const roles = ['admin', 'manager', 'supervisor', 'agent'];

/** resources describe each page: API path, table columns and form fields. */
const resources = {
  '/admin/users': {
    api: '/api/v1/users', one: 'user', title: (r) => r.username,
    columns: [
      { key: 'username', label: 'Username' }, { key: 'display_name', label: 'Name' },
      { key: 'role', label: 'Role' }, { key: 'disabled', label: 'Disabled' },
      { key: 'updated_at', label: 'Last Updated', render: (r) => fmtTime(r.updated_at) },
    ],
    fields: async () => [
      { name: 'username', label: 'Username', required: true },
      { name: 'display_name', label: 'Display name' },
      { name: 'email', label: 'Email', type: 'email' },
      { name: 'role', label: 'Role', type: 'select', options: roles, value: 'agent' },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', help: 'Required for a new user; leave empty to keep the current password.' },
      { name: 'disabled', label: 'Disabled (cannot sign in)', type: 'checkbox' },
    ],
  },
  '/admin/agents': {
    api: '/api/v1/agents', one: 'agent', title: (r) => r.name,
    columns: [
      { key: 'name', label: 'Name' }, { key: 'email', label: 'Email' },
      { key: 'queue_ids', label: 'Queues', render: (r, ref) => (r.queue_ids || []).map((id) => ref.queues[id] || '#' + id).join(', ') },
      { key: 'user_id', label: 'User', render: (r, ref) => ref.users[r.user_id] || '#' + r.user_id },
    ],
    refs: async () => {
      const ref = { queues: {}, users: {}, userOptions: null, queueOptions: [] };
      for (const q of await api('GET', '/api/v1/queues')) { ref.queues[q.id] = q.name; ref.queueOptions.push([q.id, q.name]); }
      if (await allows('GET /api/v1/users')) {
        const us = await api('GET', '/api/v1/users');
        us.forEach((u) => { ref.users[u.id] = u.username; });
        ref.userOptions = us.filter((u) => u.role === 'agent').map((u) => [u.id, `${u.username} (${u.display_name || 'no name'})`]);
      }
      return ref;
    },
    fields: async (ref) => [
      ref.userOptions ? { name: 'user_id', label: 'User (role agent)', type: 'select', options: ref.userOptions, kind: 'int' }
        : { name: 'user_id', label: 'User id (role agent)', type: 'number', kind: 'int' },
      { name: 'name', label: 'Name', help: 'Empty uses the user\'s display name.' },
      { name: 'email', label: 'Email', type: 'email' },
      { name: 'queue_ids', label: 'Queues', type: 'select', multiple: true, options: ref.queueOptions, kind: 'ints', help: 'Hold Ctrl or Shift to pick several.' },
    ],
  },
  '/admin/queues': {
    api: '/api/v1/queues', one: 'queue', title: (r) => r.name,
    columns: [
      { key: 'name', label: 'Name' }, { key: 'description', label: 'Description' },
      { key: 'updated_at', label: 'Last Updated', render: (r) => fmtTime(r.updated_at) },
    ],
    fields: async () => [
      { name: 'name', label: 'Name', required: true },
      { name: 'description', label: 'Description', type: 'textarea' },
    ],
  },
  '/admin/phone-numbers': {
    api: '/api/v1/phone-numbers', one: 'phone number', title: (r) => r.number,
    columns: [
      { key: 'number', label: 'Number' }, { key: 'description', label: 'Description' },
      { key: 'direction', label: 'Direction' },
      { key: 'trunk_id', label: 'Trunk', render: (r, ref) => (r.trunk_id ? ref.trunks[r.trunk_id] || '#' + r.trunk_id : '') },
    ],
    refs: async () => {
      const ref = { trunks: {}, trunkOptions: [['', '(none)']] };
      if (await allows('GET /api/v1/trunks')) {
        for (const t of await api('GET', '/api/v1/trunks')) { ref.trunks[t.id] = t.name; ref.trunkOptions.push([t.id, t.name]); }
      }
      return ref;
    },
    fields: async (ref) => [
      { name: 'number', label: 'Number (E.164)', placeholder: '+14155550100', required: true },
      { name: 'description', label: 'Description' },
      { name: 'direction', label: 'Direction', type: 'select', options: [['outbound', 'Outbound only'], ['inbound-outbound', 'Inbound and outbound'], ['inbound', 'Inbound only']], value: 'outbound', help: 'Outbound and inbound-outbound numbers appear in the campaign Caller ID list.' },
      { name: 'trunk_id', label: 'Trunk', type: 'select', options: ref.trunkOptions, kind: 'optint' },
    ],
  },
  '/admin/trunks': {
    api: '/api/v1/trunks', one: 'trunk', title: (r) => r.name,
    columns: [
      { key: 'name', label: 'Name' }, { key: 'address', label: 'Address' }, { key: 'transport', label: 'Transport' },
      { key: 'max_channels', label: 'Channels', class: 'num' }, { key: 'max_cps', label: 'CPS', class: 'num' },
      { key: 'codecs', label: 'Codecs' }, { key: 'priority', label: 'Priority', class: 'num' }, { key: 'enabled', label: 'Enabled' },
    ],
    fields: async () => [
      { name: 'name', label: 'Name', required: true },
      { name: 'address', label: 'Address (host:port)', placeholder: 'sip.carrier.example:5060', required: true },
      { name: 'transport', label: 'Transport', type: 'select', options: ['udp', 'tcp', 'tls'] },
      { name: 'username', label: 'Digest username' },
      { name: 'password', label: 'Digest password', type: 'password', autocomplete: 'new-password', help: 'Never shown again; leave empty to keep the stored one.' },
      { name: 'from_domain', label: 'From domain' },
      { name: 'max_channels', label: 'Max channels', type: 'number', kind: 'num', value: 100 },
      { name: 'max_cps', label: 'Max calls per second', type: 'number', step: 'any', kind: 'num', value: 10 },
      { name: 'codecs', label: 'Codecs (comma separated)', kind: 'list', value: 'PCMU, PCMA' },
      { name: 'priority', label: 'Priority (lower is tried first)', type: 'number', kind: 'num', value: 0 },
      { name: 'enabled', label: 'Enabled', type: 'checkbox', value: true },
    ],
  },
};

/** readForm turns the inputs into the API body following each field's kind. */
function readForm(form, specs) {
  const body = {};
  for (const s of specs) {
    const el = form.elements[s.name];
    if (!el) continue;
    if (s.type === 'checkbox') { body[s.name] = el.checked; continue; }
    if (s.kind === 'ints') { body[s.name] = [...el.selectedOptions].map((o) => Number(o.value)); continue; }
    const v = el.value.trim();
    switch (s.kind) {
      case 'int': case 'num': body[s.name] = v === '' || !Number.isFinite(Number(v)) ? v : Number(v); break;
      case 'optint': body[s.name] = v === '' ? null : Number(v); break;
      case 'list': body[s.name] = v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []; break;
      default: body[s.name] = v;
    }
  }
  return body;
}

export async function mount(ctx) {
  const res = resources[location.pathname];
  if (!res) { notice('Unknown catalog page.', 'error'); return; }
  const canWrite = await allows('POST ' + res.api);
  if (!canWrite) notice(`Read-only: role ${ctx.user.role} can view ${res.one}s but not change them.`, 'info');

  const render = async () => {
    const [rows, ref] = await Promise.all([api('GET', res.api), res.refs ? res.refs() : {}]);
    const cols = res.columns.map((c) => ({ ...c, render: c.render ? (r) => c.render(r, ref) : undefined }));
    cols.push({ key: '_actions', label: 'Actions', class: 'row-actions', render: (r) => [
      h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Edit ' + res.title(r), onclick: () => edit(r, ref) }, 'Edit'),
      h('button', { type: 'button', class: 'write', disabled: !canWrite, 'aria-label': 'Delete ' + res.title(r), onclick: () => remove(r) }, 'Delete'),
    ] });
    fill(ctx.page,
      h('div', { class: 'toolbar' }, h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'primary write', disabled: !canWrite, onclick: () => edit(null, ref) }, '+ New ' + res.one)),
      h('div', { class: 'table-wrap' }, table(cols, rows, { empty: `No ${res.one}s yet.` })));
  };

  const edit = async (row, ref) => {
    const specs = await res.fields(ref);
    const values = row || {};
    const form = h('form', { novalidate: true },
      h('div', { class: 'form-error', role: 'alert', hidden: true }),
      specs.map((s) => {
        let v = values[s.name] ?? s.value;
        if (row && s.name === 'password') v = '';
        if (s.kind === 'list' && Array.isArray(v)) v = v.join(', ');
        const el = field({ ...s, value: v });
        if (s.kind === 'ints' && Array.isArray(values[s.name])) {
          const sel = el.querySelector('select');
          [...sel.options].forEach((o) => { o.selected = values[s.name].includes(Number(o.value)); });
        }
        return el;
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, row ? 'Save' : 'Create')));
    const m = modal((row ? 'Edit ' : 'New ') + res.one, form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const body = readForm(form, specs);
      try {
        if (row) await api('PUT', `${res.api}/${row.id}`, body);
        else await api('POST', res.api, body);
        m.close();
        toast(`${res.one[0].toUpperCase() + res.one.slice(1)} saved.`);
        await render();
      } catch (e) {
        if (!(e instanceof APIError)) throw e;
        showErrors(form, e);
      }
    });
  };

  const remove = async (row) => {
    if (!(await confirmDialog(`Delete ${res.one}?`, `Delete ${res.one} ${res.title(row)}? This cannot be undone.`, 'Delete', true))) return;
    try {
      await api('DELETE', `${res.api}/${row.id}`);
      toast(`Deleted ${res.title(row)}.`);
      await render();
    } catch (e) {
      notice(`${res.title(row)} was not deleted: ${e.message}`, 'error');
    }
  };

  await render();
}
