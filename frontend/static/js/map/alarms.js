/**
 * Active sensor alarms on the one map: a pulsing mark at the alarming
 * device, coloured by the alarm's priority (1–4, as jobs are). A pending
 * alarm (held, in review) is a filled disc in its pulse; one that made or
 * joined a job is a ring around that job's marker, below it, so the job
 * stays clickable. The pulse is CSS (live-map.css) and stops for users who
 * prefer reduced motion. A repeated alarm shows its count.
 *
 * Few at a time (tens), so DOM markers: each carries `data-alarm-id`,
 * `data-priority` and `data-stage` ("pending" or "job").
 */

import { PENDING_ALARM_STATES } from "../shared/vocabulary.js";
import { positionOf } from "./marker-list.js";

const L = window.L;

// Below jobs (1000) and above units (0): an alarm's ring circles its job's marker.
const Z_INDEX = 500;
const SELECTED_Z_INDEX = 3500;

export class AlarmsView {
  /**
   * @param {object} options
   * @param {import("./community-store.js").CommunityStore} options.store
   * @param {(id: number) => void} options.onSelect
   * @param {(alarm: object) => string} options.describe the tooltip's words
   */
  constructor({ store, onSelect, describe }) {
    this.store = store;
    this.onSelect = onSelect;
    this.describe = describe;
    this.layer = L.featureGroup();
    this.entries = new Map(); // alarm id -> { marker, element, tooltip }
    this.selected = null;
  }

  sync(changes) {
    if (changes.all) {
      for (const id of [...this.entries.keys()]) if (!this.store.alarms.has(id)) this.drop(id);
      for (const alarm of this.store.alarms.values()) this.upsert(alarm);
      return;
    }
    for (const id of changes.removedAlarms.keys()) this.drop(id);
    for (const id of changes.alarms) {
      const alarm = this.store.alarms.get(id);
      if (alarm) this.upsert(alarm);
    }
  }

  upsert(alarm) {
    const position = positionOf(alarm);
    if (!position) return;
    let entry = this.entries.get(alarm.id);
    if (!entry) {
      entry = this.create(alarm, position);
      this.entries.set(alarm.id, entry);
      this.layer.addLayer(entry.marker);
    } else {
      entry.marker.setLatLng(position);
    }
    const { element } = entry;
    element.dataset.priority = alarm.priority ?? "";
    element.dataset.stage = PENDING_ALARM_STATES.has(alarm.state) ? "pending" : "job";
    element.dataset.state = alarm.state;
    const count = element.querySelector(".alarm-count");
    count.hidden = !(alarm.count > 1);
    count.textContent = alarm.count > 1 ? `×${alarm.count}` : "";
    entry.tooltip.textContent = this.describe(alarm);
  }

  create(alarm, position) {
    const element = document.createElement("div");
    element.className = "alarm-marker";
    element.dataset.alarmId = String(alarm.id);
    element.innerHTML = '<span class="alarm-pulse"></span><span class="alarm-core"></span>'
      + '<span class="alarm-count" hidden></span>';
    const marker = L.marker(position, {
      icon: L.divIcon({ className: "live-icon live-icon-alarm", iconSize: [36, 36], html: element }),
      keyboard: false,
      zIndexOffset: Z_INDEX,
    });
    const tooltip = document.createElement("span");
    marker.bindTooltip(tooltip, { direction: "top", offset: [0, -12] });
    marker.on("click", () => this.onSelect(alarm.id));
    return { marker, element, tooltip };
  }

  drop(id) {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.layer.removeLayer(entry.marker);
    this.entries.delete(id);
  }

  setSelected(id) {
    const previous = this.entries.get(this.selected);
    if (previous) {
      previous.element.classList.remove("is-selected");
      previous.marker.setZIndexOffset(Z_INDEX);
    }
    this.selected = id;
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.element.classList.add("is-selected");
    entry.marker.setZIndexOffset(SELECTED_Z_INDEX);
  }

  latLngOf(id) {
    return this.entries.get(id)?.marker.getLatLng() ?? null;
  }
}
