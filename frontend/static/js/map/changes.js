/**
 * What the map's stores share: changes are noted as they come and handed to the
 * subscribers once per frame (or on a timer while the page is in the background),
 * so a burst of events redraws once.
 */
export class ChangeNotifier {
  /** `emptyChanges` makes the store's empty set of change notes. */
  constructor(emptyChanges) {
    this.emptyChanges = emptyChanges;
    this.listeners = new Set();
    this.changes = emptyChanges();
    this.scheduled = false;
  }

  subscribe(listener) {
    this.listeners.add(listener);
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    // A frame when the page is visible; the timer when it is in the background.
    const timer = setTimeout(() => this.flush(), 250);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      this.flush();
    });
  }

  flush() {
    if (!this.scheduled) return;
    this.scheduled = false;
    const changes = this.changes;
    this.changes = this.emptyChanges();
    for (const listener of this.listeners) listener(changes);
  }
}
