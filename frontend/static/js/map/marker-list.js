/**
 * Things of the store drawn twice and kept in step: a marker on the map and
 * a row in a side list, with one filter, one selection and one order for
 * both. The jobs (incidents.js) and the units (units.js) are the two kinds;
 * each says how its marker and row look, what its filter lets through and
 * how its rows are ordered. This class does the bookkeeping they share:
 * creating and dropping entries as the store changes, showing and hiding
 * them, moving rows only when out of place (a moved row loses its click),
 * selection, and clicks or Enter on a row.
 *
 * A marker and its row carry `data-<idKey>` (e.g. `data-incident-id`).
 */

const L = window.L;

/** [lat, lng] of an item with a position, else null ("" and null are no position). */
export function positionOf(item) {
  const isNumber = (value) => value !== null && value !== undefined && value !== ""
    && Number.isFinite(Number(value));
  return item && isNumber(item.lat) && isNumber(item.lng) ? [Number(item.lat), Number(item.lng)] : null;
}

export class MarkerListView {
  /**
   * @param {object} options
   * @param {() => Map} options.items the store's map of id -> item shown here
   * @param {HTMLElement} options.list the list the rows go in
   * @param {HTMLTemplateElement} options.rowTemplate a row, cloned per item
   * @param {(id: number, from: string) => void} options.onSelect a marker or row was chosen ("map" / "list")
   * @param {string} options.idKey dataset key of markers and rows: "incidentId", "unitId"
   * @param {object} options.marker the marker's look: `className` and `html` of its element,
   *   `icon` (L.divIcon options), `tooltipOffset`, `zIndex` and `selectedZIndex`
   */
  constructor({ items, list, rowTemplate, onSelect, idKey, marker }) {
    this.items = items;
    this.list = list;
    this.rowTemplate = rowTemplate;
    this.onSelect = onSelect;
    this.idKey = idKey;
    this.look = marker;
    this.layer = L.featureGroup();
    this.entries = new Map(); // id -> { id, marker, element, tooltip, row, visible, ... }
    this.selected = null;
    this.list.addEventListener("click", (event) => this.rowClicked(event));
    this.list.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") this.rowClicked(event);
    });
  }

  // --- What each kind says ---------------------------------------------------------

  /** Ids whose item changed, from the store's change note. */
  changedIds(changes) {
    return [];
  }

  /** Ids that left the store, from the store's change note. */
  removedIds(changes) {
    return [];
  }

  /** Fill the marker element, tooltip and row of `entry` from `item`. */
  paint(entry, item) {
  }

  /** Whether the filter lets `item` into the list. */
  passes(item) {
    return Boolean(item);
  }

  /** Whether `item` is drawn on the map, given whether it is listed. */
  drawn(item, listed) {
    return listed && positionOf(item) !== null;
  }

  /** Row order. */
  compare(a, b) {
    return a.id - b.id;
  }

  /** After the entries followed a change (e.g. columns that show other things). */
  afterSync(changes) {
  }

  // --- Keeping in step with the store ------------------------------------------------

  sync(changes) {
    const items = this.items();
    let reorder = changes.all;
    if (changes.all) {
      for (const id of [...this.entries.keys()]) if (!items.has(id)) this.drop(id);
      for (const item of items.values()) reorder = this.upsert(item) || reorder;
    } else {
      for (const id of this.removedIds(changes)) {
        if (this.entries.has(id)) {
          this.drop(id);
          reorder = true;
        }
      }
      for (const id of this.changedIds(changes)) {
        const item = items.get(id);
        if (item) reorder = this.upsert(item) || reorder;
      }
    }
    this.afterSync(changes);
    if (reorder) this.reorder();
  }

  /** Draw or redraw one item; true when it is new. */
  upsert(item) {
    let entry = this.entries.get(item.id);
    const isNew = !entry;
    if (isNew) entry = this.create(item);
    const position = positionOf(item);
    if (position) entry.marker.setLatLng(position);
    this.paint(entry, item);
    this.applyFilter(entry, item);
    return isNew;
  }

  create(item) {
    const element = document.createElement("div");
    element.className = this.look.className;
    element.dataset[this.idKey] = String(item.id);
    element.innerHTML = this.look.html;
    const marker = L.marker(positionOf(item) ?? [0, 0], {
      icon: L.divIcon({ ...this.look.icon, html: element }),
      keyboard: false,
      riseOnHover: true,
      zIndexOffset: this.look.zIndex,
    });
    const tooltip = document.createElement("span");
    marker.bindTooltip(tooltip, { direction: "top", offset: this.look.tooltipOffset });
    marker.on("click", () => this.onSelect(item.id, "map"));
    const row = this.rowTemplate.content.firstElementChild.cloneNode(true);
    row.dataset[this.idKey] = String(item.id);
    const entry = { id: item.id, marker, element, tooltip, row, visible: false };
    this.entries.set(item.id, entry);
    return entry;
  }

  drop(id) {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.layer.removeLayer(entry.marker);
    entry.row.remove();
    this.entries.delete(id);
  }

  reorder() {
    const rows = [...this.items().values()].sort((a, b) => this.compare(a, b))
      .map((item) => this.entries.get(item.id)?.row).filter(Boolean);
    // Only rows out of place are moved.
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

  // --- Filter and selection -----------------------------------------------------------

  /** Show or hide every entry after the filter changed. */
  refilter() {
    const items = this.items();
    for (const [id, entry] of this.entries) this.applyFilter(entry, items.get(id));
    this.updateEmpty();
  }

  applyFilter(entry, item) {
    // The selected item stays listed and drawn whatever the filter.
    const listed = Boolean(item) && (this.passes(item) || this.selected === entry.id);
    const drawn = Boolean(item) && this.drawn(item, listed);
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

  /** The marker's z-index when not selected (a kind may raise some). */
  restingZIndex(entry) {
    return this.look.zIndex;
  }

  setSelected(id, { scroll = false } = {}) {
    const items = this.items();
    const previous = this.entries.get(this.selected);
    this.selected = id;
    if (previous) {
      previous.element.classList.remove("is-selected");
      previous.row.classList.remove("is-selected");
      previous.row.removeAttribute("aria-current");
      previous.marker.setZIndexOffset(this.restingZIndex(previous));
      this.applyFilter(previous, items.get(previous.id));
    }
    const entry = this.entries.get(id);
    if (!entry) return;
    this.applyFilter(entry, items.get(id));
    entry.element.classList.add("is-selected");
    entry.row.classList.add("is-selected");
    entry.row.setAttribute("aria-current", "true");
    entry.marker.setZIndexOffset(this.look.selectedZIndex);
    if (scroll) entry.row.scrollIntoView({ block: "nearest" });
  }

  /** Where an item is, for the map to bring it into view. */
  latLngOf(id) {
    const position = positionOf(this.items().get(id));
    return position ? L.latLng(position) : null;
  }

  rowClicked(event) {
    const attribute = `data-${this.idKey.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    const row = event.target.closest(`[${attribute}]`);
    if (!row || !this.list.contains(row)) return;
    if (event.type === "keydown") event.preventDefault();
    this.onSelect(Number(row.dataset[this.idKey]), "list");
  }
}
