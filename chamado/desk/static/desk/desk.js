// The agent desk's enhancements. Every step works without this file: the queue reloads, each
// row has its own checkbox, canned replies are inserted by the server, merge asks on a page.
"use strict";

(() => {
  const QUEUE_KEY = "chamado.desk.queue";

  // ---- The queue: select all, keep the rows fresh, remember their order -------------------

  const queueForm = document.querySelector("[data-queue-refresh]");
  const rows = queueForm && queueForm.querySelector("[data-queue-rows]");
  const selectAll = queueForm && queueForm.querySelector("[data-select-all]");

  const boxes = () => (rows ? [...rows.querySelectorAll('input[name="tickets"]')] : []);

  function selectAllSync() {
    if (!selectAll) return;
    const all = boxes();
    const checked = all.filter((box) => box.checked).length;
    selectAll.checked = all.length > 0 && checked === all.length;
    selectAll.indeterminate = checked > 0 && checked < all.length;
  }

  function queueRemember() {
    if (!rows) return;
    const tickets = [...rows.querySelectorAll("tr[data-number]")].map((row) => ({
      number: row.dataset.number,
      url: row.dataset.url,
    }));
    try {
      sessionStorage.setItem(QUEUE_KEY, JSON.stringify({ page: location.href, tickets }));
    } catch (error) {
      // Storage refused (private mode, full): the shortcuts just lack the queue's order.
    }
  }

  if (selectAll) {
    selectAll.hidden = false;
    selectAll.addEventListener("change", () => {
      for (const box of boxes()) box.checked = selectAll.checked;
      selectAllSync();
    });
    rows.addEventListener("change", selectAllSync);
    selectAllSync();
  }

  if (rows) {
    queueRemember();
    const seconds = Number(queueForm.dataset.refreshSeconds) || 45;
    setInterval(async () => {
      // Never under the agent's hands: rows chosen, a row focused, or nobody looking.
      if (document.hidden || boxes().some((box) => box.checked)) return;
      if (rows.contains(document.activeElement)) return;
      let response;
      try {
        response = await fetch(queueForm.dataset.queueRefresh, {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
        });
      } catch (error) {
        return; // offline for a moment: the next round tries again
      }
      if (!response.ok || response.redirected) return; // signed out: leave the page as it is
      const text = await response.text();
      if (boxes().some((box) => box.checked) || rows.contains(document.activeElement)) return;
      const fresh = document.createElement("tbody");
      fresh.innerHTML = text;
      rows.replaceChildren(...fresh.childNodes);
      selectAllSync();
      queueRemember();
    }, seconds * 1000);
  }

  // ---- Canned replies at the cursor --------------------------------------------------------

  for (const select of document.querySelectorAll("select[data-desk-canned]")) {
    const target = document.getElementById(select.dataset.deskCanned);
    if (!target) continue;
    const button = select.form.querySelector("button[type=submit]");
    if (button) button.hidden = true;
    let touched = false; // never clicked into: the text goes at the end
    for (const name of ["focus", "keyup", "mouseup"]) {
      target.addEventListener(name, () => {
        touched = true;
      });
    }
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      if (!option || !option.dataset.body) return;
      const start = touched ? target.selectionStart : target.value.length;
      const end = touched ? target.selectionEnd : target.value.length;
      target.setRangeText(option.dataset.body, start, end, "end");
      select.value = "";
      target.focus();
      target.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // ---- Keyboard shortcuts and their help ---------------------------------------------------

  const template = document.getElementById("desk-shortcuts-template");
  let dialog = null;
  let opener = null;

  const focusables = (root) =>
    [
      ...root.querySelectorAll(
        'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])',
      ),
    ].filter((element) => !element.hidden);

  function helpClose() {
    if (!dialog || !dialog.open) return;
    dialog.close();
  }

  function helpOpen() {
    if (!template) return;
    if (!dialog) {
      document.body.append(template.content.cloneNode(true));
      dialog = document.getElementById("desk-shortcuts");
      dialog.querySelector("[data-shortcuts-close]").addEventListener("click", helpClose);
      dialog.addEventListener("close", () => {
        if (opener && document.contains(opener)) opener.focus();
        opener = null;
      });
      dialog.addEventListener("keydown", (event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          helpClose();
        } else if (event.key === "Tab") {
          // Keep the focus inside the dialog.
          const inside = focusables(dialog);
          if (!inside.length) return;
          const first = inside[0];
          const last = inside[inside.length - 1];
          if (event.shiftKey && document.activeElement === first) {
            event.preventDefault();
            last.focus();
          } else if (!event.shiftKey && document.activeElement === last) {
            event.preventDefault();
            first.focus();
          }
        }
      });
    }
    if (dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
    const first = focusables(dialog)[0];
    if (first) first.focus();
  }

  for (const button of document.querySelectorAll("[data-shortcuts-open]")) {
    button.hidden = false;
    button.addEventListener("click", helpOpen);
  }

  function queueStored() {
    try {
      return JSON.parse(sessionStorage.getItem(QUEUE_KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  // In the queue: move among the rows. On a ticket: go to the next one of the queue.
  function step(by) {
    if (rows) {
      const all = [...rows.querySelectorAll("tr[data-number]")];
      if (!all.length) return;
      const current = all.findIndex((row) => row.classList.contains("is-current"));
      const next = current === -1 ? (by > 0 ? 0 : all.length - 1) : current + by;
      if (next < 0 || next >= all.length) return;
      if (current !== -1) all[current].classList.remove("is-current");
      all[next].classList.add("is-current");
      const link = all[next].querySelector(".col-subject a");
      if (link) link.focus();
      return;
    }
    const heading = document.querySelector("[data-ticket-number]");
    const stored = queueStored();
    if (!heading || !stored || !stored.tickets) return;
    const here = stored.tickets.findIndex((t) => t.number === heading.dataset.ticketNumber);
    const next = stored.tickets[here + by];
    if (here !== -1 && next) location.assign(next.url);
  }

  function typing(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    const tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return !["checkbox", "radio", "button", "submit", "reset"].includes(element.type);
  }

  function write(id) {
    const box = document.getElementById(id);
    if (!box) return;
    box.scrollIntoView({ block: "center" });
    box.focus();
  }

  function takeIt() {
    if (rows) {
      const focused = rows.contains(document.activeElement) ? document.activeElement : null;
      const row = rows.querySelector("tr.is-current") || (focused && focused.closest("tr"));
      const button = row && row.querySelector(".desk-take");
      if (button) button.click();
      return;
    }
    const form = document.querySelector("form[data-shortcut-assign]");
    if (form) form.requestSubmit();
  }

  const ACTIONS = {
    j: () => step(1),
    n: () => step(1),
    k: () => step(-1),
    p: () => step(-1),
    r: () => write("id_reply-message"),
    i: () => write("id_note-message"),
    a: takeIt,
    "?": helpOpen,
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (dialog && dialog.open) return; // the dialog handles its own keys
    if (typing(event.target)) return;
    const action = ACTIONS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
})();
