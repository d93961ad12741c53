// Admin: a live preview of an article's Markdown, rendered by the server with the site's
// own rules (sanitised, sections, contents). Without this file the preview shows the text
// as last saved.
document.addEventListener("DOMContentLoaded", () => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  for (const field of document.querySelectorAll("textarea[data-kb-preview]")) {
    const language = field.dataset.kbPreview;
    const target = document.querySelector(`[data-kb-preview-target="${language}"]`);
    if (!target || !token) continue;
    let timer = null;
    let controller = null;
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (controller) controller.abort();
        controller = new AbortController();
        const body = new FormData();
        body.append("body", field.value);
        body.append("language", language);
        try {
          const response = await fetch(target.dataset.url, {
            method: "POST",
            body: body,
            headers: { "X-CSRFToken": token.value },
            credentials: "same-origin",
            signal: controller.signal,
          });
          if (response.ok) target.innerHTML = await response.text();
        } catch (error) {
          if (error.name !== "AbortError") throw error;
        }
      }, 300);
    });
  }
});
