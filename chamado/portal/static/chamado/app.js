// Enhancements only: every page and form works without this file (docs/ARCHITECTURE.md).
"use strict";

document.documentElement.classList.add("js");

// Selects that submit their form when changed (their submit button is then hidden).
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    const button = select.form.querySelector("button[type=submit]");
    if (button) button.classList.add("visually-hidden");
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});

// ---- Header: disclosure menus (Support, the user menu) and the phone's Menu button.
// Without this file a menu's links are shown beside its label; here the label becomes a
// button with aria-expanded that shows and hides the list. Escape closes and returns focus.
document.addEventListener("DOMContentLoaded", () => {
  const disclosures = [];
  let pointerDown = false;
  document.addEventListener("pointerdown", () => { pointerDown = true; }, true);
  document.addEventListener("pointerup", () => { pointerDown = false; }, true);
  document.addEventListener("pointercancel", () => { pointerDown = false; }, true);

  function setOpen(disclosure, open) {
    disclosure.button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  function closeOthers(except) {
    for (const other of disclosures) if (other !== except) setOpen(other, false);
  }

  for (const root of document.querySelectorAll("[data-disclosure]")) {
    const button = root.querySelector("[data-disclosure-button]");
    const label = root.querySelector("[data-disclosure-label]");
    const panel = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !panel) continue;
    const disclosure = { root, button, panel };
    disclosures.push(disclosure);
    if (label) label.hidden = true;
    button.hidden = false;
    setOpen(disclosure, false);
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      closeOthers(disclosure);
      setOpen(disclosure, open);
    });
    button.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        closeOthers(disclosure);
        setOpen(disclosure, true);
        const first = panel.querySelector("a, button, select, input");
        if (first) first.focus();
      }
    });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        event.preventDefault();
        event.stopPropagation();
        setOpen(disclosure, false);
        button.focus();
      }
    });
    // Leaving the menu by keyboard closes it (a click elsewhere closes it below; closing it
    // on that click's focus change would move what is under the pointer before it is released).
    root.addEventListener("focusout", (event) => {
      if (pointerDown) return;
      if (event.relatedTarget && !root.contains(event.relatedTarget)) setOpen(disclosure, false);
    });
  }
  document.addEventListener("click", (event) => {
    for (const disclosure of disclosures) {
      if (!disclosure.root.contains(event.target)) setOpen(disclosure, false);
    }
  });

  // Phones (CSS shows the button at 600 px and less): the navigation collapses behind Menu.
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (toggle && nav) {
    toggle.hidden = false;
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) closeOthers(null);
    });
    document.addEventListener("keydown", (event) => {
      const shown = getComputedStyle(toggle).display !== "none";
      if (
        event.key === "Escape" &&
        shown &&
        toggle.getAttribute("aria-expanded") === "true" &&
        (nav.contains(document.activeElement) || document.activeElement === toggle)
      ) {
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }
});

// ---- Theme: light / dark / system. The form posts without this file; here it sets the same
// cookie the server reads (so the next page renders <html data-theme> at once, no flash) and
// the attribute, without reloading.
document.addEventListener("DOMContentLoaded", () => {
  const forms = document.querySelectorAll("[data-theme-switch]");
  function apply(choice) {
    const root = document.documentElement;
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    if (choice === "light" || choice === "dark") {
      root.dataset.theme = choice;
      document.cookie = `chamado_theme=${choice}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
    } else {
      delete root.dataset.theme;
      document.cookie = `chamado_theme=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
    }
    for (const button of document.querySelectorAll("[data-theme-switch] button[name=theme]")) {
      button.setAttribute("aria-pressed", button.value === choice ? "true" : "false");
    }
  }
  for (const form of forms) {
    form.addEventListener("submit", (event) => {
      const choice = event.submitter && event.submitter.value;
      if (!choice) return;
      event.preventDefault();
      apply(choice);
    });
  }
});

// ---- A refused form: the error summary (role=alert, tabindex=-1) takes the focus, so the
// first thing read is what to fix; its links lead to the fields.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex='-1']");
  if (summary) summary.focus();
  for (const link of document.querySelectorAll(".error-summary a[href^='#']")) {
    link.addEventListener("click", (event) => {
      const field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }
});

// ---- Confirmation in a <dialog>: a link to the confirmation page opens the dialog that holds
// the same form (Close Ticket); Cancel or Escape closes it and focus returns to the link.
document.addEventListener("DOMContentLoaded", () => {
  for (const opener of document.querySelectorAll("a[data-dialog]")) {
    const dialog = document.getElementById(opener.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") continue;
    opener.setAttribute("aria-haspopup", "dialog");
    opener.setAttribute("role", "button");
    opener.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.showModal();
    });
    opener.addEventListener("keydown", (event) => {
      if (event.key === " ") {
        event.preventDefault();
        dialog.showModal();
      }
    });
    for (const cancel of dialog.querySelectorAll("[data-dialog-cancel]")) {
      cancel.addEventListener("click", () => dialog.close());
    }
    dialog.addEventListener("close", () => opener.focus());
  }
});

// ---- Attachments: drop files on the field or the message, paste a screenshot into the
// message; the files go into the form's own <input type=file multiple> (a DataTransfer), listed
// with remove buttons. Without this file the plain input works.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-attachments]")) {
    const form = box.closest("form");
    const input = box.querySelector("input[type=file]");
    const list = box.querySelector("[data-file-list]");
    const status = box.querySelector("[data-file-status]");
    const hint = box.querySelector("[data-drop-hint]");
    if (!form || !input || !list || typeof DataTransfer !== "function") continue;
    let chosen = new DataTransfer();
    const message = form.querySelector("textarea");
    if (hint) hint.hidden = false;

    function say(text) {
      if (!status) return;
      status.textContent = "";
      window.setTimeout(() => { status.textContent = text; }, 50);
    }
    function size(bytes) {
      if (bytes < 1024) return `${bytes} B`;
      if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
      return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    }
    function render() {
      input.files = chosen.files;
      list.replaceChildren();
      for (const [index, file] of [...chosen.files].entries()) {
        const item = document.createElement("li");
        const name = document.createElement("span");
        name.className = "file-name";
        name.textContent = file.name;
        const weight = document.createElement("span");
        weight.className = "size";
        weight.textContent = size(file.size);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "small";
        remove.textContent = list.dataset.removeLabel;
        remove.setAttribute("aria-label", `${list.dataset.removeLabel} ${file.name}`);
        remove.addEventListener("click", () => {
          const next = new DataTransfer();
          [...chosen.files].forEach((other, at) => { if (at !== index) next.items.add(other); });
          chosen = next;
          render();
          say(`${status.dataset.removedLabel} ${file.name}`);
          (list.querySelector("button") || input).focus();
        });
        item.append(name, weight, remove);
        list.append(item);
      }
      list.hidden = chosen.files.length === 0;
    }
    function add(files, renamePasted) {
      const names = [];
      for (const file of files) {
        let named = file;
        if (renamePasted) {
          // A pasted screenshot is called image.png by every browser: give it a useful name.
          const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
          const extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
          named = new File([file], `screenshot-${stamp}-${chosen.files.length + 1}.${extension}`, {
            type: file.type,
          });
        }
        chosen.items.add(named);
        names.push(named.name);
      }
      if (names.length) {
        render();
        say(`${status.dataset.addedLabel} ${names.join(", ")}`);
      }
    }

    // Choosing with the input adds to the files already dropped or pasted.
    input.addEventListener("change", () => {
      const picked = [...input.files];
      if (picked.length && chosen.files.length) {
        const seen = new Set([...chosen.files].map((f) => `${f.name}/${f.size}`));
        add(picked.filter((f) => !seen.has(`${f.name}/${f.size}`)), false);
      } else {
        chosen = new DataTransfer();
        add(picked, false);
      }
    });

    const zones = [box, message && message.closest(".field")].filter(Boolean);
    for (const zone of zones) {
      zone.classList.add("drop-zone");
      zone.addEventListener("dragover", (event) => {
        if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
        event.preventDefault();
        zone.classList.add("dragging");
      });
      zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
      zone.addEventListener("drop", (event) => {
        zone.classList.remove("dragging");
        if (!event.dataTransfer || !event.dataTransfer.files.length) return;
        event.preventDefault();
        add(event.dataTransfer.files, false);
      });
    }
    if (message) {
      message.addEventListener("paste", (event) => {
        const data = event.clipboardData;
        if (!data) return;
        const images = [...data.files].filter((file) => file.type.startsWith("image/"));
        if (!images.length) return;
        // Text pasted along with the image (an image copied from a page) still goes in.
        if (!data.types.includes("text/plain")) event.preventDefault();
        add(images, true);
      });
    }
  }
});

// ---- Unsent drafts: the open-ticket form and each ticket's reply box are kept in this
// browser's localStorage as they are typed (never sent anywhere before Submit), offered back
// when the form is opened again, and forgotten once the server stored them (the page after a
// successful submit says so with data-draft-clear) or when the person logs out here.
document.addEventListener("DOMContentLoaded", () => {
  const PREFIX = "chamado-draft:";
  let storage = null;
  try {
    storage = window.localStorage;
    storage.getItem(PREFIX);
  } catch (error) {
    return; // no storage (private mode, disabled): no drafts
  }

  for (const marker of document.querySelectorAll("[data-draft-clear]")) {
    const key = marker.dataset.draftClear;
    if (key) storage.removeItem(key);
    else for (const form of document.querySelectorAll("form[data-draft]")) storage.removeItem(form.dataset.draft);
  }
  for (const form of document.querySelectorAll("form[data-logout]")) {
    form.addEventListener("submit", () => {
      for (const key of Object.keys(storage)) if (key.startsWith(PREFIX)) storage.removeItem(key);
    });
  }

  for (const form of document.querySelectorAll("form[data-draft]")) {
    const key = form.dataset.draft;
    const names = form.dataset.draftFields.split(/\s+/).filter(Boolean);
    const fields = names.map((name) => form.elements.namedItem(name)).filter(Boolean);
    const text = fields.filter((field) => field.tagName === "TEXTAREA" || field.type === "text");
    const current = () => Object.fromEntries(fields.map((field) => [field.name, field.value]));
    const offer = document.querySelector("[data-draft-offer]");

    let saved = null;
    try {
      saved = JSON.parse(storage.getItem(key) || "null");
    } catch (error) {
      storage.removeItem(key);
    }
    const differs = saved && saved.values && text.some(
      (field) => (saved.values[field.name] || "").trim() && saved.values[field.name] !== field.value,
    );
    if (differs && offer) {
      const time = offer.querySelector("[data-draft-time]");
      const when = new Date(saved.savedAt);
      time.dateTime = when.toISOString();
      time.textContent = when.toLocaleString(document.documentElement.lang || undefined, {
        dateStyle: "medium",
        timeStyle: "short",
      });
      offer.hidden = false;
      offer.querySelector("[data-draft-restore]").addEventListener("click", () => {
        for (const field of fields) {
          if (saved.values[field.name] === undefined) continue;
          if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === saved.values[field.name])) continue;
          field.value = saved.values[field.name];
          field.dispatchEvent(new Event("change", { bubbles: true }));
        }
        offer.hidden = true;
        const message = text[text.length - 1];
        if (message) message.focus();
      });
      offer.querySelector("[data-draft-discard]").addEventListener("click", () => {
        storage.removeItem(key);
        offer.hidden = true;
        (text[0] || form).focus();
      });
    }

    let timer = null;
    function save() {
      const values = current();
      if (!text.some((field) => values[field.name].trim())) {
        storage.removeItem(key);
        return;
      }
      try {
        storage.setItem(key, JSON.stringify({ savedAt: Date.now(), values }));
      } catch (error) {
        // full storage: keep typing, nothing is lost on the page itself
      }
      if (offer) offer.hidden = true;
    }
    for (const field of fields) {
      const later = () => {
        clearTimeout(timer);
        timer = setTimeout(save, 400);
      };
      field.addEventListener("input", later);
      field.addEventListener("change", later);
    }
    // Typing then closing the tab before the pause: save what is there.
    window.addEventListener("pagehide", () => {
      if (timer) {
        clearTimeout(timer);
        save();
      }
    });
  }
});

// ---- Ticket form: Related Service is required unless the chosen department allows "none"
// (workflow.service_required; the server marks it for the department it knows).
document.addEventListener("DOMContentLoaded", () => {
  const service = document.querySelector("select[data-account-has-services]");
  const department = service && service.form && service.form.elements.namedItem("department");
  if (!service || !department || department.tagName !== "SELECT") return;
  const label = service.form.querySelector(`label[for="${service.id}"]`);
  function sync() {
    const option = department.selectedOptions[0];
    const required =
      service.dataset.accountHasServices === "true" &&
      !(option && option.hasAttribute("data-allows-no-service"));
    let marker = label && label.querySelector(".req");
    if (required) {
      service.setAttribute("aria-required", "true");
      if (label && !marker) {
        marker = document.createElement("span");
        marker.className = "req";
        marker.setAttribute("aria-hidden", "true");
        marker.textContent = "*";
        label.append(" ", marker);
      }
    } else {
      service.removeAttribute("aria-required");
      if (marker) marker.remove();
    }
  }
  department.addEventListener("change", sync);
  sync();
});

// Desk: who else has this ticket open (the server renders it on load; this keeps it fresh).
document.addEventListener("DOMContentLoaded", () => {
  const presence = document.querySelector("[data-poll]");
  if (presence) {
    setInterval(async () => {
      const response = await fetch(presence.dataset.poll, { credentials: "same-origin" });
      if (response.ok) {
        const holder = document.createElement("div");
        holder.innerHTML = await response.text();
        const fresh = holder.querySelector("#presence");
        if (fresh) presence.innerHTML = fresh.innerHTML;
      }
    }, 15000);
  }
  // Canned replies: fill the reply box at once instead of reloading the page.
  for (const select of document.querySelectorAll("select[data-canned-target]")) {
    const target = document.getElementById(select.dataset.cannedTarget);
    const button = select.form.querySelector("button[type=submit]");
    if (button) button.classList.add("visually-hidden");
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      if (target && option && option.dataset.body) {
        target.value = option.dataset.body + (target.value ? "\n\n" + target.value : "");
        target.focus();
      }
    });
  }
});

// Ticket form: knowledge-base articles for the subject, while it is typed (the server renders
// the same list for a subject it already has, and the lookup button works without this).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-kb-suggest]");
  const subject = box && document.getElementById(box.dataset.kbSubject);
  const list = box && box.querySelector("[data-kb-suggestions]");
  if (!subject || !list) return;
  let timer = null;
  let controller = null;
  let asked = subject.value.trim();
  subject.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = subject.value.trim();
      if (text === asked) return;
      asked = text;
      if (controller) controller.abort();
      controller = new AbortController();
      const url = new URL(box.dataset.kbSuggest, window.location.href);
      url.searchParams.set("q", text);
      if (box.dataset.kbDepartment) url.searchParams.set("department", box.dataset.kbDepartment);
      try {
        const response = await fetch(url, { credentials: "same-origin", signal: controller.signal });
        if (response.ok) list.innerHTML = await response.text();
      } catch (error) {
        if (error.name !== "AbortError") throw error;
      }
    }, 250);
  });
});
