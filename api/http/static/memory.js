// Assessment pages: the questionnaire for one rater, a cycle's combined profile, the history.
// All data comes from the JSON API; text goes in through textContent only.
const Memory = (function () {
  const el = PmoApi.el;
  const problem = function () { return document.getElementById("problem"); };
  const base = document.body.dataset.api;

  function etag(cycle) { return `"cycle-${cycle.organization}-${cycle.number}-v${cycle.version}"`; }

  // POST with If-Match (PmoApi.postJson sends no extra headers); resolves to {ok, status, data}.
  function postIfMatch(path, value, tag) {
    const headers = {"Content-Type": "application/json", Accept: "application/json",
                     "If-Match": tag};
    const key = sessionStorage.getItem("pmo-advisor.api-key");
    if (key) headers.Authorization = "Bearer " + key;
    return fetch(base + path, {method: "POST", headers: headers, body: JSON.stringify(value)})
      .then(function (r) {
        return r.json().catch(function () { return null; })
          .then(function (data) { return {ok: r.ok, status: r.status, data: data}; });
      });
  }

  function row(cells, header) {
    const tr = el("tr");
    cells.forEach(function (c) { tr.append(el(header ? "th" : "td", c)); });
    return tr;
  }

  const PARTS = [["fact", "The PMO"], ["organization", "The organization"],
                 ["change", "Recent changes (months ago; leave empty if not in the last two years)"], ["indicator", "Indicators"],
                 ["sign", "What you observe"], ["customer", "Your group (customers only)"],
                 ["trend", "Trends since the last cycle (only to override the computed ones)"],
                 ["flywheel", "Flywheel self-check"]];

  function input(item, value) {
    const name = item.id;
    const box = el("div", null, "item");
    const label = el("label", item.text);  // the question names its control (screen readers)
    label.htmlFor = `q-${name}`;
    box.append(label);
    const choices = [];
    if (item.kind === "scale") {
      Object.entries(item.anchors).forEach(function (e) { choices.push([e[0], e[0] + " " + e[1]]); });
    } else if (item.kind === "yes_no") {
      choices.push(["true", "yes"], ["false", "no"]);
    } else if (item.kind === "trend" || item.kind === "choice") {
      item.choices.forEach(function (c) { choices.push([c, c.replaceAll("_", " ")]); });
    }
    if (item.dont_know && item.kind !== "number") choices.push(["dont_know", "don't know"]);
    if (choices.length) {
      const select = el("select");
      select.name = name;
      select.id = `q-${name}`;
      select.append(new Option("(no answer)", ""));
      choices.forEach(function (c) { select.append(new Option(c[1], c[0])); });
      if (value !== undefined) select.value = String(value);
      box.append(select);
    } else {
      const field = el("input");
      field.name = name;
      field.id = `q-${name}`;
      field.placeholder = {ranking: "outcome numbers, e.g. 14;5;12", text: "text"}[item.kind] ||
        "number";
      if (value !== undefined) field.value = Array.isArray(value) ? value.join(";") : String(value);
      box.append(field);
    }
    return box;
  }

  function valueOf(item, text) {
    if (text === "") return undefined;
    if (text === "dont_know") return text;
    // a number that does not read as one goes as typed: the API names it and says what is allowed
    if (item.kind === "scale" || item.kind === "number") return Number.isNaN(Number(text)) ? text : Number(text);
    if (item.kind === "yes_no") return text === "true";
    if (item.kind === "ranking") return text.split(";").map(function (p) { return Number(p.trim()); });
    return text;
  }

  // The questionnaire for one PMO: the organization and PMO a link names (?organization=ID&pmo=ID,
  // from a PMO's history or an open cycle) are chosen; the cycle is that PMO's, opened, read and
  // answered through its own routes (/organizations/ORG/pmos/PMO/...), never the default PMO's.
  function assessPage(wantedOrg, _number, wantedPmo) {
    const orgSelect = document.getElementById("org-select");
    const pmoSelect = document.getElementById("pmo-select");
    const form = document.getElementById("questionnaire");
    let questionnaire = null, cycle = null, orgId = null, cycles = "";

    function listPmos(chosen) {
      const org = orgSelect.value;
      pmoSelect.replaceChildren(new Option("(the organization's default PMO)", ""));
      if (!org) return;
      PmoApi.get(`/organizations/${org}/pmos`).then(function (r) {
        if (!r.ok || orgSelect.value !== org) return;  // another organization chosen meanwhile
        pmoSelect.replaceChildren.apply(pmoSelect, r.data.items.map(function (p) {
          const option = new Option(p.name + (p.default ? " (default)" : ""), p.id);
          option.selected = chosen ? p.id === chosen : p.default;
          return option;
        }));
      });
    }
    orgSelect.addEventListener("change", function () { listPmos(null); });
    PmoApi.get("/organizations?limit=100").then(function (r) {
      if (!r.ok) return PmoApi.showProblem(problem(), r.data);
      r.data.items.forEach(function (o) { orgSelect.append(new Option(o.name, o.id)); });
      if (!wantedOrg) return;
      const listed = r.data.items.some(function (o) { return o.id === wantedOrg; });
      (listed ? Promise.resolve(null) : PmoApi.get(`/organizations/${wantedOrg}`))
        .then(function (more) {  // beyond the first page: its own option
          if (more && !more.ok) return PmoApi.showProblem(problem(), more.data);
          if (more) orgSelect.append(new Option(more.data.name, more.data.id));
          orgSelect.value = String(wantedOrg);
          listPmos(wantedPmo);
        });
    });
    PmoApi.get("/questionnaire").then(function (r) {
      questionnaire = r.data;
      const roles = document.getElementById("rater-role");
      r.data.roles.forEach(function (role) { roles.append(new Option(role.replace("_", " "), role)); });
    });

    function openCycle() {
      return PmoApi.get(cycles).then(function (r) {
        if (!r.ok) return r;
        const open = r.data.items.filter(function (c) { return c.status === "open"; })[0];
        if (open) return PmoApi.get(`${cycles}/${open.number}`);
        return PmoApi.postJson(cycles, {});
      });
    }

    function render(rater, role) {
      const mine = (cycle.raters.filter(function (x) { return x.name === rater; })[0] || {}).answers || {};
      form.replaceChildren();
      PARTS.forEach(function (part) {
        if (part[0] === "customer" && role !== "customer") return;
        const items = questionnaire.items.filter(function (i) { return i.part === part[0]; });
        const fieldset = el("fieldset");
        fieldset.append(el("legend", part[1]));
        items.forEach(function (item) { fieldset.append(input(item, mine[item.id])); });
        const save = el("button", "Save this section");
        save.type = "button";
        const status = el("span", "", "meta saved");
        save.addEventListener("click", function () {
          const answers = {};
          items.forEach(function (item) {
            const v = valueOf(item, form.elements[item.id].value.trim());
            if (v !== undefined) answers[item.id] = v;
          });
          if (!Object.keys(answers).length) { status.textContent = " nothing to save"; return; }
          postIfMatch(`${cycles}/${cycle.number}/answers`,
                      {rater: rater, role: role, answers: answers}, etag(cycle))
            .then(function (r) {
              if (r.status === 412) {
                status.textContent = " someone else saved meanwhile; press save again";
                return PmoApi.get(`${cycles}/${cycle.number}`)
                  .then(function (again) { cycle = again.data; });
              }
              PmoApi.markFields(null);
              if (!r.ok) {  // each bad answer beside its question (errors name answers.ITEM)
                PmoApi.markFields(r.data, function (field) {
                  return form.elements.namedItem(field.replace(/^answers\./, ""));
                });
                return PmoApi.showProblem(problem(), r.data);
              }
              problem().hidden = true;
              cycle.version = r.data.version;
              status.textContent = ` saved ${Object.keys(answers).length} answer(s)`;
            });
        });
        fieldset.append(save, status);
        form.append(fieldset);
      });
      const link = el("a", "See the combined profile of this cycle");
      link.href = `${document.body.dataset.pages || ""}/organizations/${orgId}/assessments/${cycle.number}`;
      form.append(link);
      form.hidden = false;
    }

    document.getElementById("start-button").addEventListener("click", function () {
      const rater = document.getElementById("rater-name").value.trim();
      const role = document.getElementById("rater-role").value;
      const newName = document.getElementById("org-new").value.trim();
      if (!rater) return PmoApi.showProblem(problem(), {title: "Who are you?",
        detail: "type your name: your answers are kept under it", errors: []});
      const org = newName ? PmoApi.postJson("/organizations", {name: newName})
        : Promise.resolve({ok: true, data: {id: orgSelect.value}});
      // a new organization has only its default PMO; else the PMO chosen
      const pmo = newName ? null : pmoSelect.selectedOptions[0];
      org.then(function (r) {
        if (!r.ok) throw r;
        orgId = r.data.id;
        cycles = `/organizations/${orgId}` + (pmo && pmo.value ? `/pmos/${pmo.value}` : "") +
          "/assessments";
        return openCycle();
      }).then(function (r) {
        if (!r.ok) throw r;
        cycle = r.data;
        document.getElementById("cycle-info").textContent =
          `Cycle ${cycle.number}${cycle.label ? " (" + cycle.label + ")" : ""}` +
          (pmo && pmo.value ? ` of ${pmo.text}` : "") + `, ${cycle.raters.length} rater(s) so far.`;
        render(rater, role);
      }).catch(function (r) { PmoApi.showProblem(problem(), r.data); });
    });
  }

  function organizationsPage() {
    const table = document.getElementById("organizations");
    PmoApi.get("/organizations?limit=100").then(function (r) {
      if (!r.ok) return PmoApi.showProblem(problem(), r.data);
      table.append(row(["Organization", "PMO", ""], true));
      r.data.items.forEach(function (o) {
        const tr = row([o.name, o.pmo_name || ""]);
        const td = el("td");
        const a = el("a", "history");
        a.href = `/organizations/${o.id}/history`;
        td.append(a);
        tr.append(td);
        table.append(tr);
      });
    });
  }

  function cyclePage(org, number) {
    const path = `/organizations/${org}/assessments/${number}`;
    PmoApi.get(path).then(function (r) {
      if (!r.ok) return PmoApi.showProblem(problem(), r.data);
      const c = r.data, combined = c.combined || {indicators: {}, flywheel: {}, signs: [], trends: {}};
      document.getElementById("cycle-meta").textContent =
        `${c.status}, ${c.raters.length} rater(s), version ${c.version}` +
        (c.scenario ? `; scenario: ${c.scenario}` : "") + ". Raters: " +
        c.raters.map(function (r) { return `${r.name} (${r.role.replace("_", " ")})`; }).join(", ");
      const table = document.getElementById("indicators");
      table.append(row(["Indicator", "Mean", "Spread", "Raters", "Coverage", "Trend", ""], true));
      Object.entries(combined.indicators).forEach(function (e) {
        const s = e[1];
        const tr = row([e[0].replaceAll("_", " "), s.mean === null ? "-" : s.mean.toFixed(2),
                        s.spread.toFixed(2), String(s.raters), Math.round(s.coverage * 100) + " %",
                        (combined.trends || {})[e[0]] || "", s.disagreement ? "raters disagree" : ""]);
        if (s.disagreement) tr.className = "disagreement";
        table.append(tr);
      });
      const signs = document.getElementById("signs");
      (combined.signs || []).forEach(function (s) { signs.append(el("li", s.replaceAll("_", " "))); });
      const fly = document.getElementById("flywheel");
      Object.entries(combined.flywheel || {}).forEach(function (e) {
        if (e[1].band) fly.append(row([e[0].replaceAll("_", " "), e[1].band, e[1].score.toFixed(2)]));
      });
      const links = document.getElementById("links");
      [["export.csv", "CSV"], ["export.xlsx", "Excel"], ["report", "printable report"]].forEach(function (l) {
        const a = el("a", l[1]);
        a.href = base + path + "/" + l[0];
        links.append(a, document.createTextNode(" · "));
      });
      const hist = el("a", "history");
      hist.href = `/organizations/${org}/history?pmo=${c.pmo}`;  // this cycle's PMO
      links.append(hist);
      if (c.status === "open") {  // more raters: the questionnaire of this cycle's PMO
        const more = el("a", "answer the questionnaire");
        more.href = `/assess?organization=${org}&pmo=${c.pmo}`;
        links.append(document.createTextNode(" · "), more);
      }
      if (c.status === "closed") nextSteps(org, number, path);
      const close = document.getElementById("close-button");
      if (c.status === "open") {
        close.hidden = false;
        close.addEventListener("click", function () {
          close.disabled = true;  // diagnosing and planning take a moment: one click is enough
          close.textContent = "Closing: diagnosing and planning…";
          postIfMatch(path + "/close", {}, etag(c)).then(function (res) {
            if (!res.ok) {
              close.disabled = false;
              close.textContent = "Close the cycle (diagnose and plan)";
              return PmoApi.showProblem(problem(), res.data);
            }
            window.location.reload();
          });
        });
      }
    });
  }

  // A closed cycle leads on: its diagnosis and plan, a simulation of its plan; and shows the
  // simulations kept with it (saved from the simulate page).
  function nextSteps(org, number, path) {
    const next = document.getElementById("next-steps");
    [["diagnose", "Diagnosis and plan of this PMO"],
     ["simulate", "Simulate this PMO's plan against alternatives"]].forEach(function (l, i) {
      const a = el("a", l[1]);
      a.id = `${l[0]}-link`;
      a.href = PmoApi.pmoLink(l[0], org, number);
      if (i) next.append(document.createTextNode(" · "));
      next.append(a);
    });
    next.hidden = false;
    PmoApi.get(path + "/simulations").then(function (r) {
      if (!r.ok || !r.data.items.length) return;
      const runs = document.getElementById("runs");
      runs.append(row(["Strategy", "Months", "Runs", "Seed", "Thriving at the end", "Shutdown",
                       "Kept"], true));
      r.data.items.forEach(function (run) {
        const s = run.summary;
        const pct = function (x) { return typeof x === "number" ? Math.round(x * 100) + " %" : "-"; };
        runs.append(row([run.strategy, String(s.months), String(s.runs), String(run.seed),
                         pct(s.p_thriving_at_horizon), pct(s.p_shutdown_by_horizon),
                         run.created_at.slice(0, 16).replace("T", " ")]));
      });
      document.getElementById("kept-runs").hidden = false;
    });
  }

  function historyPage(org, number, pmo) {
    // the default PMO's history, or (?pmo=ID) another PMO's; links to the other PMOs
    const base = pmo ? `/organizations/${org}/pmos/${pmo}` : `/organizations/${org}`;
    PmoApi.get(`${base}/history`).then(function (r) {
      if (!r.ok) return PmoApi.showProblem(problem(), r.data);
      const h = r.data;
      document.getElementById("history-title").textContent = `History of ${h.organization.name}`;
      const which = document.getElementById("history-pmo");
      which.textContent = `PMO: ${h.pmo.name}${h.pmo.default ? " (default)" : ""}`;
      PmoApi.get(`/organizations/${org}/pmos`).then(function (all) {
        (all.data ? all.data.items : []).filter(function (p) { return p.id !== h.pmo.id; })
          .forEach(function (p) {
            const a = el("a", p.name);
            a.href = `/organizations/${org}/history` + (p.default ? "" : `?pmo=${p.id}`);
            which.append(document.createTextNode(" · "), a);
          });
      });
      document.getElementById("scenario-path").textContent = h.cycles.length
        ? "Scenario path: " + h.scenario_path.join(" → ") : "No closed cycle yet.";
      const cycles = document.getElementById("cycles");
      cycles.append(row(["Cycle", "Label", "Scenario", "Raters", "Closed"], true));
      PmoApi.get(`${base}/assessments`).then(function (all) {
        (all.data ? all.data.items : []).forEach(function (c) {
          const tr = row(["", c.label || "", c.scenario || "(open)", String(c.rater_count),
                          (c.closed_at || "").slice(0, 10)]);
          const link = el("a", `cycle ${c.number}`);
          link.href = `/organizations/${org}/assessments/${c.number}`;
          tr.children[0].append(link);
          if (c.scenario) tr.children[2].className = `scenario-${c.scenario}`;
          cycles.append(tr);
        });
      });
      const names = Object.keys(h.indicators);
      const series = names.map(function (name) {
        return {label: name, points: h.indicators[name].map(function (v, i) {
          return {x: h.cycles[i].number, mean: v}; }).filter(function (p) { return p.mean !== null; })};
      });
      if (h.cycles.length > 1) {
        // twelve indicators: each its own colour, dash and mark (Charts' styled series)
        document.getElementById("trend-chart").append(Charts.lines(series,
          {yMin: 1, yMax: 5, xLabel: "cycle", title: "indicators over the cycles", styled: true}));
        document.getElementById("trend-legend").append(Charts.legend(names.map(function (name) {
          return name.replaceAll("_", " "); }), null, {styled: true}));
      }
      const table = document.getElementById("indicator-table");
      table.append(row(["Indicator"].concat(h.cycles.map(function (c) { return "cycle " + c.number; }))
                       .concat(["trend"]), true));
      const last = h.cycles.length ? h.cycles[h.cycles.length - 1].trends : {};
      names.forEach(function (name) {
        table.append(row([name.replaceAll("_", " ")].concat(h.indicators[name].map(function (v) {
          return v === null ? "-" : v.toFixed(2); })).concat([last[name] || ""])));
      });
    });
  }

  // Each page says which it is in #memory-page (data-page, data-org, data-number): the
  // service's Content-Security-Policy allows no inline script to call us.
  const boot = document.getElementById("memory-page");
  if (boot) {
    const d = boot.dataset;
    const pages = {assess: assessPage, organizations: organizationsPage, cycle: cyclePage,
                   history: historyPage};
    pages[d.page](Number(d.org), Number(d.number), Number(d.pmo) || null);
  }

  return {assessPage: assessPage, organizationsPage: organizationsPage, cyclePage: cyclePage,
          historyPage: historyPage};
})();
