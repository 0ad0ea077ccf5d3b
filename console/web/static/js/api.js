// api.js: the one way pages talk to the server. Every call goes to /api/v1 with the
// bearer token of this browser tab; the API enforces roles, this file only reports.

const KEY = 'outdial.session';

/** The signed-in session {token, expires_at, user}, or null. */
export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    if (!s || !s.token) return null;
    if (s.expires_at && Date.parse(s.expires_at) <= Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s) { sessionStorage.setItem(KEY, JSON.stringify(s)); }
export function clearSession() { sessionStorage.removeItem(KEY); }

/** APIError carries the API's error envelope: code, message, field, details. */
export class APIError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `request failed with HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field || '';
    this.details = e.details || [];
  }
}

/** signIn sends the user to the sign-in page and back here afterwards. */
export function signIn() {
  const next = location.pathname + location.search;
  location.replace('/login' + (next && next !== '/' ? '?next=' + encodeURIComponent(next) : ''));
}

/**
 * api calls the API. body may be an object (sent as JSON), FormData (multipart) or
 * undefined. opts.raw returns the Response (for downloads). A 401 ends the session.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const s = session();
  if (s) headers.Authorization = 'Bearer ' + s.token;
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, signal: opts.signal });
  if (res.status === 401 && !opts.noRedirect) {
    clearSession();
    signIn();
    throw new APIError(401, await res.json().catch(() => null));
  }
  if (!res.ok) throw new APIError(res.status, await res.json().catch(() => null));
  if (opts.raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

let specPromise = null;

/** spec returns the OpenAPI document: which routes exist and the lowest role of each. */
export function spec() {
  if (!specPromise) {
    specPromise = fetch('/api/v1/openapi.json').then((r) => {
      if (!r.ok) throw new Error('cannot read /api/v1/openapi.json: HTTP ' + r.status);
      return r.json();
    });
  }
  return specPromise;
}

/** route returns the OpenAPI operation of "METHOD /path" or null. */
export async function route(needs) {
  const [method, path] = needs.split(' ');
  const doc = await spec();
  const p = doc.paths && doc.paths[path];
  return (p && p[method.toLowerCase()]) || null;
}

const boot = JSON.parse(document.getElementById('boot').textContent);

/** bootData is what the server rendered for this page. */
export function bootData() { return boot; }

/** rank of a role name (from the server's role table); 0 when unknown. */
export function rank(role) { return boot.roles[role] || 0; }

/**
 * allows reports whether the signed-in user may make the call "METHOD /path": the
 * route exists and the user's role is at least the route's role.
 */
export async function allows(needs) {
  const op = await route(needs);
  if (!op) return false;
  const need = op['x-outdial-role'];
  if (!need) return true;
  const s = session();
  return !!s && rank(s.user.role) >= rank(need);
}

/** neededRole returns the lowest role a call needs ('' when open, null when absent). */
export async function neededRole(needs) {
  const op = await route(needs);
  if (!op) return null;
  return op['x-outdial-role'] || '';
}

/** query builds a query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
