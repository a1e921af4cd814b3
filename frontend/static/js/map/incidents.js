/**
 * Open jobs on the one map and in the jobs list, kept in step.
 *
 * A job's marker is coloured by priority (1–4) and shaped by where it
 * stands: a diamond while it waits for dispatch, a ring while units are on
 * their way, a filled disc once they are on scene, a dashed square while the
 * street's governance center has it. How late it is is the server's word:
 * its `alert` (from the REST list, then from each `clock.*` event of the
 * live stream) rings it amber when a clock is due soon, violet when the
 * unit on its way will arrive too late, red and pulsing once a clock has
 * run out (analytics/engine.py). The time since the call ticks here.
 *
 * Each marker and list row carries `data-incident-id`; the row list is
 * ordered most urgent first, then oldest call first, and shows the time since the call.
 */

import { formatDuration, now, secondsSince } from "../shared/clock.js";
import { AWAITING_DISPATCH, WITH_STREET } from "../shared/vocabulary.js";
import { MarkerListView } from "./marker-list.js";
import { word } from "./words.js";

/** Where a job stands, for its marker shape and the list filter. */
export function stageOf(incident) {
  if (AWAITING_DISPATCH.has(incident.status)) return "waiting";
  if (WITH_STREET.has(incident.status)) return "street";
  if (incident.status === "on_scene") return "scene";
  return "out";
}

// The server's alert level of a job (analytics.choices.Alert) → its colour here.
const URGENCY = { breached: "red", at_risk: "risk", warning: "amber" };

/** "red", "risk", "amber" or "": what the server's clocks last said of the job. */
export function urgencyOf(incident) {
  return URGENCY[incident.alert] ?? "";
}

function receivedAt(incident) {
  // The API answers in local time, events in UTC: compare instants, not strings.
  const time = Date.parse(incident.received_at ?? "");
  return Number.isFinite(time) ? time : Infinity;
}

export class IncidentsView extends MarkerListView {
  constructor({ store, list, rowTemplate, onSelect }) {
    super({
      items: () => store.incidents,
      list,
      rowTemplate,
      onSelect,
      idKey: "incidentId",
      marker: {
        className: "inc-marker",
        html: '<span class="inc-ring"></span><span class="inc-shape"></span><span class="inc-label"></span>',
        icon: { className: "live-icon live-icon-incident", iconSize: [24, 24] },
        tooltipOffset: [0, -12],
        zIndex: 1000,
        selectedZIndex: 3000,
      },
    });
    this.store = store;
    this.filter = "all";
  }

  changedIds(changes) {
    return changes.incidents;
  }

  removedIds(changes) {
    return changes.removed.keys();
  }

  afterSync(changes) {
    // Unit moves change the call signs shown on rows.
    if (changes.units.size && !changes.all) {
      for (const [id, entry] of this.entries) this.fillRowUnits(entry, id);
    }
    this.tick();
  }

  /** Like every queue: the most urgent first, then the longest waiting. */
  compare(a, b) {
    return (a.priority ?? 9) - (b.priority ?? 9) || receivedAt(a) - receivedAt(b) || a.id - b.id;
  }

  paint(entry, incident) {
    const stage = stageOf(incident);
    const { element, row } = entry;
    element.dataset.stage = stage;
    element.dataset.priority = incident.priority ?? "";
    element.querySelector(".inc-label").textContent = incident.priority ?? "";
    entry.tooltip.textContent = [
      incident.number,
      incident.category_name || incident.category,
      word("incident-status", incident.status),
    ].filter(Boolean).join(" · ");

    const slot = (name) => row.querySelector(`[data-slot="${name}"]`);
    const priority = slot("priority");
    priority.textContent = incident.priority ?? "";
    priority.dataset.priority = incident.priority ?? "";
    slot("number").textContent = incident.number ?? "";
    slot("category").textContent = incident.category_name || incident.category || "";
    const status = slot("status");
    status.textContent = word("incident-status", incident.status);
    status.dataset.status = incident.status;
    row.dataset.stage = stage;
    slot("place").textContent = incident.address
      || [incident.station_name, incident.post_name].filter(Boolean).join(" · ");
    this.fillRowUnits(entry, incident.id);
  }

  fillRowUnits(entry, id) {
    const units = this.store.unitsOn(id).map((unit) => unit.call_sign).sort();
    const slot = entry.row.querySelector('[data-slot="units"]');
    if (slot && slot.textContent !== units.join(" ")) slot.textContent = units.join(" ");
  }

  // --- Filter and clocks ---------------------------------------------------------------

  setFilter(filter) {
    this.filter = filter;
    this.refilter();
  }

  passes(incident) {
    if (!incident) return false;
    if (this.filter === "all") return true;
    if (this.filter === "late") return urgencyOf(incident) === "red";
    return stageOf(incident) === this.filter;
  }

  /** Repaint clocks and lateness (every second, and after each change). */
  tick() {
    const moment = now();
    let lateChanged = false;
    for (const [id, entry] of this.entries) {
      const incident = this.store.incidents.get(id);
      if (!incident) continue;
      const timer = entry.row.querySelector('[data-slot="timer"]');
      timer.textContent = formatDuration(secondsSince(incident.received_at, moment));
      const urgency = urgencyOf(incident);
      if (urgency === entry.urgency) continue;
      // Turning late while shown (not late when first drawn): consoles/alerts.js tells the user.
      if (urgency === "red" && entry.urgency !== undefined) {
        entry.row.dispatchEvent(new CustomEvent("job:late", {
          bubbles: true, detail: { id: String(id), number: incident.number ?? "" },
        }));
      }
      entry.urgency = urgency;
      for (const element of [entry.element, entry.row]) {
        element.classList.toggle("is-amber", urgency === "amber");
        element.classList.toggle("is-risk", urgency === "risk");
        element.classList.toggle("is-red", urgency === "red");
      }
      lateChanged = true;
    }
    if (lateChanged && this.filter === "late") this.refilter();
  }
}
