/* Starts Swagger UI on /api/v1/docs (api/templates/api/docs.html). A static file, so the
   page keeps the site's Content-Security-Policy: no inline script. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // "Authorize" keeps the bearer key in this page only, never in the browser's storage.
    persistAuthorization: false,
    tryItOutEnabled: false,
    // Swagger UI would otherwise fetch the document's validity badge from swagger.io.
    validatorUrl: null,
  });
})();
