// Starts the vendored Swagger UI on our OpenAPI document. validatorUrl: null keeps it offline
// (by default it sends the document to an online validator).
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,  // the key stays in memory: never in localStorage
    validatorUrl: null,
  });
})();
