/**
 * The live state of the smart-secure sites on the one map: sites, the
 * sensors the map knows, and the active alarms, kept from a REST snapshot and
 * the `sensor.*`, `alarm.*` and incident events of the live stream. No DOM
 * and no Leaflet here, so it can be driven and checked on its own; LiveSync
 * (live-sync.js) feeds it like the jobs' store.
 *
 * Which sensors are known: every sensor that is not online (the snapshot
 * reads them all: few, and what a command center looks for), and all the
 * sensors of the sites whose full list was read (`siteSensorsMerge`, when the
 * map is zoomed in on them). So a sensor the store has never heard of is
 * online, and each site's online count is its total less its known sensors
 * that are not online: exact without reading every sensor of the district.
 *
 * An alarm is active while pending (held, in review), or while the job it
 * made or joined is open: it leaves on `alarm.dismissed` / `alarm.suppressed`
 * and when an incident event says its job is no longer open. A repeat of an
 * alarm sends no event, so its count is the snapshot's until the next one.
 *
 * Changes are noted and handed to subscribers once per frame:
 * `{ all, sites, sensors, statuses, alarms, removedAlarms }` (ids changed,
 * sensor ids whose status changed, and the last state of alarms that left).
 */

import { ChangeNotifier } from "./changes.js";
import { ON_JOB_ALARM_STATES, OPEN_STATUSES, PENDING_ALARM_STATES } from "../shared/vocabulary.js";

const SENSOR_SUBJECT = "community.sensor";
const ALARM_SUBJECT = "community.alarm";
const INCIDENT_SUBJECT = "incidents.incident";
export const ONLINE = "online";

function emptyChanges() {
  return {
    all: false,
    sites: new Set(),
    sensors: new Set(),
    statuses: new Set(),
    alarms: new Set(),
    removedAlarms: new Map(),
  };
}

/** Whether an alarm in `state` is shown (its job, if any, is taken to be open). */
export function isActiveAlarm(alarm) {
  return PENDING_ALARM_STATES.has(alarm.state) || ON_JOB_ALARM_STATES.has(alarm.state);
}

/** An alarm event's payload in the REST list's shape. */
function alarmFromEvent(payload) {
  return {
    id: Number(payload.alarm),
    alarm_type: payload.type,
    alarm_type_display: payload.type_name,
    priority: payload.priority,
    state: payload.state,
    count: payload.count,
    first_at: payload.first_at,
    site: payload.site,
    site_name: payload.site_name,
    device: payload.device,
    sensor_type: payload.sensor_type,
    lat: payload.lat,
    lng: payload.lng,
    incident: payload.incident ?? null,
    incident_number: payload.incident_number ?? null,
  };
}

export class CommunityStore extends ChangeNotifier {
  constructor() {
    super(emptyChanges);
    this.sites = new Map();
    this.sensors = new Map();
    this.alarms = new Map();
    this.loadedSites = new Set(); // sites whose every sensor is known
    this.notOnline = new Map(); // site id -> { offline, fault } of its known sensors
    this.lastSeq = 0; // the newest event applied
  }

  // --- Snapshots ------------------------------------------------------------------

  /** Replace everything: the sites, their sensors that are not online, the active alarms. */
  replace({ sites, sensors, alarms }) {
    const before = this.alarms;
    this.sites = new Map(sites.map((site) => [site.id, { ...site }]));
    this.sensors = new Map();
    this.notOnline = new Map();
    this.loadedSites = new Set();
    for (const sensor of sensors) this.putSensor({ ...sensor });
    this.alarms = new Map();
    for (const alarm of alarms) if (isActiveAlarm(alarm)) this.alarms.set(alarm.id, { ...alarm });
    for (const [id, alarm] of before) if (!this.alarms.has(id)) this.changes.removedAlarms.set(id, alarm);
    this.changes.all = true;
    this.schedule();
  }

  /**
   * Every sensor of one site, read when the map zoomed in on it. What an
   * event said after `sinceSeq` (the stream's place when the read began) wins.
   */
  siteSensorsMerge(siteId, sensors, sinceSeq) {
    for (const sensor of sensors) {
      const known = this.sensors.get(sensor.id);
      if (known && known.eventSeq > sinceSeq) continue;
      this.putSensor({ ...known, ...sensor, eventSeq: known?.eventSeq ?? 0 });
    }
    this.loadedSites.add(siteId);
    this.touchSite(siteId);
  }

  // --- The stream -----------------------------------------------------------------

  applyEvent(message) {
    const subject = message.subject ?? {};
    const payload = message.payload ?? {};
    if (Number.isFinite(message.seq)) this.lastSeq = Math.max(this.lastSeq, message.seq);
    if (subject.type === SENSOR_SUBJECT) this.applySensorEvent(message, payload);
    else if (subject.type === ALARM_SUBJECT) this.applyAlarmEvent(payload);
    else if (subject.type === INCIDENT_SUBJECT && payload.status && !OPEN_STATUSES.has(payload.status)) {
      this.jobClosed(Number(subject.id));
    }
  }

  /** LiveSync hands positions to every store; sites have none. */
  applyPositions() {}

  /** LiveSync asks which items lack details; the events carry all the map shows. */
  undetailed() {
    return [];
  }

  applySensorEvent(message, payload) {
    const id = Number(payload.sensor);
    if (!Number.isFinite(id) || !payload.status) return;
    const known = this.sensors.get(id);
    const sensor = {
      // Never heard of: it was online (see the module's note), with no name known yet.
      status: ONLINE,
      ...known,
      id,
      device_id: payload.device ?? known?.device_id,
      site: payload.site ?? known?.site,
      sensor_type: payload.type ?? known?.sensor_type,
      lat: payload.lat ?? known?.lat,
      lng: payload.lng ?? known?.lng,
      last_heartbeat_at: payload.last_heartbeat_at ?? known?.last_heartbeat_at ?? null,
      eventSeq: Number.isFinite(message.seq) ? message.seq : this.lastSeq,
    };
    const changed = sensor.status !== payload.status;
    if (changed) sensor.status_since = message.time ?? sensor.status_since;
    sensor.status = payload.status;
    this.putSensor(sensor);
    if (changed) this.changes.statuses.add(id);
    this.schedule();
  }

  applyAlarmEvent(payload) {
    const alarm = alarmFromEvent(payload);
    if (!Number.isFinite(alarm.id)) return;
    const known = this.alarms.get(alarm.id);
    if (!isActiveAlarm(alarm)) {
      if (known) this.dropAlarm(alarm.id, { ...known, state: alarm.state });
      return;
    }
    this.alarms.set(alarm.id, { ...known, ...alarm });
    this.changes.alarms.add(alarm.id);
    this.changes.removedAlarms.delete(alarm.id);
    this.touchSite(alarm.site);
  }

  /** The job closed (or was cancelled, found invalid…): its alarms leave the map. */
  jobClosed(incidentId) {
    for (const [id, alarm] of this.alarms) {
      if (alarm.incident === incidentId) this.dropAlarm(id, alarm);
    }
  }

  dropAlarm(id, last) {
    this.alarms.delete(id);
    this.changes.alarms.delete(id);
    this.changes.removedAlarms.set(id, last);
    this.touchSite(last.site);
  }

  // --- Sensors and the sites' tallies -----------------------------------------------

  putSensor(sensor) {
    const before = this.sensors.get(sensor.id);
    if (before) this.tally(before, -1);
    this.sensors.set(sensor.id, sensor);
    this.tally(sensor, +1);
    this.changes.sensors.add(sensor.id);
    if (before?.site !== sensor.site) this.touchSite(before?.site);
    this.touchSite(sensor.site);
  }

  tally(sensor, step) {
    if (sensor.status === ONLINE || sensor.site == null) return;
    const counts = this.notOnline.get(sensor.site) ?? { offline: 0, fault: 0 };
    const key = sensor.status === "fault" ? "fault" : "offline";
    counts[key] += step;
    this.notOnline.set(sensor.site, counts);
  }

  // --- Questions --------------------------------------------------------------------

  /** A site's sensors: total, online, offline, fault; and its pending alarms. */
  siteCounts(siteId) {
    const site = this.sites.get(siteId);
    const { offline, fault } = this.notOnline.get(siteId) ?? { offline: 0, fault: 0 };
    const total = Math.max(Number(site?.sensors) || 0, offline + fault);
    let pending = 0;
    let active = 0;
    for (const alarm of this.alarms.values()) {
      if (alarm.site !== siteId) continue;
      active += 1;
      if (PENDING_ALARM_STATES.has(alarm.state)) pending += 1;
    }
    return { total, online: total - offline - fault, offline, fault, pending, active };
  }

  /** The district's (the user's scope's) sensors and alarms, for the layer list. */
  totals() {
    let sensors = 0;
    for (const site of this.sites.values()) sensors += Number(site.sensors) || 0;
    let offline = 0;
    let fault = 0;
    for (const counts of this.notOnline.values()) {
      offline += counts.offline;
      fault += counts.fault;
    }
    return { sites: this.sites.size, sensors, offline, fault, alarms: this.alarms.size };
  }

  // --- Change notes -----------------------------------------------------------------

  touchSite(id) {
    if (id == null) return;
    this.changes.sites.add(id);
    this.schedule();
  }
}
