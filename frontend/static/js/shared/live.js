/**
 * The websocket client of the live stream (`/ws/live/`, protocol in
 * commandcenter/consumers.py), shared by the live map and the consoles.
 *
 * It resumes from the last sequence number seen, kept in sessionStorage
 * under `storageKey` so a reload of the page resumes too (each kind of page
 * keeps its own key, so a map and a console opened from one tab do not
 * overwrite each other's position); drops what it has already seen; asks the
 * server to `sync` every 15 s (and treats a sync left unanswered for a whole
 * round as a dead connection); and reconnects with a growing, jittered delay.
 * Close code 4401 (the session ended) goes to the login page; 4403 (no live
 * view for this role) stops trying; 4429 (this client fell behind) reconnects
 * at once, resuming from the last seq; 4503 (the database is unavailable) and
 * every other close retry after the delay. A consumer that closes before accepting
 * reaches the browser as a failed handshake with no code, so when a socket
 * never opened, a cheap API request tells whether the session is gone.
 *
 * Callbacks: onMessage(message) for event / positions / reload / hello
 * (after `seq` bookkeeping), onState(state, detail) with state one of
 * "connecting", "live", "reconnecting" (detail: seconds until the next
 * try), "forbidden" (close code 4403).
 */

import { ApiError, fetchJson } from "./api.js";

const DEFAULT_STORAGE_KEY = "tianshu.live.seq";
const SYNC_SECONDS = 15;
const BACKOFF_SECONDS = [1, 2, 4, 8, 15, 30];
export const CLOSE_NOT_LOGGED_IN = 4401;
export const CLOSE_NO_LIVE_VIEW = 4403;
export const CLOSE_FELL_BEHIND = 4429;
export const CLOSE_TRY_LATER = 4503;
// A client closed as behind again and again (a link too slow for the stream)
// falls back to the growing delay after this many immediate resumes.
const IMMEDIATE_RESUMES = 3;

function storedSeq(key) {
  try {
    const value = Number.parseInt(window.sessionStorage.getItem(key) ?? "", 10);
    return Number.isFinite(value) && value >= 0 ? value : null;
  } catch {
    return null; // storage disabled
  }
}

function storeSeq(key, seq) {
  try {
    window.sessionStorage.setItem(key, String(seq));
  } catch {
    /* storage disabled: resume works within this page only */
  }
}

export class LiveConnection {
  constructor({ path, loginUrl, sessionUrl, onMessage, onState, storageKey = DEFAULT_STORAGE_KEY }) {
    this.path = path;
    this.storageKey = storageKey;
    this.loginUrl = loginUrl;
    this.sessionUrl = sessionUrl;
    this.onMessage = onMessage;
    this.onState = onState;
    this.seq = storedSeq(storageKey);
    this.socket = null;
    this.attempt = 0;
    this.syncTimer = null;
    this.retryTimer = null;
    this.awaitingSync = false;
    this.stopped = false;
    this.resumes = 0;
  }

  url() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const since = this.seq === null ? "" : `?since=${this.seq}`;
    return `${scheme}://${window.location.host}${this.path}${since}`;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.onState("connecting");
    let socket;
    try {
      socket = new WebSocket(this.url());
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", (event) => this.closed(socket, event.code, opened));
  }

  receive(data) {
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    // Events that arrive together come as one frame holding an array of them.
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) this.handle(message);
  }

  handle(message) {
    switch (message.type) {
      case "event":
        if (this.seq !== null && message.seq <= this.seq) return; // seen already
        this.advance(message.seq);
        this.onMessage(message);
        break;
      case "hello":
        this.advance(message.seq);
        this.attempt = 0;
        this.startSyncing();
        this.onState("live");
        this.onMessage(message);
        break;
      case "reload":
        // Too much was missed: the caller re-reads the state; go on from here.
        this.seq = message.seq;
        storeSeq(this.storageKey, message.seq);
        this.onMessage(message);
        break;
      case "synced":
        this.awaitingSync = false;
        this.resumes = 0; // live for a whole sync round: keeping up again
        this.advance(message.seq);
        break;
      case "positions":
        this.onMessage(message);
        break;
      default:
        break;
    }
  }

  advance(seq) {
    if (!Number.isFinite(seq)) return;
    if (this.seq === null || seq > this.seq) {
      this.seq = seq;
      storeSeq(this.storageKey, seq);
    }
  }

  startSyncing() {
    clearInterval(this.syncTimer);
    this.awaitingSync = false;
    this.syncTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      if (this.awaitingSync) {
        // No answer for a whole round: the connection is dead without knowing it.
        socket.close();
        return;
      }
      this.awaitingSync = true;
      socket.send(JSON.stringify({ type: "sync" }));
    }, SYNC_SECONDS * 1000);
  }

  async closed(socket, code, opened) {
    if (socket !== this.socket) return;
    clearInterval(this.syncTimer);
    this.socket = null;
    if (this.stopped) return;
    if (code === CLOSE_NOT_LOGGED_IN || (!opened && (await this.sessionEnded()))) {
      this.stopped = true;
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      window.location.assign(`${this.loginUrl}?next=${next}`);
      return;
    }
    if (code === CLOSE_NO_LIVE_VIEW) {
      this.onState("forbidden");
      return;
    }
    if (code === CLOSE_FELL_BEHIND && this.resumes < IMMEDIATE_RESUMES) {
      // The server dropped what was queued for us: read it back from the log now.
      this.resumes += 1;
      this.connect();
      return;
    }
    this.retry();
  }

  /** True when the API says this browser is no longer logged in. */
  async sessionEnded() {
    if (!this.sessionUrl) return false;
    try {
      await fetchJson(this.sessionUrl);
      return false;
    } catch (error) {
      // Status 0: the server is down, keep trying.
      return error instanceof ApiError && (error.status === 401 || error.status === 403);
    }
  }

  retry() {
    const base = BACKOFF_SECONDS[Math.min(this.attempt, BACKOFF_SECONDS.length - 1)];
    this.attempt += 1;
    // Jitter, so a restarted server is not met by every console at once.
    const seconds = base * (0.8 + Math.random() * 0.4);
    this.onState("reconnecting", Math.ceil(seconds));
    this.retryTimer = setTimeout(() => this.connect(), seconds * 1000);
  }

  /** Try now (the user asked), skipping the rest of the wait. */
  reconnectNow() {
    if (this.socket || this.stopped) return;
    this.connect();
  }
}
