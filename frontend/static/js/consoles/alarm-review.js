/**
 * The dispatcher's alarm review panel (#alarm-review), for the keyboard and
 * across refreshes. The server does the work: each button posts a form.
 *
 * - Alt+A goes to the first alarm's "Accept as job" (the heading when none).
 * - After the user's own action the panel comes back read again: the focus
 *   goes to its refusal, if any, else to the next alarm's accept button, so
 *   a run of alarms is cleared with Enter, Tab, Enter …
 * - Escape in an open "Dismiss…" closes it and goes back to its button.
 * - A "Dismiss…" left open stays open when the live stream reads the panel
 *   again (consoles/live-console.js holds the refresh while the user types).
 */

const PANEL = "alarm-review";
const ACCEPT = ".alarm-accept";

function panel() {
  return document.getElementById(PANEL);
}

function focusFirstAlarm() {
  const region = panel();
  if (!region) return;
  (region.querySelector(ACCEPT) ?? document.getElementById("alarm-review-heading"))?.focus();
}

document.addEventListener("keydown", (event) => {
  if (event.altKey && !event.ctrlKey && !event.metaKey && event.key.toLowerCase() === "a") {
    if (!panel()) return;
    event.preventDefault();
    focusFirstAlarm();
    return;
  }
  if (event.key === "Escape") {
    const open = event.target.closest?.(".alarm-dismiss[open]");
    if (open) {
      event.preventDefault();
      open.open = false;
      open.querySelector("summary")?.focus();
    }
  }
});

let openDismissals = []; // ids of the "Dismiss…" left open when the panel was read again

document.body.addEventListener("htmx:beforeSwap", (event) => {
  const { target, requestConfig } = event.detail;
  if (target?.id !== PANEL) return;
  openDismissals = requestConfig?.verb === "get"
    ? [...target.querySelectorAll(".alarm-dismiss[open]")].map((details) => details.id)
    : [];
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  const { target, requestConfig } = event.detail;
  if (target?.id !== PANEL) return;
  for (const id of openDismissals) {
    const details = document.getElementById(id);
    if (details && target.contains(details)) details.open = true;
  }
  openDismissals = [];
  if (requestConfig?.verb !== "post") return;
  const refusal = target.querySelector(".job-alert.is-error");
  if (refusal) {
    refusal.tabIndex = -1;
    refusal.focus();
  } else {
    focusFirstAlarm();
  }
});
