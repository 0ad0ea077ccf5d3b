// socket.js: the agent's WebSocket to the hub (docs/agent-protocol.md). It logs in on
// every (re)connection and reconnects by itself after a drop, so the hub's reconnect
// grace keeps the agent's state and call.

export class AgentSocket {
  /**
   * @param {string} path the hub's path, e.g. /console/ws
   * @param {() => string} token returns the bearer token for the login message
   * @param {{onMessage: Function, onStatus: Function}} h
   */
  constructor(path, token, h) {
    this.url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
    this.token = token;
    this.h = h;
    this.ws = null;
    this.stopped = false;
    this.tries = 0;
    this.timer = 0;
    this.ping = 0;
  }

  open() {
    this.stopped = false;
    clearTimeout(this.timer);
    this.h.onStatus(this.tries ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      ws.send(JSON.stringify({ type: 'login', token: this.token() }));
    });
    ws.addEventListener('message', (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m.type === 'welcome') {
        this.tries = 0;
        this.h.onStatus('online');
        clearInterval(this.ping);
        this.ping = setInterval(() => this.send({ type: 'ping' }), 15000);
      }
      this.h.onMessage(m);
    });
    ws.addEventListener('close', (ev) => {
      clearInterval(this.ping);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) { this.h.onStatus('closed'); return; }
      if (ev.code === 1008) { this.h.onStatus('refused'); return; } // login refused
      this.tries++;
      this.h.onStatus('reconnecting');
      this.timer = setTimeout(() => this.open(), Math.min(500 * this.tries, 5000));
    });
  }

  /** send sends a message; false when not connected (the caller tells the agent). */
  send(m) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }

  /** drop closes the connection as a network failure would: it reconnects. */
  drop() { if (this.ws) this.ws.close(); }

  /** close ends the connection for good (sign-out). */
  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    if (this.ws) this.ws.close(1000, 'sign out');
  }
}
