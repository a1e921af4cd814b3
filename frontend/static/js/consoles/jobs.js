/**
 * Queue and job panel behaviour shared by the consoles: a click anywhere on a
 * queue row opens its job, the open job's row stays marked across refreshes,
 * the arrow keys walk the queue, and a few keys jump between the panes
 * (F2 new call, Alt+Q queue, Alt+J job). Selects marked data-autosubmit
 * submit their form on change (the station filter).
 */

const ROW = "tr.queue-row";

function openJobId() {
  return document.getElementById("job")?.dataset.incidentId ?? "";
}

function markSelected() {
  const id = openJobId();
  for (const row of document.querySelectorAll(ROW)) {
    row.classList.toggle("is-selected", Boolean(id) && row.dataset.incidentId === id);
  }
}

function rowLinks() {
  return [...document.querySelectorAll(`${ROW} .col-number a`)];
}

document.addEventListener("click", (event) => {
  const row = event.target.closest(ROW);
  if (!row || event.target.closest("a, button, input, select, label")) return;
  row.querySelector(".col-number a")?.click();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "F2") {
    const category = document.getElementById("id_category");
    if (category) {
      event.preventDefault();
      category.focus();
      category.select();
    }
    return;
  }
  if (event.altKey && !event.ctrlKey && !event.metaKey) {
    const key = event.key.toLowerCase();
    if (key === "q") {
      event.preventDefault();
      (document.querySelector(`${ROW}.is-selected .col-number a`) ?? rowLinks()[0])?.focus();
    } else if (key === "j") {
      event.preventDefault();
      document.getElementById("job-heading")?.focus();
    }
    return;
  }
  if ((event.key === "ArrowDown" || event.key === "ArrowUp") && event.target.closest?.(`${ROW} .col-number a`)) {
    const links = rowLinks();
    const next = links[links.indexOf(event.target) + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form?.requestSubmit();
});

function headingFocusable() {
  const heading = document.getElementById("job-heading");
  if (heading) heading.tabIndex = -1; // Alt+J focuses it
}

document.body.addEventListener("htmx:afterSettle", (event) => {
  markSelected();
  headingFocusable();
  // Only a job the user opened or acted on takes the focus; one read again
  // from the live stream (#job swapped) leaves it where it is.
  if (event.detail.target?.id !== "job-panel") return;
  // After a refused action, the message; after opening a job, its heading.
  const alert = event.detail.target.querySelector(".job-alert.is-error");
  const heading = document.getElementById("job-heading");
  const focusable = alert ?? heading;
  if (focusable) {
    focusable.tabIndex = -1;
    focusable.focus({ preventScroll: false });
  }
});

headingFocusable();
markSelected();
