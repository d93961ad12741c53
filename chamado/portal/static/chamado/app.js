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
