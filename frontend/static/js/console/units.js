/**
 * Units on the one map and in the units list, kept in step.
 *
 * A unit's marker is a small tag with one glyph per type (car, motorcycle,
 * foot, PTU, mobile team, street force — the glyphs are translated in the
 * template) coloured by status; it moves when positions arrive. Off-duty
 * units are hidden unless asked for. Units recommended for the selected job
 * are ringed and numbered by rank.
 *
 * Each marker and list row carries `data-unit-id` and `data-status`; the
 * list is ordered by call sign and filtered like the map.
 */

import { BUSY_UNIT_STATUSES } from "./store.js";
import { word } from "./words.js";

const L = window.L;

function byCallSign(a, b) {
  return String(a.call_sign).localeCompare(String(b.call_sign), undefined, { numeric: true });
}

function hasPosition(unit) {
  return Number.isFinite(Number(unit.lat)) && Number.isFinite(Number(unit.lng))
    && unit.lat !== null && unit.lng !== null;
}

function markerElement(id) {
  const element = document.createElement("div");
  element.className = "unit-marker";
  element.dataset.unitId = String(id);
  element.innerHTML = '<span class="unit-glyph"></span><span class="unit-rank" hidden></span>';
  return element;
}

export class UnitsView {
  constructor({ store, list, rowTemplate, teamName, homeName, onSelect }) {
    this.store = store;
    this.list = list;
    this.rowTemplate = rowTemplate;
    this.teamName = teamName;
    this.homeName = homeName;
    this.onSelect = onSelect;
    this.layer = L.featureGroup();
    this.entries = new Map(); // id -> { marker, element, tooltip, row, visible }
    this.filter = "all";
    this.search = "";
    this.showOffDuty = false;
    this.selected = null;
    this.recommended = new Map(); // unit id -> rank
    this.list.addEventListener("click", (event) => this.rowClicked(event));
    this.list.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") this.rowClicked(event);
    });
  }

  sync(changes) {
    let reorder = changes.all;
    if (changes.all) {
      for (const id of [...this.entries.keys()]) {
        if (!this.store.units.has(id)) this.drop(id);
      }
      for (const unit of this.store.units.values()) reorder = this.upsert(unit) || reorder;
    } else {
      for (const id of changes.units) {
        const unit = this.store.units.get(id);
        if (unit) reorder = this.upsert(unit) || reorder;
      }
    }
    // A job that appeared, moved on or closed changes the "current job" column.
    if (changes.incidents.size || changes.removed.size) {
      for (const [id, entry] of this.entries) this.fillJob(entry, id);
    }
    if (reorder) this.reorder();
  }

  upsert(unit) {
    let entry = this.entries.get(unit.id);
    const isNew = !entry;
    if (isNew) entry = this.create(unit);
    if (hasPosition(unit)) entry.marker.setLatLng([Number(unit.lat), Number(unit.lng)]);
    const { element, row } = entry;
    element.dataset.status = unit.status;
    row.dataset.status = unit.status;
    element.dataset.type = unit.unit_type;
    element.querySelector(".unit-glyph").textContent = word("glyph", unit.unit_type, "?");
    entry.tooltip.textContent = `${unit.call_sign} · ${word("unit-status", unit.status)}`;
    this.fillRow(entry, unit);
    this.applyFilter(entry, unit);
    return isNew;
  }

  create(unit) {
    const element = markerElement(unit.id);
    const marker = L.marker([Number(unit.lat) || 0, Number(unit.lng) || 0], {
      icon: L.divIcon({ className: "live-icon live-icon-unit", html: element, iconSize: [18, 18] }),
      keyboard: false,
      riseOnHover: true,
    });
    const tooltip = document.createElement("span");
    marker.bindTooltip(tooltip, { direction: "top", offset: [0, -9] });
    marker.on("click", () => this.onSelect(unit.id, "map"));
    const row = this.rowTemplate.content.firstElementChild.cloneNode(true);
    row.dataset.unitId = String(unit.id);
    const entry = { marker, element, tooltip, row, visible: false };
    this.entries.set(unit.id, entry);
    return entry;
  }

  drop(id) {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.layer.removeLayer(entry.marker);
    entry.row.remove();
    this.entries.delete(id);
  }

  fillRow(entry, unit) {
    const { row } = entry;
    const slot = (name) => row.querySelector(`[data-slot="${name}"]`);
    const glyph = slot("glyph");
    glyph.textContent = word("glyph", unit.unit_type, "?");
    glyph.dataset.status = unit.status;
    slot("call_sign").textContent = unit.call_sign;
    slot("type").textContent = word("unit-type", unit.unit_type, unit.unit_type_display);
    slot("sub").textContent = [this.teamName(unit.team), this.homeName(unit)].filter(Boolean).join(" · ");
    const status = slot("status");
    status.textContent = word("unit-status", unit.status, unit.status_display);
    status.dataset.unitStatus = unit.status;
    this.fillJob(entry, unit.id);
  }

  fillJob(entry, id) {
    const job = this.store.jobOf(id);
    const slot = entry.row.querySelector('[data-slot="job"]');
    const value = job?.number ?? "";
    if (slot.textContent !== value) slot.textContent = value;
  }

  reorder() {
    const rows = [...this.store.units.values()].sort(byCallSign)
      .map((unit) => this.entries.get(unit.id)?.row).filter(Boolean);
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

  // --- Filter, selection, recommendations -------------------------------------------

  setFilter({ filter = this.filter, search = this.search, showOffDuty = this.showOffDuty } = {}) {
    this.filter = filter;
    this.search = search.trim().toLowerCase();
    this.showOffDuty = showOffDuty;
    for (const [id, entry] of this.entries) this.applyFilter(entry, this.store.units.get(id));
    this.updateEmpty();
  }

  passes(unit) {
    if (!unit) return false;
    if (this.search) {
      const haystack = [unit.call_sign, unit.name, this.teamName(unit.team)].join(" ").toLowerCase();
      if (!haystack.includes(this.search)) return false;
    }
    switch (this.filter) {
      case "all":
        return unit.status !== "off_duty" || this.showOffDuty;
      case "busy":
        return BUSY_UNIT_STATUSES.has(unit.status);
      default:
        return unit.status === this.filter;
    }
  }

  applyFilter(entry, unit) {
    const listed = this.passes(unit) || this.selected === unit?.id;
    // A recommended unit stays drawn whatever the filter: it is ringed for a reason.
    const drawn = Boolean(unit) && hasPosition(unit) && (listed || this.recommended.has(unit.id));
    entry.row.hidden = !listed;
    if (drawn && !entry.visible) this.layer.addLayer(entry.marker);
    if (!drawn && entry.visible) this.layer.removeLayer(entry.marker);
    entry.visible = drawn;
  }

  updateEmpty() {
    const shown = [...this.entries.values()].some((entry) => !entry.row.hidden);
    const empty = this.list.parentElement?.querySelector("[data-empty]");
    if (empty) empty.hidden = shown;
  }

  setSelected(id, { scroll = false } = {}) {
    const previousId = this.selected;
    this.selected = id;
    const previous = this.entries.get(previousId);
    if (previous) {
      previous.element.classList.remove("is-selected");
      previous.row.classList.remove("is-selected");
      previous.row.removeAttribute("aria-current");
      previous.marker.setZIndexOffset(0);
      this.applyFilter(previous, this.store.units.get(previousId));
    }
    const entry = this.entries.get(id);
    if (!entry) return;
    this.applyFilter(entry, this.store.units.get(id));
    entry.element.classList.add("is-selected");
    entry.row.classList.add("is-selected");
    entry.row.setAttribute("aria-current", "true");
    entry.marker.setZIndexOffset(4000);
    if (scroll) entry.row.scrollIntoView({ block: "nearest" });
  }

  /** Ring and number the units recommended for the selected job (unit id -> rank). */
  setRecommended(ranks) {
    const before = this.recommended;
    this.recommended = ranks;
    for (const id of new Set([...before.keys(), ...ranks.keys()])) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      const rank = ranks.get(id);
      entry.element.classList.toggle("is-recommended", rank !== undefined);
      entry.row.classList.toggle("is-recommended", rank !== undefined);
      const badge = entry.element.querySelector(".unit-rank");
      badge.hidden = rank === undefined;
      badge.textContent = rank ?? "";
      entry.marker.setZIndexOffset(rank !== undefined ? 2000 - rank : (this.selected === id ? 4000 : 0));
      this.applyFilter(entry, this.store.units.get(id));
    }
  }

  latLngOf(id) {
    const unit = this.store.units.get(id);
    return unit && hasPosition(unit) ? L.latLng(Number(unit.lat), Number(unit.lng)) : null;
  }

  rowClicked(event) {
    const row = event.target.closest("[data-unit-id]");
    if (!row || !this.list.contains(row)) return;
    if (event.type === "keydown") event.preventDefault();
    this.onSelect(Number(row.dataset.unitId), "list");
  }
}
