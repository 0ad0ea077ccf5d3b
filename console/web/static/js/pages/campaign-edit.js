// campaign-edit.js: create or edit a voice campaign in five tabs (General, Choose
// Contact, Outreach Strategy, Schedule, Dispositions). The API checks everything; its
// errors appear next to the field they name, and the tab holding it is shown.
import { APIError, allows, api } from '../api.js';
import { clearErrors, field, fill, h, notice, readOnly, showErrors } from '../ui.js';
import { modeLabels } from './campaigns.js';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const dayLabels = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
const systemOutcomes = ['Busy', 'Connected', 'Failed', 'No Answer', 'Answering Machine', 'DNC Excluded', 'Filter Skipped', 'Retry Cancelled', 'Fax', 'SIT/Invalid Number', 'Abandoned', 'Unknown'];
const agentDispositions = ['Unresolved', 'Requires Supervisor', 'Resolved', 'System Generated'];
const ops = [['eq', 'equals'], ['ne', 'does not equal'], ['contains', 'contains'], ['not_contains', 'does not contain'], ['starts_with', 'starts with'], ['ends_with', 'ends with'], ['gt', 'greater than'], ['lt', 'less than'], ['empty', 'is empty'], ['not_empty', 'is not empty'], ['in', 'is one of (comma separated)']];

/** timeZones lists the IANA tz database names the browser knows (the server checks them again). */
export function timeZones() {
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = []; }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  return zones;
}

export function localZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}

/** renumber rewrites the [i] of a row list's field names after a row is removed, so the
 * API's error fields ("contacts.filters[1].value") still point at the right row. */
function renumber(box, prefix) {
  [...box.children].forEach((row, i) => {
    [row, ...row.querySelectorAll('[name], [data-field]')].forEach((el) => {
      for (const a of ['name', 'data-field']) {
        const v = el.getAttribute(a);
        if (v && v.startsWith(prefix + '[')) el.setAttribute(a, v.replace(/^([^[]+)\[\d+\]/, `$1[${i}]`));
      }
    });
  });
}

const num = (v) => (v === '' || v === null || v === undefined ? 0 : Number.isFinite(Number(v)) ? Number(v) : v);
const optID = (v) => (v === '' ? undefined : Number(v));

export async function mount(ctx) {
  const id = ctx.params.id;
  const canWrite = await allows(id ? 'PUT /api/v1/campaigns/{id}' : 'POST /api/v1/campaigns');
  const [c, contactLists, dncLists, mapLists, phones, flows, queues] = await Promise.all([
    id ? api('GET', `/api/v1/campaigns/${id}`) : null,
    api('GET', '/api/v1/contact-lists?limit=500&sort=name'),
    api('GET', '/api/v1/dnc-lists?limit=500&sort=name'),
    api('GET', '/api/v1/agent-mapping-lists?limit=500&sort=name'),
    api('GET', '/api/v1/phone-numbers'),
    api('GET', '/api/v1/flows'),
    api('GET', '/api/v1/queues'),
  ]);
  const def = c || {
    name: '', description: '', list_ids: [], priority: 5, dialing: { mode: 'agentless', amd: true },
    contacts: { filters: [], match: 'all', dnc_list_id: ((dncLists.items || []).find((l) => l.global) || {}).id || 0 }, outreach: { dialing_order: [], max_attempts: 3, retry_minutes: 60, max_ring_seconds: 30, timings: { time_zone: localZone(), windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }] } },
    messages: { opt_out_digit: '9' }, dispositions: { custom: [], rules: [], positive: [] },
  };
  if (c) {
    document.title = `Edit ${c.name} · outdial`;
    fill(document.getElementById('title'), `Edit ${c.name}`, ' ', h('span', { class: 'status ' + c.status }, c.status));
    if (c.status === 'Active' || c.status === 'Rerun') notice(`${c.name} is ${c.status}: active campaigns cannot be edited. Pause or stop it first; saving now is refused.`, 'warn');
    else if (c.status === 'Paused') notice(`${c.name} is Paused: its contact lists, dialing mode, Choose Contact settings and dialing order cannot change until it is stopped.`, 'info');
  }
  const zones = timeZones();
  const zoneOptions = (cur) => (zones.includes(cur) || !cur ? zones : [cur, ...zones]);
  // Outbound-enabled numbers only: outbound and inbound-outbound.
  const callerIDs = phones.filter((p) => p.direction === 'outbound' || p.direction === 'inbound-outbound');

  // General.
  const modeSel = field({ name: 'dialing.mode', label: 'Dialing Mode', type: 'select', options: Object.entries(modeLabels), value: def.dialing.mode });
  const modeBox = h('div', { class: 'mode-settings' });
  const renderMode = (mode) => {
    const d = mode === def.dialing.mode ? def.dialing : {};
    fill(modeBox,
      mode === 'agentless'
        ? field({ name: 'dialing.flow_id', label: 'Start Flow', type: 'select', options: [['', '(choose a flow)'], ...flows.map((f) => [f.id, f.name])], value: d.flow_id ?? '', help: 'Answered calls run this experience flow.' })
        : field({ name: 'dialing.queue_id', label: 'Queue', type: 'select', options: [['', '(choose a queue)'], ...queues.map((q) => [q.id, q.name])], value: d.queue_id ?? '', help: 'Answered calls go to this queue\'s agents.' }),
      mode === 'agentless' || mode === 'progressive' ? field({ name: 'dialing.amd', label: 'Answering Machine Detection', type: 'checkbox', value: d.amd ?? true }) : null,
      mode === 'preview' ? field({ name: 'dialing.max_skips', label: 'Maximum Skips per record', type: 'number', min: 0, max: 100, value: d.max_skips ?? 0 }) : null,
      mode === 'power' ? field({ name: 'dialing.pacing_ratio', label: 'Pacing Ratio (calls per free agent)', type: 'number', min: 1, max: 10, step: 'any', value: d.pacing_ratio ?? 2 }) : null,
      mode === 'predictive' ? field({ name: 'dialing.abandon_target', label: 'Abandonment target (ratio)', type: 'number', min: 0, max: 0.1, step: 'any', value: d.abandon_target ?? 0.03, help: 'At most 0.1; the FCC limit is 0.03.' }) : null);
  };
  modeSel.querySelector('select').addEventListener('change', (ev) => renderMode(ev.target.value));
  renderMode(def.dialing.mode);
  const listSel = field({ name: 'list_ids', label: 'Contact Lists (1 to 10, same source)', type: 'select', multiple: true,
    options: (contactLists.items || []).map((l) => [l.id, `${l.name} (${l.entries} contacts, ${l.status}${l.source ? ', ' + l.source : ''})`]), help: 'Hold Ctrl or Shift to pick several.' });
  [...listSel.querySelector('select').options].forEach((o) => { o.selected = (def.list_ids || []).includes(Number(o.value)); });
  const general = [
    field({ name: 'name', label: 'Campaign Name', required: true, maxlength: 100, value: def.name }),
    field({ name: 'description', label: 'Description', type: 'textarea', value: def.description }),
    listSel,
    field({ name: 'priority', label: 'Priority', type: 'select', options: [[5, '5 (highest)'], [4, '4'], [3, '3'], [2, '2'], [1, '1 (lowest)']], value: def.priority }),
    modeSel, modeBox,
  ];

  // Choose Contact.
  const filterRows = h('div', { class: 'rows', id: 'filter-rows' });
  const addFilter = (f = { field: 'first_name', op: 'eq', value: '' }) => {
    const i = filterRows.children.length;
    const row = h('div', { class: 'row-line filter-row' },
      field({ id: `flt-f-${i}`, name: `contacts.filters[${i}].field`, label: 'Column', value: f.field, list: 'contact-columns' }),
      field({ id: `flt-o-${i}`, name: `contacts.filters[${i}].op`, label: 'Condition', type: 'select', options: ops, value: f.op }),
      field({ id: `flt-v-${i}`, name: `contacts.filters[${i}].value`, label: 'Value', value: f.op === 'in' ? (f.values || []).join(', ') : f.value }),
      h('button', { type: 'button', class: 'link write', 'aria-label': 'Remove condition', onclick: () => { row.remove(); renumber(filterRows, 'contacts.filters'); } }, 'Remove'));
    filterRows.append(row);
  };
  (def.contacts.filters || []).forEach(addFilter);
  const filtersOn = field({ name: 'filters_on', label: 'Filter Contact List Columns', type: 'checkbox', value: (def.contacts.filters || []).length > 0 });
  const filterBox = h('fieldset', { 'data-field': 'contacts.filters' }, h('legend', {}, 'Conditions'),
    field({ name: 'contacts.match', label: 'Match', type: 'select', options: [['all', 'All conditions'], ['any', 'Any condition']], value: def.contacts.match || 'all' }),
    filterRows, h('datalist', { id: 'contact-columns' }, ['first_name', 'last_name', 'phone', 'priority', 'time_zone'].map((x) => h('option', { value: x }))),
    h('button', { type: 'button', class: 'write', id: 'add-condition', onclick: () => addFilter() }, '+ Add condition'));
  filterBox.hidden = !(def.contacts.filters || []).length;
  filtersOn.querySelector('input').addEventListener('change', (ev) => { filterBox.hidden = !ev.target.checked; if (ev.target.checked && !filterRows.children.length) addFilter(); });
  const choose = [
    h('p', { class: 'help' }, 'The lists are scrubbed against the global DNC list and this campaign\'s DNC list each time a run starts.'),
    field({ name: 'contacts.dnc_list_id', label: 'DNC List (exactly one)', type: 'select', options: [['', '(choose a DNC list)'], ...(dncLists.items || []).map((l) => [l.id, l.name + (l.global ? ' (Global)' : '')])], value: def.contacts.dnc_list_id || '' }),
    field({ name: 'contacts.mapping_list_id', label: 'Agent Mapping List (optional)', type: 'select', options: [['', '(none)'], ...(mapLists.items || []).map((l) => [l.id, l.name])], value: def.contacts.mapping_list_id ?? '' }),
    filtersOn, filterBox,
  ];

  // Outreach Strategy.
  const windowRows = h('div', { class: 'rows', id: 'window-rows' });
  const addWindow = (w = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }) => {
    const i = windowRows.children.length;
    const row = h('div', { class: 'row-line window-row', 'data-field': `outreach.timings.windows[${i}]` },
      h('fieldset', { class: 'days', 'data-field': `outreach.timings.windows[${i}].days` }, h('legend', {}, 'Days'),
        days.map((d) => h('label', { class: 'day' }, h('input', { type: 'checkbox', name: `win-${i}-day`, value: d, checked: (w.days || []).includes(d) }), dayLabels[d]))),
      field({ id: `win-s-${i}`, name: `outreach.timings.windows[${i}].start`, label: 'From', type: 'time', value: w.start }),
      field({ id: `win-e-${i}`, name: `outreach.timings.windows[${i}].end`, label: 'To', type: 'time', value: w.end }),
      h('button', { type: 'button', class: 'link write', 'aria-label': 'Remove window', onclick: () => { row.remove(); renumber(windowRows, 'outreach.timings.windows'); } }, 'Remove'));
    windowRows.append(row);
  };
  (def.outreach.timings.windows || []).forEach(addWindow);
  const o = def.outreach;
  const outreach = [
    field({ name: 'outreach.caller_id', label: 'Caller ID', type: 'select', options: [['', '(choose a number)'], ...callerIDs.map((p) => [p.id, `${p.number}${p.description ? ' · ' + p.description : ''} (${p.direction})`])], value: o.caller_id ?? '',
      help: callerIDs.length ? 'Outbound and inbound-outbound numbers.' : 'No outbound-enabled number yet: add one under Administration > Phone Numbers.' }),
    field({ name: 'outreach.dialing_order', label: 'Dialing Order', value: (o.dialing_order || []).join(', '), placeholder: '0, 1, 2', help: 'Phone columns in the order they are dialed: 0 is the primary number. Empty dials them as listed.' }),
    field({ name: 'outreach.max_attempts', label: 'Max Attempts Per Contact', type: 'number', min: 1, max: 100, value: o.max_attempts }),
    field({ name: 'outreach.retry_minutes', label: 'Default Retry Period (minutes)', type: 'number', min: 1, max: 43200, value: o.retry_minutes }),
    field({ name: 'outreach.max_ring_seconds', label: 'Max Ring Time (seconds)', type: 'number', min: 10, max: 120, value: o.max_ring_seconds }),
    h('fieldset', { class: 'wide' }, h('legend', {}, 'Contactable Timings'),
      field({ name: 'outreach.timings.time_zone', label: 'Time Zone', type: 'select', options: zoneOptions(o.timings.time_zone), value: o.timings.time_zone, help: 'A contact\'s own time zone wins over this one.' }),
      windowRows,
      h('button', { type: 'button', class: 'write', id: 'add-window', onclick: () => addWindow() }, '+ Add time window'),
      h('p', { class: 'help' }, 'No window means any time inside the hard calling hours (08:00 to 21:00 local by default). An end at or before the start crosses midnight.')),
    h('fieldset', { class: 'wide' }, h('legend', {}, 'Messages'),
      field({ name: 'messages.voicemail', label: 'Voicemail message (left on answering machines)', type: 'textarea', value: def.messages.voicemail }),
      field({ name: 'messages.safe_harbour', label: 'Safe-harbour message (no agent free)', type: 'textarea', value: def.messages.safe_harbour }),
      field({ name: 'messages.opt_out_digit', label: 'Opt-out key', maxlength: 1, value: def.messages.opt_out_digit || '9' })),
  ];

  // Schedule.
  const s = def.schedule || null;
  const schedOn = field({ name: 'schedule_on', label: 'Schedule Campaign', type: 'checkbox', value: !!s });
  const recOn = field({ name: 'recurrence_on', label: 'Recurrence', type: 'checkbox', value: !!(s && s.recurrence) });
  const recBox = h('div', { class: 'rec' },
    field({ name: 'schedule.recurrence.frequency', label: 'Repeats', type: 'select', options: [['daily', 'Daily'], ['weekly', 'Weekly'], ['monthly', 'Monthly'], ['yearly', 'Yearly']], value: s?.recurrence?.frequency || 'daily' }),
    field({ name: 'schedule.recurrence.every', label: 'Every n (days, weeks, months or years)', type: 'number', min: 1, max: 365, value: s?.recurrence?.every || 1 }),
    field({ name: 'schedule.recurrence.until', label: 'Until (optional)', type: 'datetime-local', value: s?.recurrence?.until || '' }));
  const schedBox = h('div', { class: 'sched' },
    field({ name: 'schedule.start', label: 'Start Date & Time', type: 'datetime-local', value: s?.start || '' }),
    field({ name: 'schedule.end', label: 'End Date & Time (optional)', type: 'datetime-local', value: s?.end || '' }),
    field({ name: 'schedule.time_zone', label: 'Time Zone', type: 'select', options: zoneOptions(s?.time_zone || o.timings.time_zone), value: s?.time_zone || o.timings.time_zone, help: 'Defaults to the Contactable Timings zone.' }),
    recOn, recBox,
    field({ name: 'schedule.allow_recurrence_precedence', label: 'Allow Recurrence Precedence (its hours replace the Contactable Timings)', type: 'checkbox', value: s?.allow_recurrence_precedence }));
  const showSched = () => { schedBox.hidden = !schedOn.querySelector('input').checked; recBox.hidden = !recOn.querySelector('input').checked; };
  schedOn.querySelector('input').addEventListener('change', showSched);
  recOn.querySelector('input').addEventListener('change', showSched);
  showSched();
  const schedule = [
    h('p', { class: 'help' }, 'A scheduled campaign starts by itself; Play is refused for it. Contacts are scrubbed again 15 minutes before each start, and each recurrence starts fresh from the full list. Contacts are still called only inside the Contactable Timings. Cloning does not copy the schedule.'),
    schedOn, schedBox,
  ];

  // Dispositions.
  const ds = def.dispositions;
  const customBox = field({ name: 'dispositions.custom', label: 'Custom agent dispositions (one per line)', type: 'textarea', value: (ds.custom || []).join('\n') });
  const allDispositions = () => [...systemOutcomes, ...agentDispositions, ...customBox.querySelector('textarea').value.split('\n').map((x) => x.trim()).filter(Boolean)];
  const ruleRows = h('div', { class: 'rows', id: 'rule-rows' });
  const addRule = (r = { disposition: 'Busy', attempts: 1, delay_minutes: 0 }) => {
    const i = ruleRows.children.length;
    const row = h('div', { class: 'row-line rule-row' },
      field({ id: `rule-d-${i}`, name: `dispositions.rules[${i}].disposition`, label: 'Disposition', value: r.disposition, list: 'disposition-names' }),
      field({ id: `rule-a-${i}`, name: `dispositions.rules[${i}].attempts`, label: 'Retries', type: 'number', min: 0, max: 100, value: r.attempts }),
      field({ id: `rule-m-${i}`, name: `dispositions.rules[${i}].delay_minutes`, label: 'Delay (minutes, 0 = default period)', type: 'number', min: 0, max: 43200, value: r.delay_minutes }),
      h('button', { type: 'button', class: 'link write', 'aria-label': 'Remove retry rule', onclick: () => { row.remove(); renumber(ruleRows, 'dispositions.rules'); } }, 'Remove'));
    ruleRows.append(row);
  };
  (ds.rules || []).forEach(addRule);
  const names = h('datalist', { id: 'disposition-names' });
  const positiveBox = h('fieldset', { class: 'wide positive', 'data-field': 'dispositions.positive' }, h('legend', {}, 'Positive Final Outcomes'));
  const renderPositive = () => {
    const on = new Set([...positiveBox.querySelectorAll('input:checked')].map((x) => x.value));
    if (!positiveBox.dataset.ready) { (ds.positive || []).forEach((p) => on.add(p)); positiveBox.dataset.ready = '1'; }
    const all = allDispositions();
    fill(names, all.map((x) => h('option', { value: x })));
    fill(positiveBox, h('legend', {}, 'Positive Final Outcomes'), h('div', { class: 'columns-picker' },
      all.map((d, i) => h('label', { class: 'day' }, h('input', { type: 'checkbox', name: 'positive', id: 'pos-' + i, value: d, checked: on.has(d) }), d))));
  };
  customBox.querySelector('textarea').addEventListener('change', renderPositive);
  renderPositive();
  const countsBox = h('div', { id: 'disposition-counts' });
  const dispositions = [
    h('p', { class: 'help' }, 'Without a rule, Busy, No Answer, Failed, Answering Machine, Abandoned, Unknown and Unresolved are retried after the default retry period; everything else is final. A Positive Final Outcome ends the contact.'),
    customBox,
    h('fieldset', { class: 'wide', 'data-field': 'dispositions.rules' }, h('legend', {}, 'Disposition retries'), ruleRows, names,
      h('button', { type: 'button', class: 'write', id: 'add-rule', onclick: () => addRule() }, '+ Add Disposition Retry')),
    positiveBox, countsBox,
  ];
  if (c && c.instance_id) {
    api('GET', `/api/v1/campaigns/${c.id}/dashboard`).then((d) => {
      const counts = [...d.stats.outcomes, ...d.stats.dispositions];
      fill(countsBox, h('h3', {}, 'Current Disposition Counts'), counts.length
        ? h('ul', {}, counts.map((x) => h('li', {}, `${x.name}: ${x.count}`))) : h('p', { class: 'help' }, 'No calls in the current run yet.'));
    }).catch(() => {});
  }

  // Tabs.
  const tabs = [['general', 'General', general], ['choose', 'Choose Contact', choose], ['outreach', 'Outreach Strategy', outreach], ['schedule', 'Schedule', schedule], ['dispositions', 'Dispositions', dispositions]];
  const tabButtons = tabs.map(([key, label]) => h('button', { type: 'button', role: 'tab', id: 'tab-' + key, 'aria-controls': 'panel-' + key, 'aria-selected': 'false', tabindex: '-1', onclick: () => select(key) }, label));
  const panels = tabs.map(([key, label, content]) => h('div', { role: 'tabpanel', id: 'panel-' + key, 'aria-labelledby': 'tab-' + key, hidden: true, class: 'tab-fields' }, content));
  const select = (key) => {
    tabs.forEach(([k], i) => {
      const on = k === key;
      tabButtons[i].setAttribute('aria-selected', String(on));
      tabButtons[i].tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
  };
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Campaign settings' }, tabButtons);
  tablist.addEventListener('keydown', (ev) => {
    const i = tabButtons.indexOf(document.activeElement);
    if (i < 0 || !['ArrowLeft', 'ArrowRight'].includes(ev.key)) return;
    const j = (i + (ev.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    select(tabs[j][0]);
    tabButtons[j].focus();
  });

  const form = h('form', { novalidate: true, id: 'campaign-form' },
    h('div', { class: 'form-error', role: 'alert', hidden: true, tabindex: '-1' }),
    tablist, panels,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save-campaign' }, 'Save'),
      h('a', { class: 'button', href: '/campaigns' }, 'Cancel')));

  const read = () => {
    const el = form.elements;
    const v = (n) => (el[n] ? el[n].value.trim() : '');
    const mode = v('dialing.mode');
    const dialing = { mode };
    if (mode === 'agentless') dialing.flow_id = optID(v('dialing.flow_id'));
    else dialing.queue_id = optID(v('dialing.queue_id'));
    if (el['dialing.amd']) dialing.amd = el['dialing.amd'].checked;
    if (el['dialing.max_skips']) dialing.max_skips = num(v('dialing.max_skips'));
    if (el['dialing.pacing_ratio']) dialing.pacing_ratio = num(v('dialing.pacing_ratio'));
    if (el['dialing.abandon_target']) dialing.abandon_target = num(v('dialing.abandon_target'));
    const filters = el.filters_on.checked ? [...filterRows.children].map((row) => {
      const [f, op, val] = row.querySelectorAll('input, select');
      const cond = { field: f.value.trim(), op: op.value };
      if (op.value === 'in') cond.values = val.value.split(',').map((x) => x.trim()).filter(Boolean);
      else cond.value = val.value.trim();
      return cond;
    }) : [];
    const order = v('outreach.dialing_order');
    const body = {
      name: v('name'), description: v('description'),
      list_ids: [...el.list_ids.selectedOptions].map((x) => Number(x.value)),
      priority: num(v('priority')), dialing,
      contacts: { filters, match: v('contacts.match') || 'all', dnc_list_id: num(v('contacts.dnc_list_id')), mapping_list_id: optID(v('contacts.mapping_list_id')) },
      outreach: {
        caller_id: optID(v('outreach.caller_id')),
        dialing_order: order ? order.split(/[,\s]+/).filter(Boolean).map(num) : [],
        max_attempts: num(v('outreach.max_attempts')), retry_minutes: num(v('outreach.retry_minutes')), max_ring_seconds: num(v('outreach.max_ring_seconds')),
        timings: { time_zone: v('outreach.timings.time_zone'), windows: [...windowRows.children].map((row) => {
          const [s1, e1] = row.querySelectorAll('input[type=time]');
          return { days: [...row.querySelectorAll('input[type=checkbox]:checked')].map((x) => x.value), start: s1.value, end: e1.value };
        }) },
      },
      messages: { voicemail: v('messages.voicemail'), safe_harbour: v('messages.safe_harbour'), opt_out_digit: v('messages.opt_out_digit') },
      dispositions: {
        name: (ds && ds.name) || '',
        custom: v('dispositions.custom').split('\n').map((x) => x.trim()).filter(Boolean),
        rules: [...ruleRows.children].map((row) => {
          const [d, a, m] = row.querySelectorAll('input');
          return { disposition: d.value.trim(), attempts: num(a.value), delay_minutes: num(m.value) };
        }),
        positive: [...positiveBox.querySelectorAll('input:checked')].map((x) => x.value),
      },
    };
    if (el.schedule_on.checked) {
      body.schedule = { start: v('schedule.start'), end: v('schedule.end'), time_zone: v('schedule.time_zone'), allow_recurrence_precedence: el['schedule.allow_recurrence_precedence'].checked };
      if (el.recurrence_on.checked) body.schedule.recurrence = { frequency: v('schedule.recurrence.frequency'), every: num(v('schedule.recurrence.every')), until: v('schedule.recurrence.until') };
    }
    return body;
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    tabButtons.forEach((b) => b.classList.remove('has-error'));
    const btn = form.querySelector('#save-campaign');
    btn.disabled = true;
    try {
      const body = read();
      const out = c ? await api('PUT', `/api/v1/campaigns/${c.id}`, body) : await api('POST', '/api/v1/campaigns', body);
      location.assign('/campaigns?saved=' + encodeURIComponent(out.name));
    } catch (e) {
      if (!(e instanceof APIError)) throw e;
      // Show the tab of the first field the API named, and mark every tab with an error.
      const firstPanel = () => form.querySelector('[aria-invalid=true]')?.closest('[role=tabpanel]');
      const shown = showErrors(form, e);
      panels.forEach((p, i) => { if (p.querySelector('.field-error')) tabButtons[i].classList.add('has-error'); });
      const p = firstPanel();
      if (p) { select(p.id.replace('panel-', '')); p.querySelector('[aria-invalid=true]').focus(); }
      if (e.status === 409) notice(shown, 'error');
    } finally {
      btn.disabled = false;
    }
  });

  fill(ctx.page, form);
  select('general');
  if (!canWrite) readOnly(form, `Role ${ctx.user.role} may view campaigns but not change them.`);
}
