/**
 * Time on every page: the server's clock (the workstation's may be off; the
 * page's <meta name="server-time"> gives the offset), running durations as
 * m:ss (h:mm:ss past an hour), and clock times shown in the command center's
 * time zone (<meta name="time-zone">, else the workstation's).
 */

const serverTime = Date.parse(document.querySelector('meta[name="server-time"]')?.content ?? "");
const skew = Number.isFinite(serverTime) ? serverTime - Date.now() : 0;
const timeZone = document.querySelector('meta[name="time-zone"]')?.content || undefined;
const language = document.documentElement.lang || undefined;

/** Now on the server's clock, in milliseconds. */
export function now() {
  return Date.now() + skew;
}

/** Seconds from an ISO time until now (or until `until`). */
export function secondsSince(iso, until = now()) {
  const since = Date.parse(iso ?? "");
  return Number.isFinite(since) ? (until - since) / 1000 : NaN;
}

/** Seconds as m:ss, or h:mm:ss past an hour; "" when not a number. */
export function formatDuration(totalSeconds) {
  if (!Number.isFinite(totalSeconds)) return "";
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

let timeFormat;
let dateTimeFormat;
try {
  timeFormat = new Intl.DateTimeFormat(language, {
    timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  dateTimeFormat = new Intl.DateTimeFormat(language, {
    timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
} catch {
  timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
  dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });
}

/** A clock time: hh:mm:ss today, date and time when older than 20 hours. */
export function formatTime(iso) {
  const time = Date.parse(iso ?? "");
  if (!Number.isFinite(time)) return "";
  const old = now() - time > 20 * 3600 * 1000;
  return (old ? dateTimeFormat : timeFormat).format(new Date(time));
}
