// Enhancements only: every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    const button = select.form.querySelector("button[type=submit]");
    if (button) button.classList.add("visually-hidden");
    select.addEventListener("change", () => select.form.requestSubmit());
  }
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
