/**
 * Alerts of the dispatcher's and the street office's consoles and of the
 * live map: a new P1/P2 job, and a job turning late, sound a short tone,
 * flash the job's row and count in the tab title ("(3) 接警调度 · Tianshu
 * 天枢") until the user looks; a desktop notification if the user asked for
 * one.
 *
 * - A new job is an event of the live stream (live-console.js and the map's
 *   board.js hand each on as the document event `live:event`):
 *   `incident.received` of a police job or `incident.returned` (back from
 *   the street) in the dispatcher's console, `incident.diverted` in the
 *   street office's, any job received or returned on the map; with priority
 *   1 or 2.
 * - A late job is the server's word: a `clock.breached` event of the live
 *   stream (analytics/engine.py) about a job in the console's queue, or a
 *   `clock.at_risk` (its unit will arrive too late). On the map a row
 *   turning red (its `alert` from the same events) sends `job:late`
 *   (detail: id, number). Jobs already late when the page opened do not
 *   alert again.
 * - A row flashes (`.is-alerting`) for 30 s at most; its alert stays
 *   counted until the row is clicked (or its job opened from it), or the
 *   "clear alerts" button is pressed, or the job leaves the queue.
 * - Sound and desktop notifications are switched per console (buttons with
 *   aria-pressed), kept in localStorage (`tianshu.alerts.<console>.sound`,
 *   `….desktop`). Notification permission is asked only when the user turns
 *   desktop alerts on.
 * - Browsers keep audio locked until a user gesture: the first click or key
 *   press unlocks it; a tone due while it is locked shows a hint instead.
 *
 * Its settings and words are the data-* attributes of its own <script> tag
 * (consoles/console_base.html, consoles/home.html). For tests and the curious it marks the page:
 * `<html data-last-alert="new:42" data-alert-count="1" data-last-tone="played">`.
 */

import { now } from "../shared/clock.js";

const settings = document.querySelector("script[data-alerts]")?.dataset ?? {};
const CONSOLE = settings.console ?? "";
const FLASH_MS = 30_000;
const ALERT_PRIORITIES = new Set([1, 2]);
// Per console: its job rows, and which events bring a new job to them.
const CONSOLES = {
  dispatch: {
    rows: "#queue tr.queue-row",
    isNew: (kind, payload) =>
      (kind === "incident.received" && payload.tier === "police") || kind === "incident.returned",
  },
  street: { rows: "#queue tr.queue-row", isNew: (kind) => kind === "incident.diverted" },
  map: {
    rows: "#jobs-list .lm-job-row",
    isNew: (kind) => kind === "incident.received" || kind === "incident.returned",
  },
};
const ROW = CONSOLES[CONSOLE]?.rows ?? "#queue tr.queue-row";
// Rows come and go without a page event on the map: look again this often.
const SWEEP_MS = 1000;
const TITLE_COUNT = /^\(\d+\)\s+/;

const root = document.documentElement;
const storageKey = (name) => `tianshu.alerts.${CONSOLE}.${name}`;

/** incident id → { reason: "new" | "late", number, at, flashUntil, seenInQueue } */
const alerts = new Map();
const lateSeen = new Set(); // incident ids whose lateness has been told already

// --- Preferences ------------------------------------------------------------------------

function preference(name, fallback) {
  try {
    const stored = localStorage.getItem(storageKey(name));
    return stored === null ? fallback : stored === "on";
  } catch {
    return fallback;
  }
}

function setPreference(name, on) {
  try {
    localStorage.setItem(storageKey(name), on ? "on" : "off");
  } catch {
    // Private mode: the choice holds for this page only.
  }
}

const prefs = { sound: preference("sound", true), desktop: preference("desktop", false) };

// --- Sound ------------------------------------------------------------------------------

let audio = null; // the AudioContext, made on the first gesture

function unlockAudio() {
  const Context = window.AudioContext ?? window.webkitAudioContext;
  if (!Context) return;
  audio ??= new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  showHint("");
}

/** A short tone: two high beeps for P1, one for P2, a lower one for a late job. */
function tone(kind) {
  if (!prefs.sound) return;
  if (!audio || audio.state !== "running") {
    root.dataset.lastTone = "blocked";
    showHint(settings.textSoundBlocked ?? "");
    return;
  }
  const beeps = kind === "p1" ? [0, 0.22] : [0];
  const frequency = kind === "late" ? 620 : 880;
  for (const offset of beeps) {
    const start = audio.currentTime + offset;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.2);
  }
  root.dataset.lastTone = "played";
}

for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, unlockAudio, { capture: true, passive: true });
}

// --- Desktop notifications --------------------------------------------------------------

function notifyDesktop(text) {
  if (!prefs.desktop || !("Notification" in window) || Notification.permission !== "granted") return;
  if (document.visibilityState === "visible" && document.hasFocus()) return; // the page shows it
  try {
    const notice = new Notification(settings.textNotificationTitle ?? "Tianshu", {
      body: text,
      tag: `tianshu-${CONSOLE}`,
    });
    notice.onclick = () => {
      window.focus();
      notice.close();
    };
  } catch {
    // Some browsers allow notifications from service workers only.
  }
}

// --- The rows and the title -------------------------------------------------------------

function rowOf(id) {
  return document.querySelector(`${ROW}[data-incident-id="${CSS.escape(String(id))}"]`);
}

function paintRows() {
  const moment = Date.now();
  for (const row of document.querySelectorAll(ROW)) {
    const alert = alerts.get(row.dataset.incidentId);
    const flashing = Boolean(alert) && alert.flashUntil > moment;
    row.classList.toggle("is-alerting", flashing);
    row.classList.toggle("is-alert-late", flashing && alert.reason === "late");
    if (alert) alert.seenInQueue = true;
  }
}

function paintTitle() {
  const count = alerts.size;
  const base = document.title.replace(TITLE_COUNT, "");
  document.title = count ? `(${count}) ${base}` : base;
  root.dataset.alertCount = String(count);
  if (control) {
    control.clear.hidden = count === 0;
    control.count.textContent = count ? String(count) : "";
  }
}

function paint() {
  paintRows();
  paintTitle();
}

function raise(id, reason, { number = "", priority = null } = {}) {
  const key = String(id);
  alerts.set(key, {
    reason,
    number,
    at: Date.now(),
    flashUntil: Date.now() + FLASH_MS,
    seenInQueue: Boolean(rowOf(key)),
  });
  root.dataset.lastAlert = `${reason}:${key}`;
  tone(reason === "late" ? "late" : priority === 1 ? "p1" : "p2");
  const words = reason === "late" ? settings.textLate : settings.textNew;
  notifyDesktop(`${(words ?? "").replace("{priority}", priority ?? "")} ${number}`.trim());
  paint();
  setTimeout(paintRows, FLASH_MS + 50);
}

function acknowledge(id) {
  if (alerts.delete(String(id))) paint();
}

function acknowledgeAll() {
  alerts.clear();
  paint();
}

// A click on a queue row (or its link) while the page has the focus: the user has seen it.
document.addEventListener(
  "click",
  (event) => {
    const row = event.target.closest?.(ROW);
    if (row && document.hasFocus()) acknowledge(row.dataset.incidentId);
  },
  { capture: true },
);

document.addEventListener("live:event", (event) => {
  const message = event.detail ?? {};
  const payload = message.payload ?? {};
  const isNew = CONSOLES[CONSOLE]?.isNew(String(message.kind ?? ""), payload);
  if (!isNew || !ALERT_PRIORITIES.has(Number(payload.priority))) return;
  const id = message.subject?.type === "incidents.incident" ? message.subject.id : payload.incident;
  if (id === undefined || id === null) return;
  raise(id, "new", { number: payload.number ?? "", priority: Number(payload.priority) });
});

// --- Security alerts (supervisors and administrators) ----------------------------------

// One user opening too many households unmasked (community.registry): a banner that
// stays until dismissed, with the tone, and a link to the security log.
document.addEventListener("live:event", (event) => {
  const message = event.detail ?? {};
  if (message.kind !== "security.alert" || !settings.securityAlerts) return;
  const payload = message.payload ?? {};
  const banner = document.createElement("div");
  banner.className = "security-alert";
  banner.setAttribute("role", "alert");
  const words = document.createElement("a");
  words.href = settings.securityAlerts;
  words.textContent = (settings.textSecurity || "Security alert: {user}")
    .replace("{user}", payload.username ?? "")
    .replace("{households}", String(payload.households ?? ""))
    .replace("{minutes}", String(payload.minutes ?? ""));
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.addEventListener("click", () => banner.remove());
  banner.append(words, close);
  document.body.prepend(banner);
  root.dataset.lastAlert = `security:${payload.username ?? ""}`;
  tone("p1");
});

// --- Late jobs --------------------------------------------------------------------------

function late(id, number) {
  const key = String(id);
  if (lateSeen.has(key)) return;
  lateSeen.add(key);
  raise(key, "late", { number });
}

// The consoles' queues hear it from the stream; the map from its rows (job:late).
const LATE_KINDS = new Set(["clock.breached", "clock.at_risk"]);
document.addEventListener("live:event", (event) => {
  const message = event.detail ?? {};
  if (CONSOLE === "map" || !LATE_KINDS.has(String(message.kind ?? ""))) return;
  if (message.subject?.type !== "incidents.incident") return;
  const id = String(message.subject.id);
  const open = document.getElementById("job")?.dataset.incidentId === id;
  if (rowOf(id) || open) late(id, message.payload?.number ?? "");
});

document.addEventListener("job:late", (event) => {
  if (event.target.closest?.(ROW)) late(event.detail.id, event.detail.number ?? "");
});

function sweep() {
  // A job that left the queue (sent, closed, taken by someone else) needs nobody's look any more.
  for (const [id, alert] of alerts) {
    if (alert.seenInQueue && !rowOf(id)) alerts.delete(id);
  }
  paint();
}

document.body.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target?.id === "queue") sweep();
});

// --- The control ------------------------------------------------------------------------

let control = null;
let hint = null;

function showHint(text) {
  if (!hint) return;
  hint.textContent = text;
  hint.title = text;
  hint.hidden = !text;
}

function toggleButton(name, label, hintText) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `alert-toggle alert-${name}`;
  button.id = `alert-${name}`;
  button.textContent = label ?? name;
  button.title = hintText ?? "";
  const paintPressed = () => button.setAttribute("aria-pressed", String(prefs[name]));
  paintPressed();
  return { button, paintPressed };
}

function buildControl() {
  const group = document.createElement("div");
  group.className = "alert-control";
  group.id = "alert-control";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", settings.textGroup ?? "Alerts");

  const sound = toggleButton("sound", settings.textSound, settings.hintSound);
  sound.button.addEventListener("click", () => {
    prefs.sound = !prefs.sound;
    setPreference("sound", prefs.sound);
    sound.paintPressed();
    if (prefs.sound) unlockAudio();
    else showHint("");
  });

  const desktop = toggleButton("desktop", settings.textDesktop, settings.hintDesktop);
  desktop.button.addEventListener("click", async () => {
    if (prefs.desktop) {
      prefs.desktop = false;
    } else if (!("Notification" in window)) {
      showHint(settings.textDesktopUnavailable ?? "");
      return;
    } else {
      const permission =
        Notification.permission === "default"
          ? await Notification.requestPermission()
          : Notification.permission;
      prefs.desktop = permission === "granted";
      showHint(prefs.desktop ? "" : settings.textDesktopDenied ?? "");
    }
    setPreference("desktop", prefs.desktop);
    desktop.paintPressed();
  });

  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "alert-clear";
  clear.id = "alert-clear";
  clear.hidden = true;
  const count = document.createElement("span");
  count.className = "alert-count";
  count.setAttribute("aria-hidden", "true");
  const clearLabel = document.createElement("span");
  clearLabel.textContent = settings.textClear ?? "Clear alerts";
  clear.append(count, clearLabel);
  clear.addEventListener("click", acknowledgeAll);

  hint = document.createElement("span");
  hint.className = "alert-hint";
  hint.id = "alert-hint";
  hint.setAttribute("role", "status");
  hint.hidden = true;

  group.append(sound.button, desktop.button, clear, hint);
  const tools = document.querySelector(".topbar-tools") ?? document.body;
  const live = document.getElementById("live-status");
  if (live?.parentElement === tools) live.after(group);
  else tools.prepend(group);
  return { group, clear, count };
}

if (CONSOLES[CONSOLE]) {
  control = buildControl();
  paint();
  setInterval(sweep, SWEEP_MS);
}
