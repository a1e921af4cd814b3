/**
 * How the live map's state is kept, apart from the page (no DOM here, so it
 * can be driven and checked on its own):
 *
 * - The websocket is opened first; its first `hello` (or any `reload`)
 *   makes this read a snapshot (units, open incidents, active assignments).
 *   If the stream says nothing within `fallbackMs`, the snapshot is read
 *   anyway.
 * - Stream messages that arrive before and while a snapshot is read are
 *   held, then applied in order on top of it, so nothing committed between
 *   the snapshot and the stream is lost (events carry whole states, so
 *   applying one the snapshot already has changes nothing). After that each
 *   message is applied as it comes.
 * - A snapshot asked for while one is read is read once more afterwards; a
 *   failed one is reported once and retried every `retryMs` quietly.
 * - A later `hello` (after a reconnect) reads nothing: the server replays
 *   what was missed from the log. Only `reload` means too much was missed.
 * - Jobs the store lacks a shown field of have their detail read, a few at
 *   a time (`enrich`, after each change of the store).
 */

export class LiveSync {
  /**
   * @param {object} options
   * @param {import("./store.js").LiveStore} options.store
   * @param {() => Promise<{units, incidents, assignments}>} options.readSnapshot
   * @param {(id: number) => Promise<object>} options.readDetail one incident's detail
   * @param {() => void} [options.onLoaded] a snapshot is in
   * @param {(error: Error) => void} [options.onFirstFailure] the first snapshot that failed
   */
  constructor({
    store, readSnapshot, readDetail, onLoaded = () => {}, onFirstFailure = () => {},
    fallbackMs = 3000, retryMs = 5000, detailsAtOnce = 4,
  }) {
    this.store = store;
    this.readSnapshot = readSnapshot;
    this.readDetail = readDetail;
    this.onLoaded = onLoaded;
    this.onFirstFailure = onFirstFailure;
    this.fallbackMs = fallbackMs;
    this.retryMs = retryMs;
    this.detailsAtOnce = detailsAtOnce;

    this.loaded = false; // a snapshot is in
    this.held = []; // messages waiting for the snapshot being read; null: apply at once
    this.loading = null; // the snapshot being read
    this.again = false; // read once more when this one is in
    this.positioned = false; // the stream has told its position (hello or reload)
    this.failed = false; // a failure was reported already
    this.fetching = new Set(); // incident ids whose detail is being read
  }

  /** With a stream: wait for its hello, but not for ever. */
  startWithStream() {
    setTimeout(() => {
      if (!this.loaded && !this.loading) this.resync();
    }, this.fallbackMs);
  }

  /** Without a stream (no live group for the scope): read now and every `intervalMs`. */
  startWithoutStream(intervalMs) {
    this.resync();
    setInterval(() => this.resync(), intervalMs);
  }

  /** A message of the live stream (LiveConnection's onMessage). */
  receive(message) {
    switch (message.type) {
      case "hello":
        // The first snapshot is read once the stream has a position, so
        // nothing falls between the two.
        if (!this.positioned) {
          this.positioned = true;
          this.resync();
        }
        return;
      case "reload":
        this.positioned = true; // the server has a position: this snapshot is the one
        this.resync();
        return;
      case "event":
      case "positions":
        if (this.held) this.held.push(message);
        else this.apply(message);
        return;
      default:
        return;
    }
  }

  apply(message) {
    if (message.type === "event") this.store.applyEvent(message);
    else if (message.type === "positions") this.store.applyPositions(message.units);
  }

  /** Read the whole state again; stream messages are held meanwhile. */
  resync() {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.held ??= [];
    this.loading = this.read();
    return this.loading;
  }

  async read() {
    try {
      this.store.replace(await this.readSnapshot());
      this.loaded = true;
      this.onLoaded();
    } catch (error) {
      if (!this.failed) this.onFirstFailure(error);
      this.failed = true;
      setTimeout(() => this.resync(), this.retryMs);
    } finally {
      const pending = this.held ?? [];
      this.held = null;
      for (const message of pending) this.apply(message);
      this.loading = null;
      if (this.again) {
        this.again = false;
        this.resync();
      }
    }
  }

  /** Read the details the store lacks, `detailsAtOnce` at a time. */
  enrich() {
    for (const id of this.store.undetailed()) {
      if (this.fetching.size >= this.detailsAtOnce) return;
      if (this.fetching.has(id)) continue;
      this.fetching.add(id);
      this.readDetail(id)
        .then((detail) => this.store.mergeDetail(detail))
        .catch(() => this.store.mergeDetail({ id })) // drawn from the events alone
        .finally(() => {
          this.fetching.delete(id);
          this.enrich();
        });
    }
  }
}
