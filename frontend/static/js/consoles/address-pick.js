/**
 * The standard-address type-ahead of the intake form (一标三实).
 *
 * As the call-taker types the address (two characters or more), the
 * standard addresses of the area that match every part are offered below
 * the field (GET /api/v1/addresses/?q=); ↓/↑ move, Enter or a click takes
 * one: the field gets its full text and the point its coordinates (the map
 * and the caller's history follow), Esc closes the list. Without a pick the
 * typed text stays free text, as before. Listeners are delegated to the
 * document, since htmx swaps the form after each call.
 */

const DEBOUNCE_MS = 150;
const MIN_CHARS = 2;

let timer = null;
let request = null;
let options = [];
let active = -1;

function field(name) {
  return document.getElementById(`id_${name}`);
}

function list() {
  let element = document.getElementById("address-options");
  const input = field("address");
  if (!element && input) {
    element = document.createElement("ul");
    element.id = "address-options";
    element.className = "address-options";
    element.setAttribute("role", "listbox");
    element.hidden = true;
    // An input with a list of suggestions is a combobox (WAI-ARIA 1.2), which is what
    // allows aria-expanded and aria-activedescendant on it.
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", element.id);
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.insertAdjacentElement("afterend", element);
  }
  return element;
}

function close() {
  const element = list();
  if (element) element.hidden = true;
  options = [];
  active = -1;
  field("address")?.setAttribute("aria-expanded", "false");
}

function show(found) {
  const element = list();
  if (!element) return;
  options = found;
  active = found.length ? 0 : -1;
  element.replaceChildren(
    ...found.map((address, index) => {
      const item = document.createElement("li");
      item.id = `address-option-${index}`;
      item.setAttribute("role", "option");
      item.dataset.index = String(index);
      const name = document.createElement("span");
      name.className = "address-option-name";
      name.textContent = address.full_name;
      const where = document.createElement("span");
      where.className = "address-option-where";
      where.textContent = [address.element_display, address.station_name].filter(Boolean).join(" · ");
      item.append(name, where);
      return item;
    }),
  );
  element.hidden = !found.length;
  field("address")?.setAttribute("aria-expanded", String(Boolean(found.length)));
  highlight();
}

function highlight() {
  const element = list();
  if (!element) return;
  [...element.children].forEach((item, index) => item.setAttribute("aria-selected", String(index === active)));
  const input = field("address");
  if (active >= 0) input?.setAttribute("aria-activedescendant", `address-option-${active}`);
  else input?.removeAttribute("aria-activedescendant");
}

function pick(index) {
  const address = options[index];
  const input = field("address");
  if (!address || !input) return;
  input.value = address.full_name;
  field("lat").value = address.lat.toFixed(6);
  field("lng").value = address.lng.toFixed(6);
  close();
  // The map's marker and the caller's history follow the fields.
  field("lat").dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dataset.picked = address.full_name;
}

async function lookup(text, url) {
  request?.abort();
  request = new AbortController();
  try {
    const answer = await fetch(`${url}?q=${encodeURIComponent(text)}`, {
      headers: { Accept: "application/json" },
      signal: request.signal,
    });
    if (!answer.ok) return close();
    const found = (await answer.json()).results ?? [];
    if (field("address")?.value.trim() === text) show(found);
  } catch (error) {
    if (error.name !== "AbortError") close();
  }
}

export function watchAddressField(url) {
  if (!url) return;
  document.addEventListener("input", (event) => {
    if (event.target.id !== "id_address") return;
    const text = event.target.value.trim();
    if (event.target.dataset.picked === event.target.value) return;
    clearTimeout(timer);
    if (text.length < MIN_CHARS) return close();
    timer = setTimeout(() => lookup(text, url), DEBOUNCE_MS);
  });
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.target.id !== "id_address" || !options.length || list()?.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
        highlight();
      } else if (event.key === "Enter" && !event.isComposing && active >= 0) {
        // Takes the address; it never sends the call.
        event.preventDefault();
        event.stopImmediatePropagation();
        pick(active);
      } else if (event.key === "Escape") {
        close();
      }
    },
    true,
  );
  document.addEventListener("mousedown", (event) => {
    const item = event.target.closest?.("#address-options [role=option]");
    if (item) {
      event.preventDefault();
      pick(Number(item.dataset.index));
    } else if (event.target.id !== "id_address") {
      close();
    }
  });
}
