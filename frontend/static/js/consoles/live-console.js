/**
 * The consoles (/dispatch/, /street/, /station/, /orders/, /callbacks/) kept
 * current by the live stream instead of polling.
 *
 * One LiveConnection (`/ws/live/`, the map's client, with a position of its
 * own in sessionStorage) listens for what changes jobs and orders: every
 * event whose kind starts with `incident.`, `assignment.`, `order.`
 * (issued, acknowledged, completed, overdue, escalated) or `clock.` (a
 * clock's warning, breach, at-risk, stop, delay reason, excusal: the
 * server's sweep, analytics/engine.py) or `callback.` (a closed job queued
 * for its callback, a callback recorded: analytics/callbacks.py), and a
 * `reload` or a `hello` that follows a gap. Each such burst fires the htmx event `queue-changed` on
 * the body once, and never more than once a second (the queues, the
 * station board and the orders inbox listen for it with
 * `hx-trigger="queue-changed from:body"`); events whose kind starts with
 * `alarm.` (a sensor alarm raised, made a job, attached, dismissed,
 * suppressed: community/services.py) fire `alarms-changed` the same way, for
 * the dispatcher's alarm review panel alone (an alarm storm reads no queue);
 * an event about the open job (#job, `data-incident-id`) reads the job
 * panel again, paced the same way.
 *
 * Nothing the user is typing is thrown away: while a form field (or a form's
 * button) in a region about to be read again has the focus, or a form in the
 * job panel holds changes, the region waits (the job is marked `data-stale`)
 * and is read when the focus leaves it, or replaced by the answer to the
 * user's own action. What was written in a queue and left unsent (an
 * order's feedback) is put back into the same field after a refresh. A
 * refresh that left before the answer to the user's own action came back
 * may show the state before that action: it is dropped and read again.
 *
 * Other scripts of the page hear the stream through document events:
 * `live:event` (detail: the event message) for each event, before the
 * refreshes it asks for, and `live:positions` (detail: the units) for each
 * positions frame (consoles/alerts.js, consoles/job-map.js).
 *
 * If the role has no live view (close code 4403) or the stream stays down,
 * the same refreshes run every 30 s instead. A small indicator in the top
 * bar (as on the map) tells which; clicking it while the stream is cut tries
 * at once.
 *
 * Its settings are the data-* attributes of its own <script> tag
 * (consoles/console_base.html): `data-stream`, `data-login`,
 * `data-session`, `data-job-url` (a job with 0 for its id), and the
 * translated `data-text-*` / `data-hint-*` words of the indicator.
 */

import { LiveConnection } from "../shared/live.js";

const STORAGE_KEY = "tianshu.live.console.seq";
// Each htmx event fired on the body, and the event kinds that ask for it.
const REFRESHES = {
  "queue-changed": ["incident.", "assignment.", "order.", "clock.", "callback."],
  "alarms-changed": ["alarm."],
};
const TRIGGERS = Object.keys(REFRESHES);
const INCIDENT_SUBJECT = "incidents.incident";
const FIELDS = "input, select, textarea";
// A burst of events makes one refresh, 200 ms after the last of it; a
// steady stream makes at most one a second.
const REFRESH_DELAY_MS = 200;
const REFRESH_MAX_DELAY_MS = 1000;
const REFRESH_MIN_INTERVAL_MS = 1000;
// The stream down this long (or refused): refresh this often instead.
const FALLBACK_AFTER_MS = 30_000;
const FALLBACK_EVERY_MS = 30_000;

const htmx = window.htmx;
const settings = document.querySelector("script[data-live-console]")?.dataset ?? {};

/**
 * Run `action` once for a burst of requests: `delay` after the last one, but
 * no later than `maxDelay` after the first, and never sooner than
 * `minInterval` after the previous run.
 */
class Coalesced {
  constructor(action, { delay, maxDelay, minInterval }) {
    this.action = action;
    this.delay = delay;
    this.maxDelay = maxDelay;
    this.minInterval = minInterval;
    this.first = null; // when the burst began
    this.last = -Infinity; // when the action last ran
    this.timer = null;
  }

  request() {
    const moment = Date.now();
    this.first ??= moment;
    clearTimeout(this.timer);
    const due = Math.max(
      Math.min(moment + this.delay, this.first + this.maxDelay),
      this.last + this.minInterval,
    );
    this.timer = setTimeout(() => {
      this.first = null;
      this.timer = null;
      this.last = Date.now();
      this.action();
    }, Math.max(0, due - moment));
  }
}

/** The focused form field, if it lies inside `region`. */
function typingIn(region) {
  const active = document.activeElement;
  return Boolean(region && active && region.contains(active) && active.matches(FIELDS));
}

// --- The queues and the station board ------------------------------------------------------

const waiting = new Set(); // refreshes (their triggers) held back for the user's typing

/** The regions read again on `trigger`, or on any of the stream's refreshes. */
function queueRegions(trigger = null) {
  const triggers = trigger ? [trigger] : TRIGGERS;
  return [...document.querySelectorAll(triggers.map((t) => `[hx-trigger*="${t}"]`).join(", "))];
}

/** The refresh `region` listens for. */
function triggerOf(region) {
  const listens = region.getAttribute("hx-trigger") ?? "";
  return TRIGGERS.find((trigger) => listens.includes(trigger)) ?? TRIGGERS[0];
}

/** The user is at work in `region`: typing in a field or about to press a form's button. */
function queueBusy(region) {
  const active = document.activeElement;
  return typingIn(region) || Boolean(active && region.contains(active) && active.closest("form"));
}

/** Has the user changed this field from what the page was sent with? */
function changed(field) {
  if (field.tagName === "SELECT") {
    // A select with no option marked `selected` shows its first one.
    const shown = [...field.options].find((option) => option.defaultSelected) ?? field.options[0];
    return field.value !== (shown?.value ?? "");
  }
  return field.value !== field.defaultValue;
}

/** What the user wrote or chose in `region` and has not sent (an order's feedback,
 * a result picked for a report), by field id. */
function unsentWriting(region) {
  const written = new Map();
  for (const field of region.querySelectorAll("input[id], textarea[id], select[id]")) {
    if (!["hidden", "checkbox", "radio", "submit", "button"].includes(field.type)
        && changed(field)) written.set(field.id, field.value);
  }
  return written;
}

function refreshQueues(trigger) {
  if (queueRegions(trigger).some(queueBusy)) {
    waiting.add(trigger);
    return;
  }
  waiting.delete(trigger);
  htmx.trigger(document.body, trigger);
}

/** Read what waited for the user, now that it may be. */
function refreshWaiting() {
  for (const trigger of [...waiting]) refreshQueues(trigger);
}

// --- The open job -----------------------------------------------------------------------

let jobChanged = false; // a form in the job panel holds the user's changes
let focusedInJob = ""; // id of what had the focus in the job when it was read again
let jobReading = false; // our read of the job is under way
let jobAgain = false; // and another was asked for meanwhile

function openJob() {
  return document.getElementById("job");
}

/** The user is at work in the job: typing, holding changes, or waiting for an action. */
function jobBusy(job) {
  return typingIn(job) || jobChanged || Boolean(job.querySelector(".htmx-request"));
}

function refreshJob() {
  const job = openJob();
  if (!job || !settings.jobUrl || !job.dataset.incidentId) return;
  if (jobBusy(job)) {
    job.dataset.stale = "true";
    return;
  }
  if (jobReading) {
    // What changed may have been committed after that read: read once more.
    jobAgain = true;
    return;
  }
  jobReading = true;
  const url = settings.jobUrl.replace(/\/0\/$/, `/${job.dataset.incidentId}/`);
  htmx.ajax("GET", url, { source: job, target: job, swap: "outerHTML" }).finally(() => {
    jobReading = false;
    if (jobAgain) {
      jobAgain = false;
      refreshJob();
    }
  });
}

// A field inside `[data-live-ignore]` (the caller's reveal) holds nothing worth a held refresh.
const holdsWork = (field) =>
  Boolean(field.closest?.("#job")) && field.matches(FIELDS) && !field.closest("[data-live-ignore]");
document.addEventListener("input", (event) => {
  if (holdsWork(event.target)) jobChanged = true;
});
document.addEventListener("change", (event) => {
  if (holdsWork(event.target)) jobChanged = true;
});
document.addEventListener("reset", (event) => {
  if (event.target.closest?.("#job")) jobChanged = false;
});

const keptWriting = new Map(); // region id → what the user wrote there, put back after a refresh
const actedAt = new Map(); // region id → when the answer to the user's last action replaced it
const SENT_AT = Symbol("sentAt");

document.body.addEventListener("htmx:beforeRequest", (event) => {
  event.detail.xhr[SENT_AT] = Date.now();
});

document.body.addEventListener("htmx:beforeSwap", (event) => {
  const { target, requestConfig, xhr } = event.detail;
  if (!queueRegions().includes(target)) return;
  if (requestConfig?.verb !== "get") {
    actedAt.set(target.id, Date.now());
    return;
  }
  if ((xhr[SENT_AT] ?? Infinity) < (actedAt.get(target.id) ?? -Infinity)) {
    // Read before the user's own action was answered: it may show the state before it.
    event.detail.shouldSwap = false;
    refreshers[triggerOf(target)].request();
  } else if (queueBusy(target)) {
    // Read again while the user started writing or pressing: keep what is shown.
    event.detail.shouldSwap = false;
    waiting.add(triggerOf(target));
  } else {
    keptWriting.set(target.id, unsentWriting(target));
  }
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  const region = event.detail.target;
  // The answer to the user's own action replaced the region (and the focus
  // with it): what waited for the user may be read now.
  if (waiting.size && queueRegions().includes(region)) setTimeout(refreshWaiting);
  const written = keptWriting.get(region?.id);
  if (!written) return;
  keptWriting.delete(event.detail.target.id);
  for (const [id, value] of written) {
    const field = document.getElementById(id);
    if (field && event.detail.target.contains(field) && !changed(field)) {
      field.value = value;
    }
  }
});

document.body.addEventListener("htmx:beforeSwap", (event) => {
  const { target, xhr, requestConfig } = event.detail;
  if (target?.id !== "job" || requestConfig?.verb !== "get") return;
  // Another job was opened meanwhile, or this one is out of reach now: keep what is shown.
  if (!target.isConnected || xhr.status >= 400) {
    event.detail.shouldSwap = false;
  } else if (jobBusy(target)) {
    // The user started typing while the job was read: keep the typing.
    event.detail.shouldSwap = false;
    target.dataset.stale = "true";
  } else if (target.contains(document.activeElement)) {
    focusedInJob = document.activeElement.id;
  }
});

document.body.addEventListener("htmx:afterSwap", (event) => {
  // A new job panel (opened, acted on, or read again) holds no changes of the user.
  const id = event.detail.target?.id;
  if (id === "job" || id === "job-panel") jobChanged = false;
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target?.id !== "job" || !focusedInJob) return;
  // Reading the job again must not take the focus away (e.g. from its heading).
  const again = document.getElementById(focusedInJob);
  focusedInJob = "";
  if (again && openJob()?.contains(again)) again.focus({ preventScroll: true });
});

// Leaving a field lets what waited for it be read.
document.addEventListener("focusout", () => {
  setTimeout(() => {
    if (waiting.size) refreshWaiting();
    if (openJob()?.dataset.stale) refreshJob();
  });
});

// --- The stream -------------------------------------------------------------------------

const pacing = {
  delay: REFRESH_DELAY_MS, maxDelay: REFRESH_MAX_DELAY_MS, minInterval: REFRESH_MIN_INTERVAL_MS,
};
const refreshers = Object.fromEntries(
  TRIGGERS.map((trigger) => [trigger, new Coalesced(() => refreshQueues(trigger), pacing)]),
);
const jobs = new Coalesced(refreshJob, pacing);

/** Read everything again: the page may have missed changes. */
function catchUp() {
  for (const refresher of Object.values(refreshers)) refresher.request();
  jobs.request();
}

function incidentOf(message) {
  const subject = message.subject ?? {};
  return String(subject.type === INCIDENT_SUBJECT ? subject.id : message.payload?.incident ?? "");
}

function handle(message) {
  if (message.type !== "event") return;
  const kind = String(message.kind ?? "");
  const asked = TRIGGERS.filter((trigger) =>
    REFRESHES[trigger].some((prefix) => kind.startsWith(prefix)));
  if (!asked.length) return;
  for (const trigger of asked) refreshers[trigger].request();
  const job = openJob();
  if (job && incidentOf(message) === job.dataset.incidentId) jobs.request();
}

function indicator() {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "live-status";
  button.id = "live-status";
  button.setAttribute("aria-live", "polite");
  const dot = document.createElement("span");
  dot.className = "live-dot";
  dot.setAttribute("aria-hidden", "true");
  const label = document.createElement("span");
  label.dataset.part = "label";
  button.append(dot, label);
  (document.querySelector(".topbar-tools") ?? document.body).prepend(button);
  return button;
}

function start() {
  if (!htmx || !settings.stream) return;
  const button = indicator();
  let polling = null; // the fallback's interval
  let downTimer = null; // starts the fallback when the stream stays down
  let hellos = 0;
  let resumed = false; // the stream picks up from a position stored by this tab

  let shownState = ["connecting"]; // [state, seconds] the connection last reported

  const capitalised = (name) => name.replace(/^./, (letter) => letter.toUpperCase());
  const show = (state, seconds) => {
    shownState = [state, seconds];
    // While the fallback runs, the label says so; the hint says why.
    const shown = polling && state !== "live" ? "static" : state;
    button.dataset.state = shown;
    const label = settings[`text${capitalised(shown)}`] ?? shown;
    button.lastElementChild.textContent = label.replace("{seconds}", String(seconds ?? ""));
    const why = polling && state === "connecting" ? "reconnecting" : state;
    button.title = settings[`hint${capitalised(why)}`] ?? "";
  };
  const startPolling = () => {
    if (polling) return;
    polling = setInterval(catchUp, FALLBACK_EVERY_MS);
    catchUp();
    show(...shownState);
  };

  const connection = new LiveConnection({
    path: settings.stream,
    loginUrl: settings.login,
    sessionUrl: settings.session,
    storageKey: STORAGE_KEY,
    onMessage: (message) => {
      if (message.type === "hello") {
        hellos += 1;
        // Without a stored position the stream starts from now: whatever
        // changed since the page was made is read once. After a reconnect
        // the missed events are replayed, but read once more anyway.
        if (hellos > 1 || !resumed) catchUp();
      } else if (message.type === "reload") {
        catchUp();
      } else if (message.type === "positions") {
        document.dispatchEvent(new CustomEvent("live:positions", { detail: message.units }));
      } else {
        if (message.type === "event") {
          document.dispatchEvent(new CustomEvent("live:event", { detail: message }));
        }
        handle(message);
      }
    },
    onState: (state, seconds) => {
      if (state === "live") {
        clearTimeout(downTimer);
        downTimer = null;
        clearInterval(polling);
        polling = null;
      } else if (state === "forbidden") {
        startPolling();
      } else {
        downTimer ??= setTimeout(startPolling, FALLBACK_AFTER_MS);
      }
      show(state, seconds);
    },
  });
  resumed = connection.seq !== null;
  button.addEventListener("click", () => connection.reconnectNow());
  connection.start();
}

start();
