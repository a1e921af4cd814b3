/**
 * Running clocks of the consoles.
 *
 * Every `.timer[data-since]` (an ISO timestamp) shows the time elapsed since
 * then as m:ss (h:mm:ss past an hour) and ticks every second; with
 * `data-until` it shows the fixed span between the two. `data-amber` and
 * `data-red` (seconds) colour it when the clock runs late. Rows swapped in by
 * htmx are painted at once and then by the next tick.
 *
 * The workstation's clock may be off: the page's <meta name="server-time">
 * gives the offset to the server's.
 */

const serverTime = Date.parse(document.querySelector('meta[name="server-time"]')?.content ?? "");
const skew = Number.isFinite(serverTime) ? serverTime - Date.now() : 0;

export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

function paint(element, now) {
  const since = Date.parse(element.dataset.since);
  if (!Number.isFinite(since)) return;
  const until = element.dataset.until ? Date.parse(element.dataset.until) : now;
  const elapsed = (until - since) / 1000;
  element.textContent = formatDuration(elapsed);
  const amber = Number(element.dataset.amber);
  const red = Number(element.dataset.red);
  const isRed = Number.isFinite(red) && red > 0 && elapsed >= red;
  element.classList.toggle("is-red", isRed);
  element.classList.toggle("is-amber", !isRed && Number.isFinite(amber) && amber > 0 && elapsed >= amber);
  element.classList.toggle("is-stopped", Boolean(element.dataset.until));
}

function tick() {
  const now = Date.now() + skew;
  for (const element of document.querySelectorAll(".timer[data-since]")) paint(element, now);
}

tick();
setInterval(tick, 1000);
document.body.addEventListener("htmx:afterSettle", tick);
