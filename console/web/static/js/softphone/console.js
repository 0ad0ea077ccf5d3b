// console.js: the agent softphone console at /console/. Sign-in through the API, then
// one WebSocket to the hub (socket.js) and one WebRTC audio connection (phone.js) for
// the whole shift. The hub and the engine own every rule (routing, states, locks, skip
// limits); this page shows what they say and sends what the agent chooses.
import { APIError, api, bootData, clearSession, saveSession, session } from '../api.js';
import { $, fill, h, toast } from '../ui.js';
import { AgentSocket } from './socket.js';
import { Phone } from './phone.js';

const boot = bootData();

const STATE_LABEL = {
  Available: 'Available', Paused: 'Break', Busy: 'On a call', SystemBusy: 'System Busy',
  WrapUp: 'Wrap-up', Offline: 'Offline',
};
const STATE_HELP = {
  Available: 'Calls are connected to you automatically.',
  Paused: 'You receive no calls. Press Available when you are ready.',
  Busy: 'You are talking to a customer.',
  SystemBusy: 'The system is dialing for you or offering you a contact.',
  WrapUp: 'Choose a disposition to finish the call.',
  Offline: '',
};
const CONN_LABEL = {
  connecting: 'Connecting…', reconnecting: 'Connection lost: reconnecting…', online: 'Connected',
  closed: 'Signed out', refused: 'Sign-in refused',
};

// The page's whole state. render() draws it; handlers only change it.
const st = {
  agent: null,
  state: '',
  conn: 'connecting',
  audio: 'off', // off | starting | ready | error
  audioError: '',
  call: null, // {offer, ended, muted, held}
  preview: null, // {offer, deadline, sent}
  campaigns: new Map(), // id -> {name, mode}
  queues: [], // names or ids
  redirectUntil: 0,
  welcomes: 0, // connections the hub accepted this shift
};

let sock = null;
let phone = null;
let tick = 0;

function showSignIn() {
  $('#desk').hidden = true;
  $('#signin').hidden = false;
  $('#username').focus();
}

export async function mount() {
  const form = $('#signin-form');
  form.addEventListener('submit', signIn);
  $('#logout').addEventListener('click', signOut);
  $('#go-available').addEventListener('click', () => askState('Available'));
  $('#go-break').addEventListener('click', () => askState('Paused'));
  $('#audio-retry').addEventListener('click', startAudio);
  $('#mute').addEventListener('click', () => callSend('mute'));
  $('#hold').addEventListener('click', () => callSend('hold'));
  $('#hangup').addEventListener('click', () => { if (!sock.send({ type: 'hangup' })) offline(); });
  $('#dial').addEventListener('click', () => previewAnswer('dial'));
  $('#skip').addEventListener('click', () => previewAnswer('skip'));
  $('#wrap').addEventListener('submit', sendDisposition);
  const keys = $('#dtmf .keys');
  for (const k of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']) {
    keys.append(h('button', { type: 'button', 'aria-label': 'Key ' + k, onclick: () => key(k) }, k));
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && st.redirectUntil) { st.redirectUntil = 0; render(); }
  });
  // Test and support hook: audio counters and a simulated network drop.
  window.outdialConsole = {
    stats: () => (phone ? phone.stats() : { sent: 0, received: 0, codec: '' }),
    tonesDone: () => (phone ? phone.tonesDone : 0),
    dropSocket: () => sock && sock.drop(),
    snapshot: () => ({ welcomes: st.welcomes, state: st.state, conn: st.conn, audio: st.audio, call: st.call, preview: st.preview && st.preview.offer }),
  };
  if (session()) start();
  else showSignIn();
}

async function signIn(ev) {
  ev.preventDefault();
  const form = ev.target;
  const err = $('#signin-error');
  err.hidden = true;
  const body = { username: form.username.value.trim(), password: form.password.value };
  if (!body.username || !body.password) {
    fill(err, 'Enter your username and password.');
    err.hidden = false;
    (body.username ? form.password : form.username).focus();
    return;
  }
  askNotifications();
  const btn = form.querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    saveSession(await api('POST', '/api/v1/auth/login', body, { noRedirect: true }));
    form.reset();
    start();
  } catch (e) {
    fill(err, e instanceof APIError ? e.message : 'Cannot reach the server: ' + e.message);
    err.hidden = false;
    form.password.select();
    form.password.focus();
  } finally {
    btn.disabled = false;
  }
}

async function signOut() {
  if (st.call && !st.call.ended) { toast('End the call before signing out.', 'error'); return; }
  if (sock) sock.close();
  if (phone) phone.close();
  try { await api('POST', '/api/v1/auth/logout', undefined, { noRedirect: true }); } catch { /* already gone */ }
  clearSession();
  location.reload();
}

function start() {
  $('#signin').hidden = true;
  $('#desk').hidden = false;
  const s = session();
  fill($('#who'), h('span', { class: 'user' }, (s.user && (s.user.display_name || s.user.username)) || ''));
  $('#logout').hidden = false;
  phone = new Phone($('#remote'), onPhoneState);
  sock = new AgentSocket(boot.socket, () => (session() || {}).token || '', { onMessage, onStatus });
  sock.open();
  clearInterval(tick);
  tick = setInterval(onTick, 250);
}

function onStatus(s) {
  st.conn = s;
  if (s === 'refused') {
    clearSession();
    setNotice('Your sign-in was refused by the console server. Sign in again.', 'error');
    showSignIn();
  }
  render();
}

function onPhoneState(s) {
  if (s === 'failed' || s === 'mic-lost') {
    st.audio = 'error';
    st.audioError = s === 'mic-lost' ? 'The microphone was disconnected. Plug it in again, then press Retry audio.' : 'The audio connection to the server failed. Press Retry audio.';
  } else if (s === 'connected') {
    st.audio = 'ready';
    st.audioError = '';
  }
  render();
}

async function startAudio() {
  st.audio = 'starting';
  st.audioError = '';
  render();
  try {
    const sdp = await phone.offer();
    if (!sock.send({ type: 'audio', sdp })) throw new Error('Not connected to the server; audio starts when the connection is back.');
  } catch (e) {
    st.audio = 'error';
    st.audioError = e.message;
    render();
  }
}

function onMessage(m) {
  switch (m.type) {
    case 'welcome':
      st.welcomes++;
      st.agent = m.agent;
      st.state = m.state;
      st.queues = queueNames(m);
      // The audio connection outlives a dropped WebSocket; open it only when it is not up.
      if (!phone.connected() || st.audio === 'off' || st.audio === 'error') startAudio();
      $('#desk').setAttribute('aria-busy', 'false');
      break;
    case 'audio':
      if (m.audio && m.audio.sdp) {
        phone.answer(m.audio.sdp).then(() => { if (st.audio !== 'ready') st.audio = 'starting'; render(); },
          (e) => { st.audio = 'error'; st.audioError = 'The server\'s audio answer was refused: ' + e.message; render(); });
      }
      break;
    case 'state':
      st.state = m.state;
      if (m.state === 'Available' || m.state === 'Paused') {
        if (st.call && st.call.ended) st.call = null;
      }
      break;
    case 'call': {
      const o = m.offer;
      seen(o);
      if (!st.call || st.call.offer.attempt_id !== o.attempt_id) {
        st.call = { offer: o, ended: false, muted: false, held: false };
        st.preview = null;
        callStarted(o);
      }
      break;
    }
    case 'ended':
      if (st.call && (!m.attempt_id || st.call.offer.attempt_id === m.attempt_id)) {
        if (!st.call.ended) {
          st.call.ended = true;
          st.call.muted = st.call.held = false;
          render();
          const first = $('#dispositions input');
          if (first) first.focus();
        }
      }
      break;
    case 'preview': {
      const o = m.offer;
      seen(o);
      if (!st.preview || st.preview.offer.record_id !== o.record_id) {
        st.preview = { offer: o, deadline: Date.now() + boot.preview_seconds * 1000, sent: '' };
        callStarted(o);
      } else {
        st.preview.offer = o; // the same record again: a skip was refused, the timer runs on
        st.preview.sent = '';
      }
      break;
    }
    case 'mute':
      if (st.call) st.call.muted = !!m.muted;
      break;
    case 'hold':
      if (st.call) st.call.held = !!m.held;
      break;
    case 'error':
      if (/audio leg/.test(m.message || '')) {
        setNotice('Your audio is not connected yet; connecting it now. Press Available again when it shows Ready.', 'warn');
        startAudio();
      } else {
        setNotice(m.message, 'error');
      }
      break;
    default:
      return;
  }
  render();
}

function seen(o) {
  if (o && o.campaign_id) st.campaigns.set(o.campaign_id, { name: o.campaign, mode: o.mode });
}

// queueNames: the hub's welcome names the agent's own queues (agents may not read the
// API's queue list); a queue it could not name shows its number.
function queueNames(m) {
  if (Array.isArray(m.queues)) return m.queues.map((q) => q.name || '#' + q.id);
  return ((m.agent && m.agent.queue_ids) || []).map((id) => '#' + id);
}

function askState(s) {
  setNotice('');
  if (s === 'Available' && st.audio !== 'ready') {
    setNotice('Your audio is not ready: ' + (st.audioError || 'it is still connecting.') + ' You can go Available once it shows Ready.', 'warn');
    if (st.audio === 'error' || st.audio === 'off') startAudio();
    return;
  }
  askNotifications();
  if (!sock.send({ type: 'state', state: s })) offline();
}

function callSend(kind) {
  if (!st.call || st.call.ended) return;
  const on = kind === 'mute' ? !st.call.muted : !st.call.held;
  if (!sock.send({ type: kind, on })) offline();
}

function key(k) {
  if (!st.call || st.call.ended) return;
  if (!phone.dtmf(k)) toast('The keypad is not available on this audio connection.', 'error');
}

function previewAnswer(action) {
  const p = st.preview;
  if (!p || p.sent) return;
  if (!sock.send({ type: 'preview', record_id: p.offer.record_id, action })) { offline(); return; }
  p.sent = action;
  // Skip: the next offer comes. Dial: the offer is spent (the hub forgets it too) and
  // the tray shows "Connecting..." while the system dials, until the call arrives.
  st.preview = null;
  render();
}

function sendDisposition(ev) {
  ev.preventDefault();
  const err = $('#wrap-error');
  err.hidden = true;
  const c = st.call;
  if (!c) return;
  const pick = $('#dispositions input:checked');
  if (!pick) {
    fill(err, 'Choose a disposition.');
    err.hidden = false;
    const first = $('#dispositions input');
    if (first) first.focus();
    return;
  }
  const msg = { type: 'disposition', attempt_id: c.offer.attempt_id, disposition: pick.value, notes: $('#notes').value };
  if (!sock.send(msg)) { offline(); return; }
  st.call = null;
  $('#notes').value = '';
  toast('Saved: ' + pick.value);
  render();
}

function offline() {
  setNotice('Not connected to the server; reconnecting. Try again in a moment.', 'warn');
}

function setNotice(msg, kind = 'info') {
  fill($('#notice'), msg ? h('p', { class: 'banner ' + kind }, msg) : null);
}

// Notifications are asked for on a click (browsers require it) and used only if allowed.
function askNotifications() {
  if ('Notification' in window && Notification.permission === 'default') {
    Notification.requestPermission().catch(() => {});
  }
}

// callStarted brings an agent on another tab back ("Redirect Agents to Console").
function callStarted(o) {
  if (document.visibilityState !== 'hidden') return;
  st.redirectUntil = Date.now() + boot.redirect_ms;
  const what = (o.campaign || 'A campaign') + ': ' + contactName(o);
  if ('Notification' in window && Notification.permission === 'granted') {
    try {
      const n = new Notification('outdial: call for you', { body: what + '. Back to the console in ' + Math.round(boot.redirect_ms / 1000) + ' s.', tag: 'outdial-call' });
      n.onclick = () => { window.focus(); n.close(); };
    } catch { /* the banner below says it too */ }
  }
}

function onTick() {
  if (st.redirectUntil && Date.now() >= st.redirectUntil) {
    st.redirectUntil = -1; // shown as "you were brought back"
    window.focus();
  }
  const p = st.preview;
  if (p && !p.sent && Date.now() >= p.deadline) {
    previewAnswer('dial'); // the spec: no action dials the number when the timer ends
  }
  renderTimers();
}

function contactName(o) {
  return [o.first_name, o.last_name].filter(Boolean).join(' ') || o.number || '';
}

function contactList(dl, o) {
  const rows = [['Name', contactName(o)], ['Number', o.number]];
  for (const [k, v] of Object.entries(o.fields || {})) rows.push([k, v]);
  fill(dl, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function render() {
  fill($('#conn'), CONN_LABEL[st.conn] || '');
  $('#conn').dataset.conn = st.conn;
  const state = $('#state');
  let label = STATE_LABEL[st.state] || st.state || '…';
  if (st.state === 'SystemBusy' && !st.preview) label = 'System Busy: Connecting...';
  fill(state, label);
  state.dataset.state = st.state;
  fill($('#state-help'), STATE_HELP[st.state] || '');
  const inCall = !!st.call;
  $('#go-available').disabled = st.state !== 'Paused' || inCall || st.conn !== 'online';
  $('#go-break').disabled = st.state === 'Paused' || st.conn !== 'online';
  $('#go-available').setAttribute('aria-pressed', String(st.state === 'Available'));
  $('#go-break').setAttribute('aria-pressed', String(st.state === 'Paused'));

  const audio = $('#audio');
  audio.dataset.audio = st.audio;
  fill(audio, { off: 'Not connected', starting: 'Connecting…', ready: 'Ready (microphone and speaker connected)', error: st.audioError }[st.audio]);
  audio.classList.toggle('error', st.audio === 'error');
  $('#audio-retry').hidden = st.audio !== 'error';

  fill($('#serving'),
    st.queues.map((q) => h('li', {}, h('span', { class: 'kind' }, 'Queue'), ' ', q)),
    [...st.campaigns.values()].map((c) => h('li', {}, h('span', { class: 'kind' }, 'Campaign'), ' ', c.name, ' ', h('span', { class: 'muted' }, '(' + c.mode + ')'))));

  // Conversation tray: a call, or the system dialing for the agent.
  const tray = $('#tray');
  const connecting = !st.call && !st.preview && st.state === 'SystemBusy';
  tray.hidden = !(st.call && !st.call.ended) && !connecting;
  if (st.call && !st.call.ended) {
    const o = st.call.offer;
    let status = 'Connected: talking to the customer';
    if (st.call.held) status = 'On hold: you and the customer cannot hear each other';
    else if (st.call.muted) status = 'Muted: the customer cannot hear you';
    fill($('#tray-status'), status);
    fill($('#tray-campaign'), o.campaign || '');
    contactList($('#tray-contact'), o);
    $('#call-controls').hidden = false;
    $('#dtmf').hidden = false;
    $('#mute').setAttribute('aria-pressed', String(st.call.muted));
    fill($('#mute'), st.call.muted ? 'Unmute' : 'Mute');
    $('#hold').setAttribute('aria-pressed', String(st.call.held));
    fill($('#hold'), st.call.held ? 'Resume' : 'Hold');
  } else if (connecting) {
    fill($('#tray-status'), 'Connecting...');
    fill($('#tray-campaign'), '');
    fill($('#tray-contact'));
    $('#call-controls').hidden = true;
    $('#dtmf').hidden = true;
  }

  // Preview offer.
  const pv = $('#preview');
  pv.hidden = !st.preview;
  if (st.preview) {
    const o = st.preview.offer;
    fill($('#preview-campaign'), o.campaign || '');
    contactList($('#preview-contact'), o);
    const left = o.skips_left || 0;
    $('#skip').hidden = left <= 0;
    fill($('#skips-left'), left > 0 ? `${left} skip${left === 1 ? '' : 's'} left for this record` : 'Skip limit reached for this record: dial it.');
    $('#dial').disabled = !!st.preview.sent;
    $('#skip').disabled = !!st.preview.sent;
  }

  // Wrap-up.
  const wrap = $('#wrap');
  const wrapping = !!(st.call && st.call.ended);
  if (wrapping && wrap.hidden) {
    const o = st.call.offer;
    fill($('#dispositions'), (o.dispositions || []).map((d, i) =>
      h('div', { class: 'field check' },
        h('input', { type: 'radio', name: 'disposition', id: 'disp-' + i, value: d }),
        h('label', { for: 'disp-' + i }, d))));
    $('#wrap-error').hidden = true;
  }
  wrap.hidden = !wrapping;
  $('#idle').hidden = !tray.hidden || !pv.hidden || wrapping;

  // The banner for an agent brought back from another tab.
  const rd = $('#redirect');
  rd.hidden = !st.redirectUntil;
  renderTimers();
}

function renderTimers() {
  const p = st.preview;
  if (p) {
    const ms = Math.max(0, p.deadline - Date.now());
    const s = Math.ceil(ms / 1000);
    const t = $('#preview-timer');
    const text = `0:${String(s).padStart(2, '0')}`;
    if (t.textContent !== text) fill(t, text);
    $('#preview-progress').value = Math.round((100 * ms) / (boot.preview_seconds * 1000));
  }
  if (st.redirectUntil) {
    const o = (st.call && st.call.offer) || (st.preview && st.preview.offer) || {};
    const left = Math.max(0, Math.ceil((st.redirectUntil - Date.now()) / 1000));
    const text = st.redirectUntil > 0
      ? `Call for you (${o.campaign || 'campaign'}: ${contactName(o)}). Bringing you back to the console in ${left} s.`
      : `Call for you (${o.campaign || 'campaign'}: ${contactName(o)}). You were brought back to the console.`;
    const rd = $('#redirect');
    if (rd.textContent !== text) fill(rd, text);
  }
}

mount();
