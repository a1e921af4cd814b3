/**
 * A circle marker of the map's canvas that may instead be drawn as another
 * small shape: square, diamond, triangle, pentagon or hexagon. Thousands of
 * them (a district's sensors) cost one canvas, not one DOM element each;
 * hit-testing stays the circle's (its radius). Shapes are traced around the
 * marker's point with the marker's radius as their circumradius, scaled so
 * that each looks about as heavy as the circle.
 *
 * Needs the map's canvas renderer (`preferCanvas`); on SVG it stays a circle.
 */

const L = window.L;

// Corners (as fractions of a turn, 0 = up) and a size factor per shape.
const SHAPES = {
  square: { corners: [1 / 8, 3 / 8, 5 / 8, 7 / 8], scale: 1.05 },
  diamond: { corners: [0, 1 / 4, 2 / 4, 3 / 4], scale: 1.25 },
  triangle: { corners: [0, 1 / 3, 2 / 3], scale: 1.35, lift: 0.18 },
  pentagon: { corners: [0, 1 / 5, 2 / 5, 3 / 5, 4 / 5], scale: 1.12, lift: 0.06 },
  hexagon: { corners: [1 / 12, 3 / 12, 5 / 12, 7 / 12, 9 / 12, 11 / 12], scale: 1.08 },
};

export const SHAPE_NAMES = ["circle", ...Object.keys(SHAPES)];

/** Trace `shape` centred on (x, y) with circumradius `radius` (a path, not filled). */
export function traceShape(context, shape, x, y, radius) {
  const { corners, scale, lift = 0 } = SHAPES[shape];
  const r = radius * scale;
  // A triangle's centroid sits low: lift it so it reads as centred on the point.
  const cy = y + r * lift;
  corners.forEach((turn, index) => {
    const angle = turn * 2 * Math.PI;
    const px = x + r * Math.sin(angle);
    const py = cy - r * Math.cos(angle);
    if (index === 0) context.moveTo(px, py);
    else context.lineTo(px, py);
  });
  context.closePath();
}

export const ShapeMarker = L.CircleMarker.extend({
  options: { shape: "circle" },

  setShape(shape) {
    if (this.options.shape === shape) return this;
    this.options.shape = shape;
    return this.redraw();
  },

  // The canvas repaints only what a marker's bounds cover: a shape reaches past the circle.
  _updateBounds() {
    const reach = this._radius * (SHAPES[this.options.shape] ? 1.5 : 1) + this._clickTolerance();
    const spread = L.point(reach, reach);
    this._pxBounds = L.bounds(this._point.subtract(spread), this._point.add(spread));
  },

  _updatePath() {
    const renderer = this._renderer;
    const shape = this.options.shape;
    if (!SHAPES[shape] || !renderer?._ctx) {
      L.CircleMarker.prototype._updatePath.call(this);
      return;
    }
    if (!renderer._drawing || this._empty()) return;
    const context = renderer._ctx;
    context.beginPath();
    traceShape(context, shape, this._point.x, this._point.y, Math.max(this._radius, 1));
    renderer._fillStroke(context, this);
  },
});
