// list-api.js: contact lists filled from a customer's API ("From API Integration"):
// the create and edit form (method, URL, body, sync interval and mode, authorization
// profile, headers, records path), Validate with a preview of the first records, the
// mapping step with dot-notation keys, Save (create or edit, with the schema-change
// confirmation) and Sync now.
import { APIError, api } from './api.js';
import { clearErrors, field, fill, h, modal, showErrors, table, toast } from './ui.js';

const base = '/api/v1/contact-lists';

/** syncModes are the spec's two Data Sync Modes. */
const syncModes = [
  ['append_remove_duplicates', 'Append and remove duplicates (excludes duplicate contacts)'],
  ['append_allow_duplicates', 'Append and allow duplicates (re-contacts duplicate entries)'],
];

/** mappingFields are the single-column fields of a contact mapping (phones aside). */
const mappingFields = [
  ['first_name', 'First name'], ['last_name', 'Last name'], ['time_zone', 'Time zone (tz database)'],
  ['priority', 'Customer priority (0-100)'], ['agent', 'Agent (id or email)'],
];

/**
 * suggest guesses a mapping from the fields a preview found, by the last segment of
 * each dot-notation key (name.first -> first_name). It only prefills the form: the
 * user sees and changes it before saving.
 */
function suggest(fields) {
  const key = (f) => f.split('.').pop().toLowerCase().replace(/[\s_-]/g, '');
  const by = { first_name: ['first', 'firstname', 'givenname'], last_name: ['last', 'lastname', 'surname', 'familyname'],
    time_zone: ['timezone', 'tz'], priority: ['priority', 'customerpriority'], agent: ['agent', 'agentid', 'agentemail'] };
  const phones = ['phone', 'phonenumber', 'number', 'mobile', 'mobilenumber', 'cell', 'cellphone', 'telephone', 'tel', 'msisdn', 'phone1', 'phone2', 'altphone'];
  const m = { phones: fields.filter((f) => phones.includes(key(f))) };
  for (const [name, keys] of Object.entries(by)) m[name] = fields.find((f) => keys.includes(key(f))) || '';
  return m;
}

/** splitInterval turns a Go duration ("30m", "6h", "1h30m0s") into {n, unit} for the form. */
function splitInterval(d) {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d || '');
  if (!m || !d) return { n: 1, unit: 'h' };
  const min = Number(m[1] || 0) * 60 + Number(m[2] || 0) + Math.round(Number(m[3] || 0) / 60);
  return min % 60 === 0 ? { n: min / 60, unit: 'h' } : { n: min, unit: 'm' };
}

/** syncResult shows the fetch a save or a sync ran: records fetched, added, rejected. */
export function syncResult(log) {
  if (!log) return null;
  const ok = log.status === 'Completed';
  return h('p', { class: 'banner ' + (ok ? 'ok' : 'error'), id: 'sync-result' },
    h('strong', {}, ok ? 'Fetched. ' : 'Fetch failed. '), log.description || '',
    ok ? ` (${log.records} records fetched.)` : '', ' ', h('a', { href: '/lists/logs' }, 'List Management Logs'));
}

/** syncNow fetches an API-integrated list now and reports the log row. */
export async function syncNow(list, done) {
  try {
    const log = await api('POST', `${base}/${list.id}/sync`);
    toast(`${list.name}: ${log.description}`, log.status === 'Completed' ? 'ok' : 'error');
  } catch (e) {
    if (!(e instanceof APIError)) throw e;
    toast(`${list.name} was not synced: ${e.message}`, 'error');
  }
  if (done) await done();
}

/**
 * apiListDialog opens the API Integration form: for a new list when list is null
 * (preset may carry the name and description typed so far), else to edit the
 * integration of list, prefilled, with stored secrets kept when left empty.
 */
export async function apiListDialog(list, done, preset = {}) {
  let creating = !list;
  let saved = null, mapping = {};
  if (!creating) {
    const d = await api('GET', `${base}/${list.id}`);
    saved = d.integration || null;
    mapping = d.mapping || {};
    list = d.list;
  }
  const integ = saved || { method: 'GET', sync_mode: 'append_remove_duplicates', sync_interval: '1h', auth: { type: 'none' } };
  const auth = integ.auth || { type: 'none' };
  const iv = splitInterval(integ.sync_interval);
  const kept = 'stored, leave empty to keep';

  const fieldsList = h('datalist', { id: 'api-fields' });
  const headerRows = h('div', { class: 'rows' });
  const addHeader = (k = '', v = '') => {
    const row = h('div', { class: 'row-line header-row' },
      field({ id: 'hk-' + headerRows.children.length + '-' + Date.now(), name: 'header-key', label: 'Header', value: k, placeholder: 'X-Api-Key' }),
      field({ id: 'hv-' + headerRows.children.length + '-' + Date.now(), name: 'header-value', label: 'Value', value: v }),
      h('button', { type: 'button', class: 'link', 'aria-label': 'Remove header', onclick: () => row.remove() }, 'Remove'));
    headerRows.append(row);
  };
  Object.entries(integ.headers || {}).forEach(([k, v]) => addHeader(k, v));

  const phoneRows = h('div', { class: 'rows' });
  const addPhone = (v = '') => {
    const n = phoneRows.children.length + 1;
    const row = h('div', { class: 'row-line phone-row' },
      field({ id: 'ph-' + n + '-' + Date.now(), name: 'mapping.phones', label: n === 1 ? 'Phone number (dialed first)' : `Phone number ${n}`, value: v, list: 'api-fields', placeholder: 'contact.phone' }),
      n > 1 ? h('button', { type: 'button', class: 'link', 'aria-label': 'Remove phone number', onclick: () => row.remove() }, 'Remove') : null);
    phoneRows.append(row);
  };
  const phones = mapping.phones && mapping.phones.length ? mapping.phones : [''];
  phones.forEach((p) => addPhone(p));

  const preview = h('div', { class: 'wide', id: 'api-preview', 'aria-live': 'polite' });
  const result = h('div', { class: 'wide', 'aria-live': 'polite' });
  const mapBox = h('fieldset', { class: 'wide', id: 'api-mapping', hidden: creating },
    h('legend', {}, 'Mapping fields'),
    h('div', { class: 'field wide', 'data-field': 'mapping' },
      h('p', { class: 'help' }, 'Root-level fields by their key (firstName); nested fields with dot notation (contact.name.first). Validate lists the keys the API returns. Fields not mapped stay available to flows as custom fields.')),
    h('div', { class: 'wide' }, phoneRows, h('button', { type: 'button', onclick: () => addPhone() }, '+ Add another number')),
    mappingFields.map(([k, label]) => field({ name: 'mapping.' + k, label, value: mapping[k] || '', list: 'api-fields' })));

  const form = h('form', { novalidate: true, class: 'api-list' },
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    creating ? field({ name: 'name', label: 'Name', required: true, maxlength: 200, value: preset.name }) : null,
    creating ? field({ name: 'description', label: 'Description', value: preset.description }) : null,
    field({ name: 'integration.method', label: 'Method', type: 'select', options: ['GET', 'POST'], value: integ.method || 'GET' }),
    h('div', { class: 'field wide' }, h('label', { for: 'f-integration-url' }, 'URL'),
      h('input', { id: 'f-integration-url', name: 'integration.url', type: 'url', value: integ.url || '', placeholder: 'https://crm.example.com/api/contacts', autocomplete: 'off', required: true })),
    h('div', { class: 'field wide', id: 'body-field' }, h('label', { for: 'f-integration-body' }, 'Body'),
      h('textarea', { id: 'f-integration-body', name: 'integration.body', rows: 3, 'aria-describedby': 'f-integration-body-h' }, integ.body || ''),
      h('p', { class: 'help', id: 'f-integration-body-h' }, 'Sent with POST as JSON unless a Content-Type header says otherwise.')),
    h('div', { class: 'field' }, h('label', { for: 'f-integration-sync_interval' }, 'Data Sync Interval'),
      h('span', { class: 'inline-pair' },
        h('input', { id: 'f-integration-sync_interval', name: 'integration.sync_interval', type: 'number', min: 1, max: iv.unit === 'h' ? 24 : 1440, value: iv.n, 'aria-describedby': 'f-integration-sync_interval-h' }),
        h('select', { name: 'interval-unit', 'aria-label': 'Interval unit' },
          h('option', { value: 'm', selected: iv.unit === 'm' }, 'minutes'), h('option', { value: 'h', selected: iv.unit === 'h' }, 'hours'))),
      h('p', { class: 'help', id: 'f-integration-sync_interval-h' }, 'From 1 minute up to 24 hours.')),
    field({ name: 'integration.sync_mode', label: 'Data Sync Mode', type: 'select', options: syncModes, value: integ.sync_mode }),
    field({ name: 'integration.auth.type', label: 'Authorization profile', type: 'select', options: [['none', 'None'], ['basic', 'Basic (user name and password)'], ['bearer', 'Bearer token']], value: auth.type || 'none' }),
    field({ name: 'integration.auth.username', label: 'User name', value: auth.username || '' }),
    field({ name: 'integration.auth.password', label: 'Password', type: 'password', autocomplete: 'new-password', placeholder: auth.has_password ? kept : '', help: auth.has_password ? 'A password is stored; leave empty to keep it.' : undefined }),
    field({ name: 'integration.auth.token', label: 'Token', type: 'password', autocomplete: 'new-password', placeholder: auth.has_token ? kept : '', help: auth.has_token ? 'A token is stored; leave empty to keep it.' : 'Sent as Authorization: Bearer <token>.' }),
    h('fieldset', { class: 'wide' }, h('legend', {}, 'Headers'),
      h('div', { class: 'field wide', 'data-field': 'integration.headers' }, headerRows,
        h('button', { type: 'button', id: 'add-header', onclick: () => addHeader() }, '+ Add header'))),
    field({ name: 'integration.records_path', label: 'Records path', value: integ.records_path || '', placeholder: 'data.contacts',
      help: 'Dot path of the array of records in the response; empty when the response is the array.' }),
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'api-validate' }, 'Validate')),
    preview, fieldsList, mapBox, result,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'api-save' }, 'Save'),
      h('button', { type: 'button', class: 'danger', id: 'api-confirm', hidden: true }, 'Confirm and save')));

  const el = (n) => form.elements[n];
  const toggle = () => {
    const type = el('integration.auth.type').value;
    el('integration.auth.username').closest('.field').hidden = type !== 'basic';
    el('integration.auth.password').closest('.field').hidden = type !== 'basic';
    el('integration.auth.token').closest('.field').hidden = type !== 'bearer';
    form.querySelector('#body-field').hidden = el('integration.method').value !== 'POST';
    el('integration.sync_interval').max = el('interval-unit').value === 'h' ? 24 : 1440;
  };
  ['integration.auth.type', 'integration.method', 'interval-unit'].forEach((n) => el(n).addEventListener('change', toggle));
  toggle();

  /** integration reads the form as the API's Integration. */
  const integration = () => {
    const type = el('integration.auth.type').value;
    const a = { type };
    if (type === 'basic') { a.username = el('integration.auth.username').value.trim(); a.password = el('integration.auth.password').value; }
    if (type === 'bearer') a.token = el('integration.auth.token').value;
    const headers = {};
    headerRows.querySelectorAll('.header-row').forEach((r) => {
      const [k, v] = r.querySelectorAll('input');
      if (k.value.trim()) headers[k.value.trim()] = v.value;
    });
    const method = el('integration.method').value;
    const n = el('integration.sync_interval').value.trim();
    return {
      method, url: el('integration.url').value.trim(), headers,
      body: method === 'POST' ? el('integration.body').value : '',
      auth: a, records_path: el('integration.records_path').value.trim(),
      sync_interval: n ? n + el('interval-unit').value : '', sync_mode: el('integration.sync_mode').value,
    };
  };
  /** mappingOf reads the mapping step; empty when nothing is mapped (automatic). */
  const mappingOf = () => {
    const m = { phones: [...phoneRows.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean) };
    for (const [k] of mappingFields) { const v = el('mapping.' + k).value.trim(); if (v) m[k] = v; }
    if (!m.phones.length) delete m.phones;
    return m;
  };
  const request = (extra = {}) => ({
    ...(creating ? { name: el('name').value.trim(), description: el('description').value.trim() } : {}),
    integration: integration(), mapping: mappingOf(), ...extra,
  });

  const showPreview = (p) => {
    fill(fieldsList, (p.fields || []).map((f) => h('option', { value: f })));
    const cols = (p.fields || []).map((f) => ({ key: f, label: f, render: (r) => r[f] ?? '' }));
    fill(preview,
      p.warning ? h('p', { class: 'banner warn', id: 'schema-warning' }, 'Schema change: ' + p.warning +
        (list && (list.campaigns || []).length ? `. Campaign ${list.campaigns.join(', ')} uses this list: saving asks for confirmation.` : '.')) : null,
      h('p', { class: 'help', id: 'api-fields-found' }, `The API returned ${p.total} records. Fields: `, h('code', {}, (p.fields || []).join(', ') || 'none')),
      h('div', { class: 'table-wrap preview' }, table(cols, p.records || [], { caption: `First ${(p.records || []).length} records`, empty: 'The API returned no records.' })),
      (p.contacts || []).length ? h('div', { class: 'table-wrap' }, table([
        { key: 'phones', label: 'Phone numbers' }, { key: 'first_name', label: 'First name' }, { key: 'last_name', label: 'Last name' },
        { key: 'time_zone', label: 'Time zone' }, { key: 'priority', label: 'Priority', class: 'num' },
      ], p.contacts, { caption: 'As contacts, through the mapping' })) : null,
      (p.errors || []).length ? h('div', { class: 'table-wrap' }, table([
        { key: 'row', label: 'Record', class: 'num' }, { key: 'column', label: 'Field' }, { key: 'value', label: 'Value' }, { key: 'reason', label: 'Reason' },
      ], p.errors, { caption: 'Records the mapping would reject' })) : null);
    mapBox.hidden = false;
  };

  const busy = async (btn, fn) => {
    btn.disabled = true;
    try { await fn(); } catch (e) {
      if (!(e instanceof APIError)) throw e;
      showErrors(form, e);
    } finally { btn.disabled = false; }
  };

  const validateBtn = form.querySelector('#api-validate');
  validateBtn.addEventListener('click', () => busy(validateBtn, async () => {
    clearErrors(form);
    fill(preview);
    const firstTime = mapBox.hidden;
    const req = request(creating ? {} : { list_id: list.id });
    if (firstTime) req.mapping = {};
    const p = await api('POST', `${base}/validate`, req);
    if (firstTime && !mappingOf().phones) {
      const s = suggest(p.fields || []);
      fill(phoneRows);
      (s.phones.length ? s.phones : ['']).forEach((x) => addPhone(x));
      for (const [k] of mappingFields) if (!el('mapping.' + k).value) el('mapping.' + k).value = s[k];
    }
    showPreview(p);
  }));

  const confirmBtn = form.querySelector('#api-confirm');
  const save = (confirm) => busy(form.querySelector('#api-save'), async () => {
    clearErrors(form);
    fill(result);
    if (creating) {
      const res = await api('POST', `${base}/api`, request());
      fill(result, syncResult(res.log));
      toast(`Contact list ${res.list.name} created: ${res.list.status}.`);
      // The list exists now: further saves edit its integration.
      list = res.list;
      el('name').disabled = true;
      el('description').disabled = true;
      form.querySelector('#api-save').textContent = 'Save changes';
      creating = false;
      return;
    }
    try {
      const l = await api('PUT', `${base}/${list.id}/integration`, request(confirm ? { confirm: true } : {}));
      confirmBtn.hidden = true;
      fill(result, h('p', { class: 'banner ok', id: 'save-result' }, `Saved. ${l.name} is fetched at the next sync pass (within a minute), then every ${integration().sync_interval}.`));
      toast(`Saved ${l.name}.`);
    } catch (e) {
      if (!(e instanceof APIError) || e.code !== 'schema_changed') throw e;
      fill(result, h('p', { class: 'banner warn', id: 'schema-warning' }, h('strong', {}, 'Schema change: confirm to apply it. '), e.message));
      confirmBtn.hidden = false;
      confirmBtn.focus();
      result.scrollIntoView({ block: 'nearest' });
    }
  });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); save(false); });
  confirmBtn.addEventListener('click', () => save(true));

  return modal(creating ? 'New contact list from API Integration' : `Edit integration of ${list.name}`, form, { wide: true, onclose: done });
}
