// Passkeys need the browser's WebAuthn API: their buttons stay hidden until this runs, so a
// page without JavaScript shows only what works without it.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.PublicKeyCredential) return;
  for (const element of document.querySelectorAll("[data-needs-js]")) element.hidden = false;
  for (const element of document.querySelectorAll("[data-without-js]")) element.hidden = true;
});
