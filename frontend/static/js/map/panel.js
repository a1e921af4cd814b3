/**
 * The details panel beside the map and the one selection it shows.
 *
 * Whatever is selected — a zone, a station, a job, a unit — owns the panel
 * until something else is selected or the selection is cleared; its
 * `release` callback then takes its highlight off the map. With nothing
 * selected the panel shows the default content (the district overview).
 *
 * Fragments come from <template id="info-KIND"> elements: every
 * `[data-field]` slot is filled with text and a row without a value hidden.
 */

let current = null; // { key, release }
let defaultContent = () => null;

function body() {
  return document.getElementById("info-body");
}

/** Clone <template id="info-KIND"> and fill its `[data-field]` slots from `values`. */
export function fillTemplate(kind, values) {
  const template = document.getElementById(`info-${kind}`);
  if (!template) return null;
  const fragment = template.content.cloneNode(true);
  fillFields(fragment, values);
  return fragment;
}

export function fillFields(root, values) {
  for (const slot of root.querySelectorAll("[data-field]")) {
    const value = values[slot.dataset.field];
    const empty = value === null || value === undefined || value === "";
    slot.textContent = empty ? "" : String(value);
    // A row with no value is hidden, not shown as a blank.
    const row = slot.closest(".info-fields > div") ?? slot;
    row.hidden = empty;
  }
}

/** What the panel shows when nothing is selected. */
export function setDefaultContent(make) {
  defaultContent = make;
  if (!current) showDefault();
}

function showDefault() {
  const fragment = defaultContent();
  if (fragment) body()?.replaceChildren(fragment);
}

/** Refresh the default content if it is what the panel shows. */
export function refreshDefault() {
  if (!current) showDefault();
}

/**
 * Give the panel to `key` (e.g. "incident:12"); `release` is called when it
 * loses it. Returns the panel's body element for the caller to fill.
 */
export function takePanel(key, release = () => {}) {
  if (current && current.key !== key) current.release();
  current = { key, release };
  return body();
}

export function selectedKey() {
  return current?.key ?? null;
}

/** Clear the selection (if `key` is given, only if it is still the selected one). */
export function clearSelection(key) {
  if (!current || (key && current.key !== key)) return;
  const { release } = current;
  current = null;
  release();
  showDefault();
}
