/**
 * Open jobs on the one map and in the jobs list, kept in step.
 *
 * A job's marker is coloured by priority (1–4) and shaped by where it
 * stands: a diamond while it waits for dispatch, a ring while units are on
 * their way, a filled disc once they are on scene, a dashed square while the
 * street's governance center has it. Its clocks, on the server's time:
 * waiting more than 60 s rings it amber; waiting more than 5 min, or no one
 * on scene 5 min after the call, turns it red and pulsing.
 *
 * Each marker and list row carries `data-incident-id`; the row list is
 * ordered oldest call first and shows the time since the call.
 */

import { formatDuration, now, secondsSince } from "./clock.js";
import { STREET_STATUSES, WAITING_STATUSES } from "./store.js";
import { word } from "./words.js";

const L = window.L;

export const AMBER_WAITING_SECONDS = 60;
// 城区五分钟、城郊十分钟: no unit on scene by then is late; the zone's class decides.
const ARRIVAL_SECONDS = { urban: 5 * 60, suburban: 10 * 60, rural: 15 * 60 };
export const RED_SECONDS = ARRIVAL_SECONDS.urban;

function arrivalLimit(incident) {
  return ARRIVAL_SECONDS[incident.area_class] ?? RED_SECONDS;
}

/** Where a job stands, for its marker shape and the list filter. */
export function stageOf(incident) {
  if (WAITING_STATUSES.has(incident.status)) return "waiting";
  if (STREET_STATUSES.has(incident.status)) return "street";
  if (incident.status === "on_scene") return "scene";
  return "out";
}

/** "red", "amber" or "" at `moment` (ms on the server's clock). */
export function urgencyOf(incident, moment = now()) {
  const age = secondsSince(incident.received_at, moment);
  if (!Number.isFinite(age)) return "";
  const waiting = WAITING_STATUSES.has(incident.status);
  const arrived = incident.status === "on_scene" || Boolean(incident.on_scene_at);
  if (age >= arrivalLimit(incident) && (waiting || !arrived)) return "red";
  if (waiting && age >= AMBER_WAITING_SECONDS) return "amber";
  return "";
}

function receivedAt(incident) {
  // The API answers in local time, events in UTC: compare instants, not strings.
  const time = Date.parse(incident.received_at ?? "");
  return Number.isFinite(time) ? time : Infinity;
}

function byReceipt(a, b) {
  return receivedAt(a) - receivedAt(b) || a.id - b.id;
}

function markerElement(id) {
  const element = document.createElement("div");
  element.className = "inc-marker";
  element.dataset.incidentId = String(id);
  element.innerHTML = '<span class="inc-ring"></span><span class="inc-shape"></span><span class="inc-label"></span>';
  return element;
}

export class IncidentsView {
  constructor({ store, list, rowTemplate, onSelect }) {
    this.store = store;
    this.list = list;
    this.rowTemplate = rowTemplate;
    this.onSelect = onSelect;
    this.layer = L.featureGroup();
    this.entries = new Map(); // id -> { marker, element, tooltip, row }
    this.filter = "all";
    this.selected = null;
    this.list.addEventListener("click", (event) => this.rowClicked(event));
    this.list.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") this.rowClicked(event);
    });
  }

  // --- Keeping in step with the store -----------------------------------------

  sync(changes) {
    let reorder = changes.all;
    if (changes.all) {
      for (const id of [...this.entries.keys()]) {
        if (!this.store.incidents.has(id)) this.drop(id);
      }
      for (const incident of this.store.incidents.values()) reorder = this.upsert(incident) || reorder;
    } else {
      for (const id of changes.removed.keys()) {
        if (this.entries.has(id)) {
          this.drop(id);
          reorder = true;
        }
      }
      for (const id of changes.incidents) {
        const incident = this.store.incidents.get(id);
        if (incident) reorder = this.upsert(incident) || reorder;
      }
    }
    // Unit moves change the call signs shown on rows.
    if (changes.units.size && !changes.all) {
      for (const [id, entry] of this.entries) this.fillRowUnits(entry, id);
    }
    if (reorder) this.reorder();
    this.tick();
  }

  /** Draw or redraw one job; true when it is new. */
  upsert(incident) {
    let entry = this.entries.get(incident.id);
    const isNew = !entry;
    if (isNew) entry = this.create(incident);
    const latlng = [Number(incident.lat), Number(incident.lng)];
    if (Number.isFinite(latlng[0]) && Number.isFinite(latlng[1])) entry.marker.setLatLng(latlng);
    const stage = stageOf(incident);
    const { element } = entry;
    element.dataset.stage = stage;
    element.dataset.priority = incident.priority ?? "";
    element.querySelector(".inc-label").textContent = incident.priority ?? "";
    entry.tooltip.textContent = [
      incident.number,
      incident.category_name || incident.category,
      word("incident-status", incident.status),
    ].filter(Boolean).join(" · ");
    entry.stage = stage;
    this.fillRow(entry, incident);
    this.applyFilter(entry, incident);
    return isNew;
  }

  create(incident) {
    const element = markerElement(incident.id);
    const marker = L.marker([Number(incident.lat) || 0, Number(incident.lng) || 0], {
      icon: L.divIcon({ className: "live-icon live-icon-incident", html: element, iconSize: [24, 24] }),
      keyboard: false,
      riseOnHover: true,
      zIndexOffset: 1000,
    });
    const tooltip = document.createElement("span");
    marker.bindTooltip(tooltip, { direction: "top", offset: [0, -12] });
    marker.on("click", () => this.onSelect(incident.id, "map"));
    const row = this.rowTemplate.content.firstElementChild.cloneNode(true);
    row.dataset.incidentId = String(incident.id);
    const entry = { marker, element, tooltip, row, urgency: "", visible: false };
    this.entries.set(incident.id, entry);
    return entry;
  }

  drop(id) {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.layer.removeLayer(entry.marker);
    entry.row.remove();
    this.entries.delete(id);
  }

  fillRow(entry, incident) {
    const { row } = entry;
    const slot = (name) => row.querySelector(`[data-slot="${name}"]`);
    const priority = slot("priority");
    priority.textContent = incident.priority ?? "";
    priority.dataset.priority = incident.priority ?? "";
    slot("number").textContent = incident.number ?? "";
    slot("category").textContent = incident.category_name || incident.category || "";
    const status = slot("status");
    status.textContent = word("incident-status", incident.status);
    status.dataset.status = incident.status;
    row.dataset.stage = stageOf(incident);
    slot("place").textContent = incident.address
      || [incident.station_name, incident.post_name].filter(Boolean).join(" · ");
    this.fillRowUnits(entry, incident.id);
  }

  fillRowUnits(entry, id) {
    const units = this.store.unitsOn(id).map((unit) => unit.call_sign).sort();
    const slot = entry.row.querySelector('[data-slot="units"]');
    if (slot && slot.textContent !== units.join(" ")) slot.textContent = units.join(" ");
  }

  reorder() {
    const incidents = [...this.store.incidents.values()].sort(byReceipt);
    const rows = incidents.map((incident) => this.entries.get(incident.id)?.row).filter(Boolean);
    // Appending moves rows already there; only what changed is touched.
    let previous = null;
    for (const row of rows) {
      const expected = previous ? previous.nextElementSibling : this.list.firstElementChild;
      if (expected !== row) {
        if (previous) previous.after(row);
        else this.list.prepend(row);
      }
      previous = row;
    }
    this.updateEmpty();
  }

  // --- Filter, selection and clocks ----------------------------------------------

  setFilter(filter) {
    this.filter = filter;
    for (const [id, entry] of this.entries) this.applyFilter(entry, this.store.incidents.get(id));
    this.updateEmpty();
  }

  passes(incident) {
    if (!incident) return false;
    if (this.filter === "all") return true;
    if (this.filter === "late") return urgencyOf(incident) === "red";
    return stageOf(incident) === this.filter;
  }

  applyFilter(entry, incident) {
    const visible = this.passes(incident) || this.selected === incident?.id;
    entry.row.hidden = !visible;
    if (visible && !entry.visible) this.layer.addLayer(entry.marker);
    if (!visible && entry.visible) this.layer.removeLayer(entry.marker);
    entry.visible = visible;
  }

  updateEmpty() {
    const shown = [...this.entries.values()].some((entry) => !entry.row.hidden);
    const empty = this.list.parentElement?.querySelector("[data-empty]");
    if (empty) empty.hidden = shown;
  }

  setSelected(id, { scroll = false } = {}) {
    const previous = this.entries.get(this.selected);
    this.selected = id;
    if (previous) {
      previous.element.classList.remove("is-selected");
      previous.row.classList.remove("is-selected");
      previous.row.removeAttribute("aria-current");
      previous.marker.setZIndexOffset(1000);
      this.applyFilter(previous, this.store.incidents.get(Number(previous.row.dataset.incidentId)));
    }
    const entry = this.entries.get(id);
    if (!entry) return;
    this.applyFilter(entry, this.store.incidents.get(id));
    entry.element.classList.add("is-selected");
    entry.row.classList.add("is-selected");
    entry.row.setAttribute("aria-current", "true");
    entry.marker.setZIndexOffset(3000);
    if (scroll) entry.row.scrollIntoView({ block: "nearest" });
  }

  latLngOf(id) {
    return this.entries.get(id)?.marker.getLatLng() ?? null;
  }

  /** Repaint clocks and lateness (every second, and after each change). */
  tick() {
    const moment = now();
    let filtered = false;
    for (const [id, entry] of this.entries) {
      const incident = this.store.incidents.get(id);
      if (!incident) continue;
      const age = secondsSince(incident.received_at, moment);
      const timer = entry.row.querySelector('[data-slot="timer"]');
      timer.textContent = formatDuration(age);
      const urgency = urgencyOf(incident, moment);
      if (urgency !== entry.urgency) {
        entry.urgency = urgency;
        for (const element of [entry.element, entry.row]) {
          element.classList.toggle("is-amber", urgency === "amber");
          element.classList.toggle("is-red", urgency === "red");
        }
        if (this.filter === "late") filtered = true;
      }
    }
    if (filtered) this.setFilter(this.filter);
  }

  rowClicked(event) {
    const row = event.target.closest("[data-incident-id]");
    if (!row || !this.list.contains(row)) return;
    if (event.type === "keydown") event.preventDefault();
    this.onSelect(Number(row.dataset.incidentId), "list");
  }
}
