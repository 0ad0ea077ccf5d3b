// ui.js: small DOM helpers shared by the pages. Text always goes in as text nodes,
// never as HTML, so data from the API cannot inject markup.

/** h builds an element: h('a', {href: '/x', class: 'y', onclick: fn}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'rect', 'text', 'line', 'title', 'path'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && !svg) el.value = v;
    else if (k === 'checked' && !svg) el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** clear empties an element and fills it with children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** $ finds one element. */
export const $ = (sel, root = document) => root.querySelector(sel);

/** toast shows a short message in the live region. */
export function toast(msg, kind = 'ok') {
  const box = document.getElementById('toasts');
  const t = h('div', { class: 'toast ' + kind }, msg);
  box.append(t);
  setTimeout(() => t.remove(), 6000);
}

/** notice sets (or clears, with '') the page's notice line. */
export function notice(msg, kind = 'info') {
  const el = document.getElementById('notice');
  if (!el) return;
  fill(el, msg ? h('p', { class: 'banner ' + kind }, msg) : null);
}

/** fmtTime formats an ISO time for people, in the browser's zone; '' when unset. */
export function fmtTime(v) {
  if (!v) return '';
  const d = new Date(v);
  if (isNaN(d) || d.getFullYear() < 1971) return '';
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** fmtDuration formats seconds as m:ss or h:mm:ss. */
export function fmtDuration(sec) {
  if (sec === undefined || sec === null || sec === '') return '';
  sec = Math.round(Number(sec));
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? h + ':' : '') + mm + ':' + String(s).padStart(2, '0');
}

/**
 * findInput maps an API error field like "rows[3].phone" to the form input: the input
 * named (or data-field) exactly so, else the nearest enclosing field ("list_ids[2]" ->
 * "list_ids", "outreach.timings.windows[0].end" -> "outreach.timings.windows").
 */
function findInput(form, field) {
  if (!field) return null;
  const esc = (s) => s.replace(/["\\]/g, '\\$&');
  for (let f = field; f; f = f.replace(/(\[[^\]]*\]|\.[^.[\]]*)$/, '')) {
    const el = form.querySelector(`[name="${esc(f)}"]`) || form.querySelector(`[data-field="${esc(f)}"]`);
    if (el) return el;
    if (!/[.[]/.test(f)) break;
  }
  return null;
}

/** clearErrors removes the messages showErrors added. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    const ids = (e.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.startsWith('err-'));
    if (ids.length) e.setAttribute('aria-describedby', ids.join(' '));
    else e.removeAttribute('aria-describedby');
  });
  const box = form.querySelector('.form-error');
  if (box) { box.hidden = true; box.replaceChildren(); }
}

/**
 * showErrors puts an API error next to the inputs it names (err.field and every
 * err.details[].field) and a summary at the top of the form, then focuses the first
 * bad input. It returns the summary text.
 */
export function showErrors(form, err) {
  clearErrors(form);
  const items = [];
  if (err.details && err.details.length) {
    for (const d of err.details) items.push({ field: d.field, message: d.message });
  } else {
    items.push({ field: err.field, message: err.field ? `${err.field}: ${err.message}` : err.message });
  }
  let first = null;
  for (const it of items) {
    const input = findInput(form, it.field);
    if (!input) continue;
    const id = 'err-' + it.field.replace(/[^a-zA-Z0-9_-]/g, '-');
    const msg = h('p', { class: 'field-error', id }, it.message);
    const host = input.closest('.field') || input.parentElement;
    host.append(msg);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', ((input.getAttribute('aria-describedby') || '') + ' ' + id).trim());
    first = first || input;
  }
  const box = form.querySelector('.form-error');
  const summary = items.map((i) => i.message).join('; ');
  if (box) {
    fill(box, h('strong', {}, 'Not saved. '), items.length > 1 ? h('ul', {}, items.map((i) => h('li', {}, i.message))) : summary);
    box.hidden = false;
  } else {
    toast(summary, 'error');
  }
  (first || box)?.focus?.();
  return summary;
}

/** confirmDialog asks a yes/no question in a modal dialog; resolves true on OK. */
export function confirmDialog(title, text, okLabel = 'OK', danger = false) {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok' }, okLabel);
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'dlg-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dlg-title' }, title),
        h('p', {}, text),
        h('div', { class: 'actions' }, ok, h('button', { type: 'submit', value: 'cancel' }, 'Cancel'))));
    dlg.addEventListener('close', () => { dlg.remove(); resolve(dlg.returnValue === 'ok'); });
    document.body.append(dlg);
    dlg.showModal();
    ok.focus();
  });
}

/**
 * modal opens a dialog around content (a form usually). It returns {dialog, close}.
 * The caller decides when to close; Escape and the Close button close too.
 */
export function modal(title, content, opts = {}) {
  const closeBtn = h('button', { type: 'button', class: 'link close', 'aria-label': 'Close' }, '✕');
  const dlg = h('dialog', { class: 'modal ' + (opts.wide ? 'wide' : ''), 'aria-labelledby': 'modal-title' },
    h('header', {}, h('h2', { id: 'modal-title' }, title), closeBtn), content);
  const close = () => dlg.close();
  closeBtn.addEventListener('click', close);
  dlg.addEventListener('close', () => { dlg.remove(); opts.onclose && opts.onclose(); });
  document.body.append(dlg);
  dlg.showModal();
  const f = dlg.querySelector('input:not([type=hidden]), select, textarea');
  if (f) f.focus();
  return { dialog: dlg, close };
}

/**
 * table renders rows with columns [{key, label, render?, sort?}] into a <table>.
 * opts.sort = {key, dir} marks the sorted column; opts.onsort(key) makes headers buttons.
 */
export function table(columns, rows, opts = {}) {
  const head = h('tr', {}, columns.map((c) => {
    const sorted = opts.sort && opts.sort.key === c.key;
    const aria = sorted ? (opts.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined;
    const label = c.sort && opts.onsort
      ? h('button', { type: 'button', class: 'sort', onclick: () => opts.onsort(c.key) }, c.label, sorted ? (opts.sort.dir === 'asc' ? ' ▲' : ' ▼') : '')
      : c.label;
    return h('th', { scope: 'col', 'aria-sort': aria, class: c.class }, label);
  }));
  const body = rows.length
    ? rows.map((r) => h('tr', { dataset: opts.rowData ? opts.rowData(r) : {} }, columns.map((c) => h('td', { class: c.class, 'data-label': typeof c.label === 'string' ? c.label : '' }, c.render ? c.render(r) : fmtCell(r[c.key])))))
    : [h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, opts.empty || 'Nothing here yet.'))];
  return h('table', { class: 'grid' + (opts.class ? ' ' + opts.class : '') },
    opts.caption ? h('caption', {}, opts.caption) : null, h('thead', {}, head), h('tbody', {}, body));
}

function fmtCell(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/**
 * poll calls fn now and then every ms milliseconds while the page is visible, until
 * the returned stop function is called. A failing fn is reported once, not thrown.
 */
export function poll(fn, ms) {
  let timer = null, stopped = false, running = false;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden && !running) {
      running = true;
      try { await fn(); } catch (e) { if (e && e.status !== 401) notice('Live update failed: ' + e.message, 'error'); }
      running = false;
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

/** download saves text or a Blob as a file. */
export function download(name, data, type = 'text/plain') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/** csv encodes rows (arrays of cells) as RFC 4180 text. */
export function csv(rows) {
  return rows.map((r) => r.map((c) => {
    const s = c === undefined || c === null ? '' : String(c);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }).join(',')).join('\r\n') + '\r\n';
}

/** field builds a labelled input block; spec = {name, label, type, help, options, value, required}. */
export function field(spec) {
  const id = 'f-' + (spec.id || spec.name).replace(/[^a-zA-Z0-9_-]/g, '-');
  let input;
  const common = { id, name: spec.name, required: spec.required, disabled: spec.disabled, 'aria-describedby': spec.help ? id + '-h' : undefined };
  if (spec.type === 'select') {
    input = h('select', common, (spec.options || []).map((o) => {
      const [v, l] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: String(spec.value ?? '') === String(v) }, l);
    }));
    if (spec.multiple) input.multiple = true;
  } else if (spec.type === 'textarea') {
    input = h('textarea', { ...common, rows: spec.rows || 3 }, spec.value ?? '');
  } else if (spec.type === 'checkbox') {
    input = h('input', { ...common, type: 'checkbox', checked: !!spec.value });
    return h('div', { class: 'field check' }, input, h('label', { for: id }, spec.label),
      spec.help ? h('p', { class: 'help', id: id + '-h' }, spec.help) : null);
  } else {
    input = h('input', { ...common, type: spec.type || 'text', value: spec.value ?? '', min: spec.min, max: spec.max, step: spec.step, maxlength: spec.maxlength, placeholder: spec.placeholder, autocomplete: spec.autocomplete || 'off', list: spec.list });
  }
  return h('div', { class: 'field' }, h('label', { for: id }, spec.label), input,
    spec.help ? h('p', { class: 'help', id: id + '-h' }, spec.help) : null);
}

/** readOnly disables every control in root that changes data (for read-only roles). */
export function readOnly(root, why) {
  root.querySelectorAll('input, select, textarea, button[type=submit], button.write').forEach((el) => {
    el.disabled = true;
    if (why) el.title = why;
  });
}
