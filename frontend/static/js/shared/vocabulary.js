/**
 * The server's words for states and clocks, read once from the page's
 * <script type="application/json" id="vocabulary"> (rendered by base.html
 * from consoles/vocabulary.py): which statuses wait for dispatch, which sit
 * with the street, which the map shows, which units are busy, and the
 * arrival standard. Scripts take them from here and never spell them out, so
 * a page turns a job late at the same moment the server would.
 */

function read() {
  const element = document.getElementById("vocabulary");
  if (!element) throw new Error('vocabulary.js: the page has no <script id="vocabulary"> (base.html renders it)');
  return JSON.parse(element.textContent);
}

const vocabulary = read();
const { incident, unit, assignment, clock } = vocabulary;

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

// --- Clocks ---------------------------------------------------------------------------

/** Waiting longer than this for dispatch rings a job amber. */
export const AMBER_WAITING_SECONDS = clock.amber_waiting_seconds;

/**
 * 城区五分钟、城郊十分钟: seconds from the call by which a unit should be on
 * scene, by the zone's area class; null for a job with no zone (outside the
 * district), which has no arrival clock. A class the table does not know
 * gets the default standard.
 */
export function arrivalSeconds(areaClass) {
  if (!areaClass) return null;
  return clock.arrival_seconds[areaClass] ?? clock.default_arrival_seconds;
}
