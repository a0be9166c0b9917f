// Starts the vendored Swagger UI on our OpenAPI document. validatorUrl: null keeps it offline
// (by default it sends the document to an online validator). deepLinking is off: it puts a link
// inside each operation's toggle button, which keyboards and screen readers cannot use (axe-core:
// nested-interactive). Syntax highlighting is off: its colours fail contrast on its dark ground.
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: false,
    persistAuthorization: false,  // the key stays in memory: never in localStorage
    syntaxHighlight: false,
    validatorUrl: null,
  });

  // Swagger UI renders some controls without a label and some scrolling code boxes that a
  // keyboard cannot reach; name the first and make the second focusable as they appear.
  function name(control) {
    if (control.labels && control.labels.length) return;
    if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby")) return;
    const row = control.closest("tr");
    const param = row && row.querySelector(".parameter__name");
    control.setAttribute("aria-label", param ? param.textContent.replace("*", "").trim()
      : control.classList.contains("body-param__text") ? "Request body"
      : control.getAttribute("placeholder") || "value");
  }

  function improve() {
    root.querySelectorAll("textarea, input, select").forEach(name);
    root.querySelectorAll("pre").forEach(function (box) {
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    });
  }

  new MutationObserver(improve).observe(root, {childList: true, subtree: true});
})();
