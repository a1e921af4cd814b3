/**
 * How the dashboard writes its figures: rates as %, intervals as m:ss, the
 * change from the previous period with its arrow and whether it is good.
 * Pure functions of their arguments (tests import them on their own).
 */

/** m:ss, h:mm:ss past an hour; "—" for no value. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "—";
  const total = Math.round(Math.abs(Number(seconds)));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** 0.9345 → "93.5%"; "—" for no value. */
export function percent(share, digits = 1) {
  if (share === null || share === undefined || !Number.isFinite(Number(share))) return "—";
  return `${(Number(share) * 100).toFixed(digits)}%`;
}

export function number(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return "—";
  return Number(value).toLocaleString("zh-CN", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

const RATES = new Set(["rate", "satisfaction"]);

/** The one number of a figure, as its kind reads (the card's `value`). */
export function formatValue(kind, value, fill = (key, v) => v) {
  if (value === null || value === undefined) return "—";
  if (RATES.has(kind)) return percent(value);
  if (kind === "interval") return duration(value);
  if (kind === "hours") return fill("hours", number(value, 1));
  if (kind === "ratio") return fill("per-hour", number(value, 2));
  return number(value);
}

/** The change from the previous period, without its arrow: points for rates. */
export function formatChange(kind, delta, fill = (key, v) => v) {
  const size = Math.abs(delta);
  if (RATES.has(kind)) return fill("points", (size * 100).toFixed(1));
  if (kind === "interval") return duration(size);
  if (kind === "hours" || kind === "ratio") return number(size, kind === "ratio" ? 2 : 1);
  return number(size);
}

/**
 * "up", "down" or "flat", and whether that is good ("good", "bad", "flat"):
 * a card carries `higher_is_better` (an arrival time is better shorter).
 */
export function trend(delta, higherIsBetter) {
  if (delta === null || delta === undefined || !Number.isFinite(Number(delta))) {
    return { direction: "none", verdict: "none" };
  }
  if (Math.abs(delta) < 1e-9) return { direction: "flat", verdict: "flat" };
  const direction = delta > 0 ? "up" : "down";
  const good = (delta > 0) === Boolean(higherIsBetter);
  return { direction, verdict: good ? "good" : "bad" };
}

export const ARROWS = { up: "↑", down: "↓", flat: "→", none: "" };

/** Today's date in Asia/Shanghai, YYYY-MM-DD (the days the server counts in). */
export function localToday(now = new Date()) {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** HH:MM:SS in Asia/Shanghai. */
export function localTime(now = new Date()) {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Shanghai",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(now);
}

/** "2026-12-01 14:05" of an ISO time with its offset, in Asia/Shanghai. */
export function localDateTime(iso) {
  if (!iso) return "—";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "—";
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(when);
  const part = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}`;
}

export function rangeLabel(from, to) {
  return from === to ? from : `${from} – ${to}`;
}
