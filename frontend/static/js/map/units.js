/**
 * Units on the one map and in the units list, kept in step.
 *
 * A unit's marker is a small tag with one glyph per type (car, motorcycle,
 * foot, PTU, mobile team, street force, volunteer — the glyphs are translated
 * in the template) coloured by status, round for volunteers (义警); it moves
 * when positions arrive. Off-duty
 * units are hidden unless asked for. Units recommended for the selected job
 * are ringed and numbered by rank, and drawn whatever the filter.
 *
 * Each marker and list row carries `data-unit-id` and `data-status`; the
 * list is ordered by call sign and filtered like the map.
 */

import { BUSY_UNIT_STATUSES } from "../shared/vocabulary.js";
import { MarkerListView, positionOf } from "./marker-list.js";
import { word } from "./words.js";

const SELECTED_Z_INDEX = 4000;
const RECOMMENDED_Z_INDEX = 2000; // minus the rank: the first on top

export class UnitsView extends MarkerListView {
  constructor({ store, list, rowTemplate, teamName, homeName, onSelect }) {
    super({
      items: () => store.units,
      list,
      rowTemplate,
      onSelect,
      idKey: "unitId",
      marker: {
        className: "unit-marker",
        html: '<span class="unit-glyph"></span><span class="unit-rank" hidden></span>',
        icon: { className: "live-icon live-icon-unit", iconSize: [20, 20] },
        tooltipOffset: [0, -9],
        zIndex: 0,
        selectedZIndex: SELECTED_Z_INDEX,
      },
    });
    this.store = store;
    this.teamName = teamName;
    this.homeName = homeName;
    this.filter = "all";
    this.search = "";
    this.showOffDuty = false;
    this.recommended = new Map(); // unit id -> rank
  }

  changedIds(changes) {
    return changes.units;
  }

  afterSync(changes) {
    // A job that appeared, moved on or closed changes the "current job" column.
    if (changes.incidents.size || changes.removed.size) {
      for (const [id, entry] of this.entries) this.fillJob(entry, id);
    }
  }

  compare(a, b) {
    return String(a.call_sign).localeCompare(String(b.call_sign), undefined, { numeric: true });
  }

  paint(entry, unit) {
    const { element, row } = entry;
    element.dataset.status = unit.status;
    element.dataset.type = unit.unit_type;
    element.querySelector(".unit-glyph").textContent = word("glyph", unit.unit_type, "?");
    entry.tooltip.textContent = `${unit.call_sign} · ${word("unit-status", unit.status)}`;

    row.dataset.status = unit.status;
    const slot = (name) => row.querySelector(`[data-slot="${name}"]`);
    const glyph = slot("glyph");
    glyph.textContent = word("glyph", unit.unit_type, "?");
    glyph.dataset.status = unit.status;
    glyph.dataset.type = unit.unit_type; // volunteers' tags are round (live-map.css)
    slot("call_sign").textContent = unit.call_sign;
    slot("type").textContent = word("unit-type", unit.unit_type, unit.unit_type_display);
    slot("sub").textContent = [this.teamName(unit.team), this.homeName(unit)].filter(Boolean).join(" · ");
    const status = slot("status");
    status.textContent = word("unit-status", unit.status, unit.status_display);
    status.dataset.unitStatus = unit.status;
    this.fillJob(entry, unit.id);
  }

  fillJob(entry, id) {
    const slot = entry.row.querySelector('[data-slot="job"]');
    const value = this.store.jobOf(id)?.number ?? "";
    if (slot.textContent !== value) slot.textContent = value;
  }

  // --- Filter and recommendations ------------------------------------------------------

  setFilter({ filter = this.filter, search = this.search, showOffDuty = this.showOffDuty } = {}) {
    this.filter = filter;
    this.search = search.trim().toLowerCase();
    this.showOffDuty = showOffDuty;
    this.refilter();
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

  drawn(unit, listed) {
    // A recommended unit stays drawn whatever the filter: it is ringed for a reason.
    return positionOf(unit) !== null && (listed || this.recommended.has(unit.id));
  }

  restingZIndex(entry) {
    const rank = this.recommended.get(entry.id);
    return rank === undefined ? 0 : RECOMMENDED_Z_INDEX - rank;
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
      const selected = rank === undefined && this.selected === id;
      entry.marker.setZIndexOffset(selected ? SELECTED_Z_INDEX : this.restingZIndex(entry));
      this.applyFilter(entry, this.store.units.get(id));
    }
  }
}
