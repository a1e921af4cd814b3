/**
 * The officer terminal's position reporting (consoles/terminal.html).
 *
 * The toggle `#position-toggle` starts navigator.geolocation.watchPosition;
 * the newest fix is posted as `{"fixes": [{unit, time, lat, lng, speed,
 * heading}]}` to the positions API (its `data-url`, session and CSRF through
 * shared/api.js), at most once every 5 s: a fix that arrives sooner waits
 * and replaces any older one waiting. `#position-status` says when the last
 * fix was sent, or why none could be (permission denied, an insecure
 * context, no fix, the server's refusal). The words are the toggle's
 * translated `data-text-*` attributes.
 */

import { ApiError, postJson } from "../shared/api.js";

export const SEND_EVERY_MS = 5000;

const toggle = document.getElementById("position-toggle");
const statusLine = document.getElementById("position-status");
const words = toggle?.dataset ?? {};

let watchId = null;
let waiting = null; // the newest fix not yet sent
let lastSentAt = -Infinity; // when a batch last left
let timer = null;
let sending = false;

function say(text, isError = false) {
  if (!statusLine) return;
  statusLine.textContent = text;
  statusLine.classList.toggle("is-error", isError);
}

function finite(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A GeolocationPosition as one fix of the positions API. */
export function fixOf(position, unit) {
  const { latitude, longitude, speed, heading } = position.coords;
  const bearing = finite(heading);
  return {
    unit,
    time: new Date(position.timestamp || Date.now()).toISOString(),
    lat: latitude,
    lng: longitude,
    speed: finite(speed),
    heading: bearing === null ? null : bearing % 360,
  };
}

async function send() {
  if (!waiting || sending) return;
  const fix = waiting;
  waiting = null;
  sending = true;
  lastSentAt = Date.now();
  try {
    const body = await postJson(words.url, { fixes: [fix] });
    const refusal = body?.rejected?.[0];
    if (refusal) {
      say(words.textRefused.replace("{message}", Object.values(refusal.errors).join(" ")), true);
    } else {
      const time = new Date().toLocaleTimeString([], { hour12: false });
      say(words.textSent.replace("{time}", time));
      statusLine?.setAttribute("data-sent-at", new Date().toISOString());
    }
  } catch (error) {
    if (error instanceof ApiError && error.status) {
      say(words.textRefused.replace("{message}", `${error.status} ${error.message}`), true);
    } else {
      say(words.textNetwork, true);
    }
  } finally {
    sending = false;
    schedule();
  }
}

function schedule() {
  if (!waiting || timer || sending) return;
  const due = Math.max(0, lastSentAt + SEND_EVERY_MS - Date.now());
  timer = setTimeout(() => {
    timer = null;
    send();
  }, due);
}

function onPosition(position) {
  waiting = fixOf(position, Number(words.unit));
  schedule();
}

function onError(error) {
  if (error.code === error.PERMISSION_DENIED) {
    say(window.isSecureContext ? words.textDenied : words.textInsecure, true);
    stop();
  } else {
    say(words.textUnavailable, true);
  }
}

function start() {
  if (!window.isSecureContext) {
    say(words.textInsecure, true);
    return;
  }
  if (!navigator.geolocation) {
    say(words.textUnsupported, true);
    return;
  }
  watchId = navigator.geolocation.watchPosition(onPosition, onError, {
    enableHighAccuracy: true,
    maximumAge: 0,
    timeout: 30_000,
  });
  toggle.setAttribute("aria-pressed", "true");
  toggle.textContent = words.textOn;
  say(words.textWaiting);
}

function stop() {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  watchId = null;
  waiting = null;
  clearTimeout(timer);
  timer = null;
  toggle.setAttribute("aria-pressed", "false");
  toggle.textContent = words.textOff;
}

toggle?.addEventListener("click", () => {
  if (watchId === null) {
    start();
  } else {
    stop(); // the status line keeps the last sending's time
  }
});
