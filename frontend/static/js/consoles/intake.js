/**
 * The intake form of the dispatcher console, keyboard first.
 *
 * Enter records the call from any field (Shift+Enter is a new line in the
 * description); the category shows its kind and default priority as it is
 * picked; clicking the map fills latitude and longitude, and typed
 * coordinates move the marker; the address offers the standard addresses
 * that match it (address-pick.js). htmx swaps the whole form after each call, so
 * listeners are delegated to the document and the map lives outside the form.
 */

import { watchAddressField } from "./address-pick.js";
import { createPickMap } from "./pick-map.js";

const desk = document.querySelector(".desk-dispatch");
const text = desk?.dataset ?? {};
const DECIMALS = 6;

function field(name) {
  return document.getElementById(`id_${name}`);
}

function words(option) {
  return (option.dataset.synonyms ?? "").toLowerCase().split(/[\s,，、;；]+/).filter(Boolean);
}

/**
 * The categories the typed text names, as the server reads it
 * (incidents/categories.py): an exact name or code wins alone, then an exact
 * synonym (电瓶车 → 电动车被盗); otherwise every name or synonym containing it.
 */
function categoryOptions(value) {
  const typed = value.trim().toLowerCase();
  if (!typed) return [];
  const options = [...document.querySelectorAll("#category-options option")];
  const named = options.filter((option) => option.value.toLowerCase() === typed || option.dataset.code === typed);
  if (named.length) return named;
  const synonym = options.filter((option) => words(option).includes(typed));
  if (synonym.length) return synonym;
  return options.filter(
    (option) =>
      option.value.toLowerCase().includes(typed) ||
      option.dataset.code.startsWith(typed) ||
      words(option).some((word) => word.includes(typed)),
  );
}

/** The one category the typed text names, or null. */
function categoryOption(value) {
  const fitting = categoryOptions(value);
  return fitting.length === 1 ? fitting[0] : null;
}

function showCategory() {
  const input = field("category");
  const hint = document.getElementById("id_category-hint");
  if (!input || !hint) return;
  hint.dataset.original ??= hint.textContent;
  const option = categoryOption(input.value);
  const priority = field("priority");
  const fromCategory = priority?.querySelector('option[value=""]');
  if (fromCategory) fromCategory.dataset.original ??= fromCategory.textContent;
  if (option) {
    hint.textContent =
      option.dataset.kind === "invalid"
        ? `${option.value} · ${option.dataset.kindLabel}`
        : `${option.value} · ${option.dataset.kindLabel} · ${text.textDefaultPriority || "default priority"} ${option.dataset.priorityLabel}`;
    hint.className = `field-hint kind-${option.dataset.kind}`;
    if (fromCategory) fromCategory.textContent = `${fromCategory.dataset.original} (${option.dataset.priority})`;
  } else {
    hint.textContent = hint.dataset.original;
    hint.className = "field-hint";
    if (fromCategory) fromCategory.textContent = fromCategory.dataset.original;
  }
}

function readPoint() {
  const lat = Number.parseFloat(field("lat")?.value ?? "");
  const lng = Number.parseFloat(field("lng")?.value ?? "");
  return { lat, lng };
}

function status(message, isError = false) {
  const element = document.getElementById("pick-map-status");
  if (!element) return;
  element.textContent = message;
  element.classList.toggle("is-error", isError);
}

function describeZone(zone) {
  if (!zone) return "";
  return [zone.name, zone.post_name || zone.station_name, zone.street_name].filter(Boolean).join(" · ");
}

let pickMap = null;

function startMap() {
  const container = document.getElementById("pick-map");
  const configElement = document.getElementById("pick-map-config");
  if (!container || !configElement || !window.L) return;
  pickMap = createPickMap(container, JSON.parse(configElement.textContent), {
    onPick: ({ lat, lng, zone }) => {
      field("lat").value = lat.toFixed(DECIMALS);
      field("lng").value = lng.toFixed(DECIMALS);
      const where = describeZone(zone);
      status(`${lat.toFixed(5)}, ${lng.toFixed(5)}${where ? ` · ${where}` : ""}`);
    },
    onError: () => status(text.textMapError || "map error", true),
  });
  followTypedPoint();
}

function followTypedPoint() {
  if (!pickMap) return;
  const { lat, lng } = readPoint();
  if (Number.isFinite(lat) && Number.isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
    pickMap.setPoint(lat, lng);
  } else {
    pickMap.clear();
    status(text.textMapHint || "");
  }
}

document.addEventListener("input", (event) => {
  if (event.target.id === "id_category") showCategory();
  if (event.target.id === "id_lat" || event.target.id === "id_lng") followTypedPoint();
});

document.addEventListener("change", (event) => {
  // Leaving the field with a part that fits one category writes it out in full.
  if (event.target.id !== "id_category") return;
  const option = categoryOption(event.target.value);
  if (option && event.target.value !== option.value) {
    event.target.value = option.value;
    showCategory();
  }
});

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  if (target.id === "id_category") {
    // Enter in the category takes the suggestion and moves on; it never
    // sends a half-typed call. The form is sent from any later field.
    event.preventDefault();
    const fitting = categoryOptions(target.value);
    if (fitting.length === 1) {
      target.value = fitting[0].value;
      showCategory();
      field("caller_phone")?.focus();
    } else {
      const hint = document.getElementById("id_category-hint");
      if (hint) {
        hint.textContent = fitting.length
          ? `${text.textSeveralCategories || "Several fit:"} ${fitting.map((option) => option.value).join("、")}`
          : text.textUnknownCategory || "No category fits.";
        hint.className = "field-hint is-error";
      }
    }
    return;
  }
  if (target.id === "id_description") {
    event.preventDefault();
    target.form?.requestSubmit();
  }
});

document.addEventListener("reset", (event) => {
  if (event.target.id !== "intake-form") return;
  setTimeout(() => {
    showCategory();
    followTypedPoint();
    field("category")?.focus();
  });
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.elt?.id !== "intake" && event.detail.target?.id !== "intake") return;
  showCategory();
  followTypedPoint();
  // After an error, the first wrong field; after a call, the next call.
  const wrong = document.querySelector("#intake-form .has-error input, #intake-form .has-error select, #intake-form .has-error textarea");
  (wrong ?? field("category"))?.focus();
});

showCategory();
startMap();
watchAddressField(text.addressUrl);
