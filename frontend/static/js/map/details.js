/**
 * The details panel for a job or a unit of the live map.
 *
 * A job shows its number, category, priority, status, address, clocks and
 * routing reason, the units on it, and — while it can take units — the free
 * units recommended for it, ringed and numbered on the map and joined to it
 * by a dashed line, each with a one-click Dispatch button. A refused
 * dispatch shows the server's message under the unit. A unit shows its
 * status, type, team, home and its current job.
 *
 * The panel is redrawn from the store when what it shows changes; the
 * recommendations are fetched again when the job or any unit's status
 * changes (a unit sent elsewhere is no longer free).
 */

import { fetchJson, postJson } from "../shared/api.js";
import { formatDuration, formatTime, secondsSince } from "../shared/clock.js";
import { BUSY_UNIT_STATUSES, DISPATCHABLE } from "../shared/vocabulary.js";
import { urgencyOf } from "./incidents.js";
import { fillFields, takePanel } from "./panel.js";
import { text, word } from "./words.js";

const L = window.L;

const RECOMMENDATIONS_SHOWN = 6;
const REFETCH_DELAY_MS = 600;
// --recommended and --unit-dispatched in live-map.css: canvas lines cannot read CSS.
const RECOMMENDED_COLOUR = "#0891b2";
const JOB_LINE_COLOUR = "#c026d3";

function clone(id) {
  return document.getElementById(id)?.content.cloneNode(true) ?? document.createDocumentFragment();
}

/** A clock time with the time since the call: "10:31:05 (+0:42)". */
function stamp(iso, receivedAt) {
  if (!iso) return "";
  const after = secondsSince(receivedAt, Date.parse(iso));
  return Number.isFinite(after) && after > 0
    ? `${formatTime(iso)} (+${formatDuration(after)})`
    : formatTime(iso);
}

function formatDistance(metres) {
  if (!Number.isFinite(metres)) return "";
  return metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(1)} km`;
}

export class Details {
  constructor({ map, store, incidents, units, urls, mayDispatch, teamName, homeName, selectIncident, selectUnit }) {
    this.map = map;
    this.store = store;
    this.incidentsView = incidents;
    this.unitsView = units;
    this.urls = urls;
    this.mayDispatch = mayDispatch;
    this.teamName = teamName;
    this.homeName = homeName;
    this.selectIncident = selectIncident;
    this.selectUnit = selectUnit;
    this.overlay = L.layerGroup().addTo(map);
    this.shown = null; // { kind: "incident"|"unit", id, ...state }
    this.refetchTimer = null;
  }

  // --- Showing ------------------------------------------------------------------

  showIncident(id) {
    const body = takePanel(`incident:${id}`, () => this.release());
    this.shown = {
      kind: "incident",
      id,
      body,
      last: this.store.incidents.get(id) ?? null,
      recommendations: null,
      recommendationsError: "",
      sending: new Set(),
      sent: new Set(),
      errors: new Map(), // unit id -> message
      request: 0,
    };
    this.renderIncident();
    this.fetchRecommendations();
  }

  showUnit(id) {
    const body = takePanel(`unit:${id}`, () => this.release());
    this.shown = { kind: "unit", id, body };
    this.renderUnit();
  }

  release() {
    clearTimeout(this.refetchTimer);
    this.overlay.clearLayers();
    this.unitsView.setRecommended(new Map());
    this.incidentsView.setSelected(null);
    this.unitsView.setSelected(null);
    this.shown = null;
  }

  /** Redraw when the store changed what the panel shows. */
  update(changes) {
    const shown = this.shown;
    if (!shown) return;
    if (shown.kind === "unit") {
      const job = this.store.unitJob.get(shown.id);
      if (changes.all || changes.units.has(shown.id) || changes.incidents.has(job) || changes.removed.size) {
        this.renderUnit();
      }
      return;
    }
    const incident = this.store.incidents.get(shown.id);
    const removed = changes.removed.get(shown.id);
    const statusBefore = shown.last?.status;
    if (incident) shown.last = incident;
    else if (removed) shown.last = removed;
    const statusesChanged = changes.all || changes.statuses.size > 0;
    const unitsOnJobChanged = [...changes.units].some((unit) => this.store.unitJob.get(unit) === shown.id);
    if (changes.all || changes.incidents.has(shown.id) || removed || statusesChanged || unitsOnJobChanged) {
      this.renderIncident();
    }
    const statusChanged = shown.last?.status !== statusBefore;
    if (statusChanged || statusesChanged) this.scheduleRecommendations();
  }

  tick() {
    const shown = this.shown;
    if (shown?.kind !== "incident") return;
    const incident = this.store.incidents.get(shown.id);
    const timer = shown.body?.querySelector('[data-part="timer"]');
    if (!timer || !incident) return;
    timer.textContent = formatDuration(secondsSince(incident.received_at));
    const urgency = urgencyOf(incident);
    timer.classList.toggle("is-amber", urgency === "amber");
    timer.classList.toggle("is-risk", urgency === "risk");
    timer.classList.toggle("is-red", urgency === "red");
  }

  // --- A job --------------------------------------------------------------------

  /**
   * 下达指令 about the job: for those who may issue orders, a button that
   * reads the issue form (consoles/orders.py map_order) into the panel;
   * htmx posts it and swaps the answer in place.
   */
  offerOrder(parts, id) {
    const section = parts["order-section"];
    const open = parts["order-open"];
    const htmx = window.htmx;
    if (!this.urls.orderForm || !htmx) {
      section?.remove();
      return;
    }
    open.addEventListener("click", () => {
      open.hidden = true;
      const url = this.urls.orderForm.replace(/\/0\/order\/$/, `/${id}/order/`);
      htmx.ajax("GET", url, { target: parts.order, swap: "innerHTML" })
        .then(() => parts.order.querySelector("select")?.focus());
    });
  }

  /**
   * Draw the job into the panel, updating in place what is already there: a
   * button under the pointer must survive the redraws that a busy stream
   * causes, or the click on it is lost.
   */
  renderIncident() {
    const shown = this.shown;
    const incident = shown.last;
    if (!incident) return;
    if (!shown.parts) {
      const fragment = clone("info-incident");
      shown.parts = Object.fromEntries(
        [...fragment.querySelectorAll("[data-part]")].map((element) => [element.dataset.part, element]),
      );
      shown.recommendationRows = new Map(); // unit id -> row
      const link = shown.parts["console-link"];
      if (link && this.urls.jobPage) link.href = this.urls.jobPage.replace(/\/0\/$/, `/${incident.id}/`);
      else link?.closest("p")?.remove();
      this.offerOrder(shown.parts, incident.id);
      shown.body.replaceChildren(fragment);
    }
    const { parts } = shown;
    const open = this.store.incidents.has(shown.id);
    fillFields(shown.body, {
      number: incident.number,
      category_name: incident.category_name || incident.category,
      priority_label: word("priority", incident.priority),
      status_label: word("incident-status", incident.status),
      address: incident.address,
      station_name: incident.station_name,
      post_name: incident.post_name,
      street_name: incident.street_name,
      governance_center_name: incident.governance_center_name,
      received: formatTime(incident.received_at),
      dispatched: stamp(incident.dispatched_at, incident.received_at),
      on_scene: stamp(incident.on_scene_at, incident.received_at),
      diverted: stamp(incident.diverted_at, incident.received_at),
      routing_reason: incident.routing_reason,
      call_count: incident.call_count > 1 ? incident.call_count : "",
      description: incident.description,
    });
    parts.priority.textContent = incident.priority ?? "";
    parts.priority.dataset.priority = incident.priority ?? "";
    parts.status.textContent = word("incident-status", incident.status);
    parts.status.dataset.status = incident.status;
    parts.closed.hidden = open;
    parts.timer.hidden = !open;

    const hasUnits = this.renderUnitsOnJob(parts.units, incident);
    const canTake = open && DISPATCHABLE.has(incident.status) && this.mayDispatch(incident);
    const recommendations = parts["recommendations-section"];
    const onJob = parts["units-section"];
    recommendations.hidden = !canTake;
    // Units already out come first; the free ones are then reinforcements.
    parts["first-units-heading"].hidden = hasUnits;
    parts["more-units-heading"].hidden = !hasUnits;
    if (hasUnits && onJob.nextElementSibling !== recommendations) onJob.after(recommendations);
    if (!hasUnits && recommendations.nextElementSibling !== onJob) recommendations.after(onJob);
    if (canTake) this.renderRecommendations();
    this.tick();
    this.drawOverlay(canTake);
  }

  renderUnitsOnJob(list, incident) {
    const units = this.store.unitsOn(incident.id).sort((a, b) => a.call_sign.localeCompare(b.call_sign));
    list.closest("section").hidden = units.length === 0;
    const signature = units.map((unit) => `${unit.id}:${unit.status}`).join(",");
    if (list.dataset.signature === signature) return units.length > 0;
    list.dataset.signature = signature;
    list.replaceChildren(...units.map((unit) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip-button";
      button.dataset.unitId = String(unit.id);
      const glyph = document.createElement("span");
      glyph.className = "unit-glyph";
      glyph.dataset.status = unit.status;
      glyph.textContent = word("glyph", unit.unit_type, "?");
      const label = document.createElement("span");
      label.textContent = unit.call_sign;
      const state = document.createElement("span");
      state.className = "live-badge";
      state.dataset.unitStatus = unit.status;
      state.textContent = word("unit-status", unit.status);
      button.append(glyph, label, state);
      button.addEventListener("click", () => this.selectUnit(unit.id, "panel"));
      item.append(button);
      return item;
    }));
    return units.length > 0;
  }

  renderRecommendations() {
    const shown = this.shown;
    const { parts } = shown;
    const rows = shown.recommendations;
    const message = parts["recommendations-message"];
    if (shown.recommendationsError) message.textContent = shown.recommendationsError;
    else if (rows === null) message.textContent = text.textLoading || "…";
    else if (rows.length === 0) message.textContent = text.textNoFreeUnits || "";
    else message.textContent = "";
    message.hidden = !message.textContent;
    message.classList.toggle("is-error", Boolean(shown.recommendationsError));

    const listed = new Set((rows ?? []).map((row) => row.unit));
    // A refusal for a unit no longer listed is still shown, above the list.
    parts["recommendations-alerts"].replaceChildren(
      ...[...shown.errors].filter(([unitId]) => !listed.has(unitId)).map(([, error]) => {
        const item = document.createElement("li");
        item.className = "rec-error";
        item.setAttribute("role", "alert");
        item.textContent = error;
        return item;
      }),
    );

    const list = parts.recommendations;
    for (const [unitId, row] of shown.recommendationRows) {
      if (!listed.has(unitId)) {
        row.remove();
        shown.recommendationRows.delete(unitId);
      }
    }
    let previous = null;
    (rows ?? []).forEach((recommendation, index) => {
      const row = this.recommendationRow(recommendation, index + 1);
      // Rows are moved only when out of place (a moved button loses its click).
      const expected = previous ? previous.nextElementSibling : list.firstElementChild;
      if (expected !== row) {
        if (previous) previous.after(row);
        else list.prepend(row);
      }
      previous = row;
    });
  }

  recommendationRow(recommendation, rank) {
    const shown = this.shown;
    const unitId = recommendation.unit;
    let row = shown.recommendationRows.get(unitId);
    if (!row) {
      row = clone("recommendation-row").firstElementChild;
      row.dataset.unitId = String(unitId);
      const button = row.querySelector('[data-action="dispatch"]');
      button.dataset.label = button.textContent;
      button.addEventListener("click", () => this.dispatch(unitId));
      shown.recommendationRows.set(unitId, row);
    }
    const slot = (name) => row.querySelector(`[data-slot="${name}"]`);
    const status = this.store.units.get(unitId)?.status ?? "available";
    slot("rank").textContent = rank;
    const glyph = slot("glyph");
    glyph.textContent = word("glyph", recommendation.unit_type, "?");
    glyph.dataset.status = status;
    const type = word("unit-type", recommendation.unit_type);
    glyph.title = type;
    slot("call_sign").textContent = recommendation.call_sign;
    // The covering post or station says more than the type, which the glyph shows.
    slot("type").textContent = recommendation.covering ? "" : type;
    slot("eta").textContent = formatDuration(recommendation.eta_seconds);
    slot("distance").textContent = formatDistance(recommendation.distance_m);
    const covering = slot("covering");
    covering.textContent = recommendation.covering ? word("covering", recommendation.covering) : "";
    covering.hidden = !recommendation.covering;
    const button = row.querySelector('[data-action="dispatch"]');
    const sending = shown.sending.has(unitId);
    const sent = shown.sent.has(unitId);
    const busy = status !== "available";
    if (sending) button.textContent = text.textSending || "…";
    else if (sent) button.textContent = text.textSent || "✓";
    else if (busy) button.textContent = word("unit-status", status);
    else button.textContent = button.dataset.label;
    button.disabled = sending || sent || busy;
    row.classList.toggle("is-busy", busy);
    const error = slot("error");
    const message = shown.errors.get(unitId);
    error.hidden = !message;
    error.textContent = message ?? "";
    return row;
  }

  drawOverlay(showRecommendations) {
    this.overlay.clearLayers();
    const shown = this.shown;
    const incident = shown.last;
    const ranks = new Map();
    const rows = showRecommendations ? shown.recommendations ?? [] : [];
    const from = [Number(incident.lat), Number(incident.lng)];
    rows.forEach((recommendation, index) => {
      if (index >= RECOMMENDATIONS_SHOWN) return;
      ranks.set(recommendation.unit, index + 1);
      const to = [Number(recommendation.lat), Number(recommendation.lng)];
      if (!to.every(Number.isFinite) || !from.every(Number.isFinite)) return;
      this.overlay.addLayer(L.polyline([from, to], {
        color: RECOMMENDED_COLOUR, weight: 2, opacity: 0.85, dashArray: "5 4", interactive: false,
      }));
      // A unit this console does not list still gets a ring where it is.
      if (!this.store.units.has(recommendation.unit)) {
        this.overlay.addLayer(L.circleMarker(to, {
          radius: 10, color: RECOMMENDED_COLOUR, weight: 3, fill: false, interactive: false,
        }));
      }
    });
    this.unitsView.setRecommended(ranks);
  }

  scheduleRecommendations(delay = REFETCH_DELAY_MS) {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => this.fetchRecommendations(), delay);
  }

  async fetchRecommendations() {
    const shown = this.shown;
    if (shown?.kind !== "incident") return;
    const incident = this.store.incidents.get(shown.id);
    if (!incident || !DISPATCHABLE.has(incident.status) || !this.mayDispatch(incident)) {
      shown.recommendations = [];
      this.drawOverlay(false);
      return;
    }
    const request = ++shown.request;
    let rows;
    let error = "";
    try {
      rows = await fetchJson(`${this.urls.incidents}${shown.id}/recommendations/?limit=${RECOMMENDATIONS_SHOWN}`);
    } catch (failure) {
      error = failure.message;
    }
    if (this.shown !== shown || request !== shown.request) return; // something newer is shown
    shown.recommendationsError = error;
    if (!error) {
      shown.recommendations = Array.isArray(rows) ? rows : [];
      // "Sent" has done its job once the unit has left the free list.
      const listed = new Set(shown.recommendations.map((row) => row.unit));
      for (const unit of [...shown.sent]) if (!listed.has(unit)) shown.sent.delete(unit);
    }
    this.renderIncident();
  }

  async dispatch(unitId) {
    const shown = this.shown;
    if (shown?.kind !== "incident" || shown.sending.has(unitId)) return;
    shown.sending.add(unitId);
    shown.errors.delete(unitId);
    this.renderIncident();
    try {
      await postJson(`${this.urls.incidents}${shown.id}/dispatch/`, { units: [unitId] });
      shown.sent.add(unitId);
    } catch (failure) {
      shown.errors.set(unitId, failure.message);
    } finally {
      shown.sending.delete(unitId);
    }
    if (this.shown !== shown) return;
    this.renderIncident();
    this.scheduleRecommendations(0);
  }

  // --- A unit -------------------------------------------------------------------

  renderUnit() {
    const shown = this.shown;
    const unit = this.store.units.get(shown.id);
    if (!unit) return;
    if (!shown.parts) {
      const fragment = clone("info-unit");
      shown.parts = Object.fromEntries(
        [...fragment.querySelectorAll("[data-part]")].map((element) => [element.dataset.part, element]),
      );
      shown.body.replaceChildren(fragment);
    }
    const { parts } = shown;
    const job = this.store.jobOf(unit.id);
    const busy = BUSY_UNIT_STATUSES.has(unit.status);
    fillFields(shown.body, {
      call_sign: unit.call_sign,
      name: unit.name,
      status_label: word("unit-status", unit.status, unit.status_display),
      type_label: word("unit-type", unit.unit_type, unit.unit_type_display),
      team: this.teamName(unit.team),
      home: this.homeName(unit),
      position_at: formatTime(unit.position_at),
    });
    parts.glyph.textContent = word("glyph", unit.unit_type, "?");
    parts.glyph.dataset.status = unit.status;
    parts.status.textContent = word("unit-status", unit.status, unit.status_display);
    parts.status.dataset.unitStatus = unit.status;
    this.renderCurrentJob(parts.job, job, busy);
    this.overlay.clearLayers();
    if (job) {
      const from = [Number(unit.lat), Number(unit.lng)];
      const to = [Number(job.lat), Number(job.lng)];
      if ([...from, ...to].every(Number.isFinite)) {
        this.overlay.addLayer(L.polyline([from, to], {
          color: JOB_LINE_COLOUR, weight: 2, opacity: 0.85, dashArray: "6 4", interactive: false,
        }));
      }
    }
  }

  /** The unit's job as a button that opens it (redrawn only when it changed). */
  renderCurrentJob(slot, job, busy) {
    slot.closest(".info-fields > div").hidden = !job && !busy;
    const signature = job ? `${job.id}:${job.status}:${job.priority}:${job.category_name}` : `none:${busy}`;
    if (slot.dataset.signature === signature) return;
    slot.dataset.signature = signature;
    if (!job) {
      slot.textContent = busy ? text.textJobNotShown || "—" : "";
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip-button";
    button.dataset.incidentId = String(job.id);
    const priority = document.createElement("span");
    priority.className = "live-prio";
    priority.dataset.priority = job.priority;
    priority.textContent = job.priority;
    const label = document.createElement("span");
    label.textContent = [job.number, job.category_name || job.category].filter(Boolean).join(" · ");
    const state = document.createElement("span");
    state.className = "live-badge";
    state.dataset.status = job.status;
    state.textContent = word("incident-status", job.status);
    button.append(priority, label, state);
    button.addEventListener("click", () => this.selectIncident(job.id, "panel"));
    slot.replaceChildren(button);
  }
}
