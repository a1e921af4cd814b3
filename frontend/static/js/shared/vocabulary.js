/**
 * The server's words for states, read once from the page's
 * <script type="application/json" id="vocabulary"> (rendered by base.html
 * from consoles/vocabulary.py): which statuses wait for dispatch, which sit
 * with the street, which the map shows, which units are busy. Scripts take
 * them from here and never spell them out. Whether a job is late is the
 * server's clocks' word (its `alert`, and the `clock.*` events), never a
 * threshold kept here.
 */

function read() {
  const element = document.getElementById("vocabulary");
  if (!element) throw new Error('vocabulary.js: the page has no <script id="vocabulary"> (base.html renders it)');
  return JSON.parse(element.textContent);
}

const vocabulary = read();
const { incident, unit, assignment, alarm } = vocabulary;

// --- Incidents ---------------------------------------------------------------------

/** Waiting for police units to be sent: the dispatcher's queue. */
export const AWAITING_DISPATCH = new Set(incident.awaiting_dispatch);
/** Police units sent or on scene. */
export const IN_PROGRESS = new Set(incident.in_progress);
/** Waiting on the street's governance center. */
export const WITH_STREET = new Set(incident.with_street);
/** What the street office's queue lists. */
export const STREET_QUEUE = new Set(incident.street_queue);
/** Jobs that still need someone to act: the ones the live map shows. */
export const LIVE_STATUSES = new Set(incident.live);
/** Not finished, including jobs referred elsewhere. */
export const OPEN_STATUSES = new Set(incident.open);
export const TERMINAL_STATUSES = new Set(incident.terminal);
/** Jobs that can take (more) units: first dispatch or reinforcement. */
export const DISPATCHABLE = new Set(incident.dispatchable);

// --- Units and assignments ------------------------------------------------------------

export const BUSY_UNIT_STATUSES = new Set(unit.busy);
export const ACTIVE_ASSIGNMENT_STATUSES = new Set(assignment.active);

// --- Sensor alarms --------------------------------------------------------------------

/** Waiting for a recovery or a reviewer. */
export const PENDING_ALARM_STATES = new Set(alarm.pending);
/** Made a job or joined one: on the map while that job is open. */
export const ON_JOB_ALARM_STATES = new Set(alarm.on_job);
