// phone.js: the agent's one WebRTC audio connection for the whole shift. The server
// answers with G.711 only (PCMU/PCMA); calls are switched into this connection, so
// there is no per-call signalling here.

/** plainMicError turns a getUserMedia failure into a sentence an agent can act on. */
export function plainMicError(e) {
  switch (e && e.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'The microphone is blocked for this site. Allow it (the microphone or lock icon in the address bar), then press Retry audio.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Plug in your headset, then press Retry audio.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone cannot be opened: another program may be using it. Close that program or reconnect the headset, then press Retry audio.';
    default:
      return 'The microphone cannot be used (' + ((e && e.message) || e) + '). Press Retry audio.';
  }
}

export class Phone {
  /** @param {HTMLAudioElement} speaker where the customer is heard */
  constructor(speaker, onState) {
    this.speaker = speaker;
    this.onState = onState || (() => {});
    this.pc = null;
    this.mic = null;
    this.sender = null;
    this.tonesDone = 0; // keypad sequences the browser finished sending
  }

  /** connected reports whether the audio connection is up. */
  connected() {
    return !!this.pc && ['connected', 'connecting', 'new'].includes(this.pc.connectionState) && this.pc.signalingState === 'stable';
  }

  /**
   * offer opens the microphone and returns the SDP offer to send to the server.
   * It throws an Error with a plain message when the microphone cannot be used.
   */
  async offer() {
    this.close();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error('This browser cannot use a microphone on this page (it needs HTTPS or localhost and a current browser).');
    }
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false });
    } catch (e) {
      throw new Error(plainMicError(e));
    }
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    const [track] = this.mic.getAudioTracks();
    track.addEventListener('ended', () => this.onState('mic-lost'));
    this.sender = pc.addTrack(track, this.mic);
    if (this.sender.dtmf) {
      // tonechange with an empty tone: the last tone of a sequence has been sent
      this.sender.dtmf.addEventListener('tonechange', (ev) => { if (ev.tone === '') this.tonesDone++; });
    }
    pc.addEventListener('track', (ev) => {
      this.speaker.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      this.speaker.play().catch(() => { /* autoplay waits for a click; audio flows anyway */ });
    });
    pc.addEventListener('connectionstatechange', () => this.onState(pc.connectionState));
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc, 3000);
    return pc.localDescription.sdp;
  }

  /** answer applies the server's SDP answer. */
  async answer(sdp) {
    if (!this.pc) throw new Error('no audio offer is pending');
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** dtmf sends keypad tones to the customer (RFC 4733 through the server). */
  dtmf(tones) {
    if (this.sender && this.sender.dtmf && this.sender.dtmf.canInsertDTMF) {
      this.sender.dtmf.insertDTMF(tones, 120, 70);
      return true;
    }
    return false;
  }

  /** stats returns the audio packet counters: {sent, received, codec}. */
  async stats() {
    const out = { sent: 0, received: 0, codec: '' };
    if (!this.pc) return out;
    const report = await this.pc.getStats();
    const codecs = {};
    report.forEach((s) => { if (s.type === 'codec') codecs[s.id] = s.mimeType; });
    report.forEach((s) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'outbound-rtp') { out.sent += s.packetsSent || 0; out.codec = codecs[s.codecId] || out.codec; }
      if (s.type === 'inbound-rtp') out.received += s.packetsReceived || 0;
    });
    return out;
  }

  close() {
    if (this.pc) { this.pc.close(); this.pc = null; }
    if (this.mic) { this.mic.getTracks().forEach((t) => t.stop()); this.mic = null; }
    this.sender = null;
  }
}

/** gathered waits until ICE gathering completes (host candidates only: quick), or ms. */
function gathered(pc, ms) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() { if (pc.iceGatheringState === 'complete') done(); }
    pc.addEventListener('icegatheringstatechange', check);
  });
}
