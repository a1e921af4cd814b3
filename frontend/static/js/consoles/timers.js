/**
 * Running clocks of the consoles.
 *
 * Every `.timer[data-since]` (an ISO timestamp) shows the time elapsed since
 * then as m:ss (h:mm:ss past an hour) and ticks every second; with
 * `data-until` it shows the fixed span between the two. `data-amber` and
 * `data-red` (seconds) colour it when the clock runs late. Rows swapped in by
 * htmx are painted at once and then by the next tick. A running clock that
 * turns red fires `timer:red` (it bubbles) for the alerts.
 *
 * A `.timer[data-due]` counts down to that time instead (an order's due
 * time): amber within `data-amber` seconds of it, red and negative once past.
 *
 * The clock is the server's (shared/clock.js): the workstation's may be off.
 */

import { formatDuration, now } from "../shared/clock.js";

function paintDue(element, moment) {
  const due = Date.parse(element.dataset.due);
  if (!Number.isFinite(due)) return;
  const left = (due - moment) / 1000;
  element.textContent = left >= 0 ? formatDuration(left) : `-${formatDuration(-left)}`;
  const amber = Number(element.dataset.amber);
  element.classList.toggle("is-red", left < 0);
  element.classList.toggle("is-amber", left >= 0 && Number.isFinite(amber) && left <= amber);
}

function paint(element, moment) {
  const since = Date.parse(element.dataset.since);
  if (!Number.isFinite(since)) return;
  const until = element.dataset.until ? Date.parse(element.dataset.until) : moment;
  const elapsed = (until - since) / 1000;
  element.textContent = formatDuration(elapsed);
  const amber = Number(element.dataset.amber);
  const red = Number(element.dataset.red);
  const isRed = Number.isFinite(red) && red > 0 && elapsed >= red;
  // A running clock passing its limit is told once per element (consoles/alerts.js listens).
  if (isRed && !element.dataset.until && !element.classList.contains("is-red")) {
    element.dispatchEvent(new CustomEvent("timer:red", { bubbles: true }));
  }
  element.classList.toggle("is-red", isRed);
  element.classList.toggle("is-amber", !isRed && Number.isFinite(amber) && amber > 0 && elapsed >= amber);
  element.classList.toggle("is-stopped", Boolean(element.dataset.until));
}

function tick() {
  const moment = now();
  for (const element of document.querySelectorAll(".timer[data-since]")) paint(element, moment);
  for (const element of document.querySelectorAll(".timer[data-due]")) paintDue(element, moment);
}

tick();
setInterval(tick, 1000);
document.body.addEventListener("htmx:afterSettle", tick);
