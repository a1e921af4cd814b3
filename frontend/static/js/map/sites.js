/**
 * Smart-secure sites (智安小区/校园/医院…) on the one map: a site with a
 * boundary is its polygon, one without is a hexagon at its point; both are
 * coloured by the site's 智安 grade (one hue, darker for a higher grade).
 * A site with a pending alarm is outlined in red until the alarm is handled.
 * From LABEL_ZOOM on, the sites in view are named on the map.
 *
 * Each site's shape carries its id (`siteId`), a tooltip with its name, and
 * calls `onSelect(id)` when clicked.
 */

import { positionOf } from "./marker-list.js";
import { ShapeMarker } from "./shape-marker.js";

const L = window.L;

// --site-grade-* in live-map.css (the legend): canvas shapes cannot read CSS.
export const GRADE_COLOURS = {
  1: { fill: "#a7ede2", line: "#2c7a70" },
  2: { fill: "#3fbfae", line: "#1d5f57" },
  3: { fill: "#17776b", line: "#0b3b35" },
};
const ALERT_LINE = "#dc2626";
export const LABEL_ZOOM = 15;
// Labels are DOM: at most this many at once (the sites nearest the centre of the view).
const LABELS_SHOWN = 80;

const STYLE = {
  polygon: { weight: 1.25, opacity: 1, fillOpacity: 0.78 },
  point: { radius: 7, weight: 1.5, opacity: 1, fillOpacity: 1 },
  selected: { color: "#0f172a", weight: 3 },
};

function gradeColours(site) {
  return GRADE_COLOURS[site.grade] ?? GRADE_COLOURS[1];
}

/** A GeoJSON Polygon's rings as Leaflet's [lat, lng] rings, or null. */
function ringsOf(boundary) {
  const rings = boundary?.type === "Polygon" ? boundary.coordinates : null;
  if (!Array.isArray(rings) || !rings.length) return null;
  return rings.map((ring) => ring.map(([lng, lat]) => [lat, lng]));
}

export class SitesView {
  /**
   * @param {object} options
   * @param {L.Map} options.map
   * @param {import("./community-store.js").CommunityStore} options.store
   * @param {(id: number) => void} options.onSelect
   */
  constructor({ map, store, onSelect }) {
    this.map = map;
    this.store = store;
    this.onSelect = onSelect;
    this.shapes = new Map(); // site id -> polygon or marker
    this.labels = L.layerGroup();
    this.layer = L.featureGroup([this.labels]);
    this.selected = null;
    map.on("moveend", () => this.label());
  }

  sync(changes) {
    if (changes.all) {
      for (const shape of this.shapes.values()) this.layer.removeLayer(shape);
      this.shapes.clear();
      for (const site of this.store.sites.values()) this.draw(site);
      this.label();
      return;
    }
    // Sites do not move or change grade live; a pending alarm outlines them.
    for (const id of changes.sites) {
      const shape = this.shapes.get(id);
      if (shape) this.paint(shape, this.store.sites.get(id));
    }
  }

  draw(site) {
    const rings = ringsOf(site.boundary);
    const position = positionOf(site);
    if (!rings && !position) return;
    const options = { bubblingMouseEvents: false, ...(rings ? STYLE.polygon : STYLE.point) };
    const shape = rings ? L.polygon(rings, options) : new ShapeMarker(position, { ...options, shape: "hexagon" });
    shape.siteId = site.id;
    const label = document.createElement("span");
    label.textContent = site.name ?? site.code ?? "";
    shape.bindTooltip(label, { sticky: Boolean(rings), direction: "top" });
    // Named on the map when zoomed in: no second name under the pointer then.
    shape.on("tooltipopen", ({ tooltip }) => {
      if (this.map.getZoom() >= LABEL_ZOOM) tooltip.setOpacity(0);
      else tooltip.setOpacity(0.9);
    });
    shape.on("click", () => this.onSelect(site.id));
    this.shapes.set(site.id, shape);
    this.paint(shape, site);
    this.layer.addLayer(shape);
  }

  paint(shape, site) {
    if (!site) return;
    const colours = gradeColours(site);
    const alerting = this.store.siteCounts(site.id).pending > 0;
    const style = { color: alerting ? ALERT_LINE : colours.line, fillColor: colours.fill };
    style.weight = (shape instanceof ShapeMarker ? STYLE.point : STYLE.polygon).weight;
    if (alerting) style.weight += 1;
    if (this.selected === site.id) Object.assign(style, STYLE.selected);
    shape.setStyle(style);
  }

  setSelected(id) {
    const previous = this.selected;
    this.selected = id;
    for (const siteId of [previous, id]) {
      const shape = this.shapes.get(siteId);
      if (shape) this.paint(shape, this.store.sites.get(siteId));
    }
  }

  /** Where a site is, for the map to bring it into view. */
  boundsOf(id) {
    const shape = this.shapes.get(id);
    if (!shape) return null;
    return shape.getBounds ? shape.getBounds() : L.latLngBounds([shape.getLatLng()]);
  }

  /** Name the sites in view when zoomed in (labels never take a click: Leaflet's tooltips). */
  label() {
    this.labels.clearLayers();
    if (this.map.getZoom() < LABEL_ZOOM) return;
    const centre = this.map.getCenter();
    const distance = (id) => centre.distanceTo(this.labelPoint(id));
    const ids = this.sitesWithin(this.map.getBounds())
      .sort((a, b) => distance(a) - distance(b))
      .slice(0, LABELS_SHOWN);
    for (const id of ids) {
      const site = this.store.sites.get(id);
      const content = document.createElement("span");
      content.textContent = site?.name ?? "";
      const point = this.shapes.get(id) instanceof ShapeMarker;
      this.labels.addLayer(L.tooltip({
        permanent: true,
        direction: point ? "bottom" : "center",
        offset: point ? [0, 6] : [0, 0],
        className: "site-label",
      }).setLatLng(this.labelPoint(id)).setContent(content));
    }
  }

  labelPoint(id) {
    const shape = this.shapes.get(id);
    return shape.getBounds ? shape.getBounds().getCenter() : shape.getLatLng();
  }

  /** Ids of the sites on screen (within `bounds`). */
  sitesWithin(bounds) {
    const ids = [];
    for (const [id, shape] of this.shapes) {
      const there = shape.getBounds ? bounds.intersects(shape.getBounds()) : bounds.contains(shape.getLatLng());
      if (there) ids.push(id);
    }
    return ids;
  }
}
