/**
 * Running clocks of the consoles.
 *
 * Every `.timer[data-since]` (an ISO timestamp) shows the time elapsed since
 * then as m:ss (h:mm:ss past an hour) and ticks every second; with
 * `data-until` it shows the fixed span between the two. Rows swapped in by
 * htmx are painted at once and then by the next tick.
 *
 * A `.timer[data-due]` counts down to that time instead (a clock's or an
 * order's due time), negative and red once past.
 *
 * Whether a job is late is not decided here: the server's clocks say so
 * (analytics), and the row or panel carries it as a class (`alert-*`).
 * The time is the server's (shared/clock.js): the workstation's may be off.
 */

import { formatDuration, now } from "../shared/clock.js";

function paintDue(element, moment) {
  const due = Date.parse(element.dataset.due);
  if (!Number.isFinite(due)) return;
  const left = (due - moment) / 1000;
  element.textContent = left >= 0 ? formatDuration(left) : `-${formatDuration(-left)}`;
  element.classList.toggle("is-red", left < 0);
}

function paint(element, moment) {
  const since = Date.parse(element.dataset.since);
  if (!Number.isFinite(since)) return;
  const until = element.dataset.until ? Date.parse(element.dataset.until) : moment;
  element.textContent = formatDuration((until - since) / 1000);
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
