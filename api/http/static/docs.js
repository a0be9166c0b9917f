// Starts the vendored Swagger UI on our OpenAPI document. validatorUrl: null keeps it offline
// (by default it sends the document to an online validator). deepLinking is off: it puts a link
// inside each operation's toggle button, which keyboards and screen readers cannot use (axe-core:
// nested-interactive).
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: false,
    persistAuthorization: true,
    validatorUrl: null,
  });
})();
