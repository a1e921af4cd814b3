/**
 * The live state of the one map: open incidents, units, and which unit is on
 * which job, kept from a REST snapshot and the events of the live stream.
 *
 * An event carries the job's state (status, tier, priority, point, clocks'
 * start) and, where the server sends them, the names the map shows (address,
 * category, station, post, street, center, routing reason…): a job first seen
 * in an event is then complete at once. Only when a field the map shows is
 * missing is the job listed by `undetailed()`, for its detail to be fetched.
 *
 * Only events and snapshots change status; a fetched incident detail only
 * fills its descriptive fields, so a slow answer can never put an old status
 * back. Each change is noted and handed to the subscribers once per frame:
 * `{ all, incidents, units, statuses, removed }` (ids changed, ids of units
 * whose status changed, and the last known state of incidents that left the
 * map).
 */

import { ChangeNotifier } from "./changes.js";
import { ACTIVE_ASSIGNMENT_STATUSES, BUSY_UNIT_STATUSES, LIVE_STATUSES } from "../shared/vocabulary.js";

const INCIDENT_SUBJECT = "incidents.incident";
const UNIT_SUBJECT = "patrol.unit";
// The first time a status is reached stamps its clock.
const STAMPS = {
  dispatched: "dispatched_at",
  on_scene: "on_scene_at",
  diverted: "diverted_at",
  accepted: "accepted_at",
};
// Units named in these events were just sent (the payload carries no status).
const SENDING_KINDS = new Set(["incident.dispatched", "incident.reinforced"]);
// An event's state of the job: always taken.
// `alert` is the clocks' word on the job; only `clock.*` events carry it.
const STATE_FIELDS = [
  "number", "status", "tier", "category", "priority", "received_at", "area_class", "alert",
];
// Names and words an event may carry (a description possibly shortened).
const EVENT_DESCRIPTIVE_FIELDS = [
  "address", "category_name", "station_name", "post_name", "street_name",
  "governance_center_name", "routing_reason", "call_count", "out_of_jurisdiction", "description",
];
// What an incident detail may fill in; status and position come from events.
const DESCRIPTIVE_FIELDS = [
  "number", ...EVENT_DESCRIPTIVE_FIELDS, "dispatched_at", "on_scene_at", "diverted_at", "accepted_at",
];
// What the map shows of a job: missing one of these, its detail is fetched.
// null is a value ("no post"); only a field never heard of is missing.
const SHOWN_FIELDS = [
  "address", "station_name", "post_name", "street_name", "governance_center_name",
  "routing_reason", "call_count", "description",
];
// The clocks a status implies were stamped: a job first seen on scene needs
// its dispatch time from the detail.
const IMPLIED_STAMPS = {
  dispatched: ["dispatched_at"],
  on_scene: ["dispatched_at", "on_scene_at"],
  diverted: ["diverted_at"],
  accepted: ["diverted_at", "accepted_at"],
};

/** True when the map can show everything of the job without asking the API. */
function isComplete(incident) {
  if (SHOWN_FIELDS.some((field) => incident[field] === undefined)) return false;
  if (!incident.category_name) return false;
  return (IMPLIED_STAMPS[incident.status] ?? []).every((stamp) => Boolean(incident[stamp]));
}

function emptyChanges() {
  return {
    all: false, incidents: new Set(), units: new Set(), statuses: new Set(), removed: new Map(),
  };
}

export class LiveStore extends ChangeNotifier {
  constructor() {
    super(emptyChanges);
    this.incidents = new Map();
    this.units = new Map();
    this.unitJob = new Map(); // unit id -> incident id
    this.categoryNames = new Map(); // category code -> name, for jobs known from events only
  }

  // --- Snapshots ------------------------------------------------------------------

  /** Replace everything with what the REST API answered. */
  replace({ incidents, units, assignments }) {
    const before = this.incidents;
    this.incidents = new Map();
    for (const item of incidents) {
      if (LIVE_STATUSES.has(item.status)) this.incidents.set(item.id, { ...item, detailed: true });
    }
    for (const [id, incident] of before) {
      if (!this.incidents.has(id)) this.changes.removed.set(id, incident);
    }
    this.units = new Map(units.map((unit) => [unit.id, { ...unit }]));
    this.unitJob = new Map();
    for (const assignment of assignments) this.unitJob.set(assignment.unit, assignment.incident);
    this.changes.all = true;
    this.schedule();
  }

  /**
   * Fill an incident's descriptive fields from its detail. What an event
   * said is kept: the detail may have been read before that event.
   */
  mergeDetail(detail) {
    const incident = this.incidents.get(detail.id);
    if (!incident) return;
    for (const field of DESCRIPTIVE_FIELDS) {
      if (detail[field] === undefined || incident.fromEvent?.has(field)) continue;
      if (detail[field] !== null || incident[field] === undefined) incident[field] = detail[field];
    }
    incident.detailed = true;
    for (const assignment of detail.assignments ?? []) {
      if (BUSY_UNIT_STATUSES.has(this.units.get(assignment.unit)?.status)
          && ACTIVE_ASSIGNMENT_STATUSES.has(assignment.status)) {
        this.unitJob.set(assignment.unit, detail.id);
      }
    }
    this.touchIncident(detail.id);
  }

  /** Incidents drawn from events that lack something the map shows. */
  undetailed() {
    return [...this.incidents.values()].filter((incident) => !incident.detailed).map((i) => i.id);
  }

  // --- The stream -----------------------------------------------------------------

  applyEvent(message) {
    const subject = message.subject ?? {};
    if (subject.type === INCIDENT_SUBJECT) this.applyIncidentEvent(message);
    this.applyUnitStatuses(message);
    this.schedule();
  }

  applyIncidentEvent(message) {
    const id = Number(message.subject.id);
    const payload = message.payload ?? {};
    const existing = this.incidents.get(id);
    if (!payload.status) return;
    if (!LIVE_STATUSES.has(payload.status)) {
      if (existing) {
        this.incidents.delete(id);
        this.changes.removed.set(id, { ...existing, status: payload.status });
        this.changes.incidents.delete(id);
        for (const [unit, job] of this.unitJob) if (job === id) this.unitJob.delete(unit);
      }
      return;
    }
    const incident = existing ?? { id, detailed: false };
    // The event is newer than anything read before: what it carries wins.
    for (const field of STATE_FIELDS) {
      if (payload[field] !== undefined) incident[field] = payload[field];
    }
    for (const field of EVENT_DESCRIPTIVE_FIELDS) {
      if (payload[field] === undefined) continue;
      // The caller's words do not change, and an event may carry them shortened.
      if (field === "description" && incident.description) continue;
      incident[field] = payload[field];
      (incident.fromEvent ??= new Set()).add(field);
    }
    if (Number.isFinite(payload.lat) && Number.isFinite(payload.lng)) {
      incident.lat = payload.lat;
      incident.lng = payload.lng;
    }
    if (!incident.category_name) incident.category_name = this.categoryNames.get(incident.category);
    const stamp = STAMPS[payload.status];
    if (stamp && !incident[stamp]) incident[stamp] = message.time;
    if (!incident.detailed && isComplete(incident)) incident.detailed = true;
    this.incidents.set(id, incident);
    this.touchIncident(id);
  }

  /**
   * Any event may move units: a `units` list ({unit, status} or, when sent,
   * just {unit}), a `unit` with its `unit_status`, or a unit's own event with
   * `unit` and `status`.
   */
  applyUnitStatuses(message) {
    const payload = message.payload ?? {};
    const subject = message.subject ?? {};
    const incidentId = subject.type === INCIDENT_SUBJECT ? Number(subject.id) : null;
    if (Array.isArray(payload.units)) {
      for (const entry of payload.units) {
        const status = entry?.status ?? entry?.unit_status
          ?? (SENDING_KINDS.has(message.kind) ? "dispatched" : null);
        if (entry?.unit != null && status) this.setUnitStatus(Number(entry.unit), status, incidentId);
      }
    }
    if (payload.unit != null) {
      if (payload.unit_status) {
        this.setUnitStatus(Number(payload.unit), payload.unit_status, incidentId);
      } else if (subject.type === UNIT_SUBJECT && payload.status) {
        this.setUnitStatus(Number(payload.unit), payload.status, null);
      }
    }
  }

  setUnitStatus(unitId, status, incidentId) {
    if (!BUSY_UNIT_STATUSES.has(status)) this.unitJob.delete(unitId);
    else if (incidentId !== null) this.unitJob.set(unitId, incidentId);
    const unit = this.units.get(unitId);
    if (!unit || unit.status === status) return;
    unit.status = status;
    this.changes.statuses.add(unitId);
    this.touchUnit(unitId);
  }

  applyPositions(list) {
    for (const entry of list ?? []) {
      const unit = this.units.get(Number(entry.id));
      if (!unit) continue;
      if (Number.isFinite(entry.lat) && Number.isFinite(entry.lng)) {
        unit.lat = entry.lat;
        unit.lng = entry.lng;
      }
      if (entry.status && entry.status !== unit.status) {
        unit.status = entry.status;
        this.changes.statuses.add(unit.id);
        if (!BUSY_UNIT_STATUSES.has(entry.status)) this.unitJob.delete(unit.id);
      }
      if (entry.heading !== undefined) unit.heading = entry.heading;
      if (entry.speed !== undefined) unit.speed = entry.speed;
      if (entry.at) unit.position_at = entry.at;
      this.touchUnit(unit.id);
    }
    this.schedule();
  }

  // --- Questions --------------------------------------------------------------------

  /** The open job a unit is on, if this console can see it. */
  jobOf(unitId) {
    const id = this.unitJob.get(unitId);
    return id === undefined ? null : this.incidents.get(id) ?? null;
  }

  /** Units on a job (that this console knows). */
  unitsOn(incidentId) {
    const units = [];
    for (const [unitId, job] of this.unitJob) {
      if (job === incidentId && this.units.has(unitId)) units.push(this.units.get(unitId));
    }
    return units;
  }

  // --- Change notes -----------------------------------------------------------------

  touchIncident(id) {
    this.changes.incidents.add(id);
    this.changes.removed.delete(id);
    this.schedule();
  }

  /** Everything is to be redrawn (e.g. names the rows show have arrived). */
  touchAll() {
    this.changes.all = true;
    this.schedule();
  }

  touchUnit(id) {
    this.changes.units.add(id);
    this.schedule();
  }
}
