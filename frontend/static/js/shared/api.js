/**
 * The REST API as every page script reads and writes it: same-origin
 * requests with the session cookie, the CSRF token of the page on writes,
 * every page of a paginated list, query strings built from plain values, and
 * one error type carrying the server's message (and the HTTP status, 0 when
 * the server could not be reached).
 */

// A guard against a `next` link that never ends.
const MAX_PAGES = 200;

export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

let networkErrorText = "network error";

/** The words shown when the server cannot be reached (from the page). */
export function setNetworkErrorText(value) {
  if (value) networkErrorText = value;
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** The server's own message: `detail`, else the first field error. */
async function errorMessage(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    return `HTTP ${response.status}`;
  }
  if (typeof body?.detail === "string") return body.detail;
  for (const value of Object.values(body ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") return first;
  }
  return `HTTP ${response.status}`;
}

async function request(url, options) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch {
    throw new ApiError(networkErrorText);
  }
  if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
  try {
    return await response.json();
  } catch {
    throw new ApiError("invalid JSON", response.status);
  }
}

export function fetchJson(url) {
  return request(url, { headers: { Accept: "application/json" } });
}

export function postJson(url, body) {
  return request(url, {
    method: "POST",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body),
  });
}

/**
 * `url` with `params` added to its query: an array value repeats the key
 * (`status=received&status=returned`), null and undefined are left out.
 */
export function withQuery(url, params) {
  const target = new URL(url, window.location.href);
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) target.searchParams.append(key, String(item));
    }
  }
  return target.origin === window.location.origin ? target.pathname + target.search : target.href;
}

function samePageUrl(link) {
  // DRF builds `next` from the Host header; behind a proxy that may name
  // another origin, so only its path and query are kept.
  const url = new URL(link, window.location.href);
  return url.pathname + url.search;
}

/** Every item of a paginated list, following `next`; `key` is "results" or "features". */
export async function fetchAllPages(url, key = "results") {
  const items = [];
  let next = url;
  for (let page = 0; next && page < MAX_PAGES; page += 1) {
    const body = await fetchJson(next);
    // An unpaginated endpoint answers with the list itself.
    if (Array.isArray(body)) return body;
    items.push(...(Array.isArray(body?.[key]) ? body[key] : []));
    next = body?.next ? samePageUrl(body.next) : null;
  }
  return items;
}
