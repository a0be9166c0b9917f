// The pages' one door to the JSON API: adds the API key when the service needs one, and turns
// problem+json answers into readable messages. Everything from the API is shown with
// textContent, never as HTML.
const PmoApi = (function () {
  const base = document.body.dataset.api;
  const keyForm = document.getElementById("api-key");
  const KEY = "pmo-advisor.api-key";
  let waiting = [];

  keyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(KEY, keyForm.elements.key.value.trim());
    keyForm.hidden = true;
    const retry = waiting;
    waiting = [];
    retry.forEach(function (again) { again(); });
  });

  function headers(contentType) {
    const out = {Accept: "application/json"};
    if (contentType) out["Content-Type"] = contentType;
    const key = sessionStorage.getItem(KEY);
    if (key) out.Authorization = "Bearer " + key;
    return out;
  }

  // Resolves to {ok, status, data}; a 401 shows the key form and retries once a key is given.
  function call(method, path, body, contentType) {
    return new Promise(function (resolve) {
      function attempt() {
        fetch(base + path, {method: method, headers: headers(body && contentType), body: body})
          .then(function (response) {
            return response.json().catch(function () { return null; }).then(function (data) {
              if (response.status === 401) {
                keyForm.hidden = false;
                waiting.push(attempt);
                return;
              }
              resolve({ok: response.ok, status: response.status, data: data});
            });
          })
          .catch(function (error) {
            resolve({ok: false, status: 0, data: {title: "Network error", detail: String(error),
                                                  errors: []}});
          });
      }
      attempt();
    });
  }

  function get(path) { return call("GET", path); }

  function remove(path) { return call("DELETE", path); }

  // A profile typed by a person: JSON if it parses as JSON, YAML otherwise (the API takes both).
  function postDocument(path, text) {
    let type = "application/yaml";
    try { JSON.parse(text); type = "application/json"; } catch (e) { /* YAML */ }
    return call("POST", path, text, type);
  }

  function postJson(path, value) {
    return call("POST", path, JSON.stringify(value), "application/json");
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // Fill `section` with a problem+json answer: its title, detail and field errors.
  function showProblem(section, problem) {
    section.replaceChildren();
    problem = problem || {title: "Error", detail: "the service gave no details", errors: []};
    section.append(el("strong", problem.title), el("p", problem.detail));
    const list = el("ul");
    (problem.errors || []).forEach(function (error) {
      const item = el("li");
      item.append(el("code", error.field || "(request)"), document.createTextNode(": " + error.message));
      list.append(item);
    });
    if (list.children.length) section.append(list);
    section.hidden = false;
  }

  // Put each field error of a problem beside the control it belongs to (``controlOf(field)``
  // names it, or null), marked aria-invalid and described by the message; clears earlier marks.
  function markFields(problem, controlOf) {
    document.querySelectorAll(".field-error").forEach(function (n) { n.remove(); });
    document.querySelectorAll("[aria-invalid=true]").forEach(function (n) {
      n.removeAttribute("aria-invalid");
      n.removeAttribute("aria-describedby");
    });
    ((problem && problem.errors) || []).forEach(function (error, i) {
      const control = controlOf(error.field || "");
      if (!control) return;
      const note = el("span", `${error.field}: ${error.message}`, "field-error");
      note.id = `field-error-${i}`;
      control.setAttribute("aria-invalid", "true");
      const described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", described ? `${described} ${note.id}` : note.id);
      let after = control;
      while (after.nextElementSibling && after.nextElementSibling.classList.contains("field-error")) {
        after = after.nextElementSibling;
      }
      after.insertAdjacentElement("afterend", note);
    });
  }

  // The flow for one stored PMO (an organization's closed assessment cycle): each page links to
  // the next with the same PMO, by its ids. Simulate: its own plan against doing the minimum.
  function pmoLink(page, organization, cycle) {
    const query = new URLSearchParams({organization: organization, cycle: cycle});
    if (page === "simulate") ["plan", "minimal"].forEach(function (s) { query.append("strategy", s); });
    return `/${page}?${query}`;
  }

  return {get: get, postDocument: postDocument, postJson: postJson, showProblem: showProblem,
          markFields: markFields, el: el, pmoLink: pmoLink, remove: remove};
})();
