// The diagnose page: load a shipped profile or take a pasted one, POST it to /diagnoses and show
// the scenario, the ranking, the rules behind it and the transition signs.
(function () {
  const $ = function (id) { return document.getElementById(id); };
  const el = PmoApi.el;
  const select = $("profile-select"), text = $("profile-text"), problem = $("problem");
  const result = $("result");
  let names = {};  // scenario id -> the guide's name
  let loaded = "";  // the shipped profile's text as loaded (unchanged: link to it by id)

  function scenarioName(id) { return names[id] || id; }

  function evidenceText(evidence) {
    return Object.entries(evidence || {}).map(function ([k, v]) { return `${k} = ${v}`; })
      .join(", ");
  }

  function ruleItem(rule, extra) {
    const item = el("li");
    item.append(el("p", rule.reason));
    const meta = el("p", "", "meta");
    meta.append(el("code", rule.id || rule.rule),
                document.createTextNode(` · ${extra} · ${rule.source || ""}`));
    const evidence = evidenceText(rule.evidence);
    if (evidence) meta.append(document.createTextNode(` · ${evidence}`));
    item.append(meta);
    return item;
  }

  function fill(list, items, empty) {
    list.replaceChildren.apply(list, items.length ? items : [el("li", empty, "meta")]);
  }

  function show(d) {
    $("result-scenario").textContent = scenarioName(d.scenario);
    $("result-confidence").textContent = d.confidence.toFixed(2);
    const runnerUp = d.ranking[1];
    $("result-summary").textContent = runnerUp && runnerUp.score > 0
      ? `Next most likely: ${scenarioName(runnerUp.scenario)} (${runnerUp.score.toFixed(2)}).`
      : "";
    $("ranking-chart").replaceChildren(Charts.bars(d.ranking.map(function (r) {
      return {label: scenarioName(r.scenario), value: r.score, highlight: r.scenario === d.scenario};
    }), {title: "scenario scores"}));
    const rules = d.fired_rules;
    fill($("why"), rules.filter(function (r) {
      return r.effect === "evidence" && r.scenario === d.scenario;
    }).map(function (r) { return ruleItem(r, `+${r.weight}`); }), "no rule");
    fill($("ruled-out"), rules.filter(function (r) { return r.effect === "exclude"; })
      .map(function (r) { return ruleItem(r, `rules out ${scenarioName(r.scenario)}`); }),
      "no scenario ruled out");
    fill($("also-seen"), rules.filter(function (r) {
      return r.effect === "evidence" && r.scenario !== d.scenario;
    }).map(function (r) { return ruleItem(r, `${scenarioName(r.scenario)} +${r.weight}`); }),
      "no evidence for other scenarios");
    fill($("transitions"), d.transition_signs.map(function (t) {
      return ruleItem(t, `towards ${scenarioName(t.towards)}`);
    }), "no sign of a transition");
    $("missing").textContent = d.missing_indicators.length
      ? `Not assessed: ${d.missing_indicators.join(", ")}.` : "Every indicator assessed.";
    simulateLink();
    result.hidden = false;
  }

  // The next step with the same PMO: a shipped profile by its id, an edited or pasted one whole
  // (in the link's fragment: never sent to the server, read by the simulate page).
  function simulateLink() {
    const link = $("simulate-link");
    const base = link.getAttribute("href").split(/[?#]/)[0];
    link.href = select.value && text.value === loaded
      ? `${base}?preset=${encodeURIComponent(select.value)}`
      : `${base}#profile=${encodeURIComponent(text.value)}`;
  }

  const SERVICES_SHOWN = 10, FOCUS_SHOWN = 3;

  function showAdvice(a) {
    const table = $("advice-services");
    table.replaceChildren();
    const head = el("tr");
    ["#", "service", "action", "timing", "maturity now → target"].forEach(function (h) {
      head.append(el("th", h));
    });
    table.append(head);
    a.services.slice(0, SERVICES_SHOWN).forEach(function (s) {
      const row = el("tr");
      const now = s.current_maturity === null ? "–" : s.current_maturity;
      const target = s.recommended_maturity === null ? "–" : s.recommended_maturity;
      [s.rank, s.name, s.action, s.timing, `${now} → ${target}`].forEach(function (v) {
        row.append(el("td", String(v)));
      });
      table.append(row);
    });
    const gaps = a.competencies.filter(function (c) {
      return c.status === "critical" || c.status === "develop";
    }).map(function (c) {
      return el("li", `${c.name}: ${c.status} (needs ${c.required}, has ${c.current})`);
    });
    const unassessed = a.competencies.filter(function (c) { return c.status === "assess"; });
    if (unassessed.length) {
      gaps.push(el("li", `${unassessed.length} more to assess: ` +
                   unassessed.map(function (c) { return c.name; }).join(", "), "meta"));
    }
    fill($("advice-competencies"), gaps, "no gap");
    const HEAT = {critical: 4, develop: 3, ready: 0};
    const assessed = a.competencies.filter(function (c) { return c.status in HEAT; });
    $("competency-heatmap").replaceChildren(Charts.heatmap(["has", "needs", "gap", "status"],
      assessed.map(function (c) {
        const level = HEAT[c.status];
        return {label: c.name, cells: [c.current, c.required, c.gap, c.status].map(function (v) {
          return {text: typeof v === "number" ? String(v) : v, level: level};
        })};
      }), {caption: "Assessed competencies of the PMO team: level now, level the services " +
                    "need (1-5), and the gap"}));
    const focus = a.flywheel_focus.slice(0, FOCUS_SHOWN);
    fill($("advice-focus"), focus.map(function (f, i) {
      return el("li", `${i + 1}. ${f.name} (${f.stage})`);
    }), "no focus");
    flywheelReady.then(function (steps) {
      const rank = {};
      focus.forEach(function (f, i) { rank[f.step] = i + 1; });
      $("flywheel-ring").replaceChildren(Charts.ring(steps.map(function (step) {
        const words = step.name.split(" ");
        const label = (step.id in rank ? `${rank[step.id]}. ` : "") +
          (words.length > 1 ? `${words[0]}\n${words.slice(1).join(" ")}` : step.name);
        return {id: step.id, label: label, classes: step.id in rank ? ["focus"] : [],
                big: step.id in rank};
      }), {size: 700, radius: 262, node: 74, center: ["Flywheel", "focus steps numbered"],
           title: "The PMO flywheel's ten steps; focus on " +
                  focus.map(function (f) { return f.name; }).join(", ")}));
    });
    fill($("advice-warnings"), a.warnings.map(function (w) {
      const about = Object.entries(w.about).map(function ([k, v]) {
        return `${k} ${Array.isArray(v) ? v.join(", ") : v}`;
      }).join("; ");
      return el("li", `${w.severity}: ${w.reason}` + (about ? ` (${about})` : ""));
    }), "no warning");
    $("advice").hidden = false;
  }

  // Every field of a problem here is a field of the profile typed in the box.
  function refused(data) {
    PmoApi.showProblem(problem, data);
    PmoApi.markFields(data, function () { return text; });
  }

  function advise() {
    problem.hidden = true;
    PmoApi.markFields(null);
    PmoApi.postDocument("/recommendations", text.value).then(function (answer) {
      if (answer.ok) { showAdvice(answer.data); return; }
      $("advice").hidden = true;
      refused(answer.data);
    });
  }

  function diagnose() {
    problem.hidden = true;
    $("advice").hidden = true;
    PmoApi.markFields(null);
    PmoApi.postDocument("/diagnoses", text.value).then(function (answer) {
      if (answer.ok) { namesReady.then(function () { show(answer.data); }); return; }
      result.hidden = true;
      refused(answer.data);
    });
  }

  function loadProfile(id) {
    if (!id) return;
    PmoApi.get(`/profiles/${encodeURIComponent(id)}`).then(function (answer) {
      if (!answer.ok) { PmoApi.showProblem(problem, answer.data); return; }
      $("profile-description").textContent = answer.data.description;
      text.value = JSON.stringify(answer.data.profile, null, 2);
      loaded = text.value;
      diagnose();
    });
  }

  const flywheelReady = PmoApi.get("/catalog/flywheel").then(function (answer) {
    return answer.ok ? answer.data.items.slice().sort(function (x, y) {
      return x.number - y.number;
    }) : [];
  });
  const namesReady = PmoApi.get("/catalog/scenarios").then(function (answer) {
    if (answer.ok) answer.data.items.forEach(function (s) { names[s.id] = s.name; });
  });
  PmoApi.get("/profiles").then(function (answer) {
    if (!answer.ok) { PmoApi.showProblem(problem, answer.data); return; }
    answer.data.items.forEach(function (p) {
      const option = el("option", `${p.name} (${p.id})`);
      option.value = p.id;
      select.append(option);
    });
    const wanted = new URLSearchParams(location.search).get("profile");
    if (wanted) { select.value = wanted; loadProfile(wanted); }
  });
  select.addEventListener("change", function () { loadProfile(select.value); });
  $("profile-file").addEventListener("change", function () {
    const file = $("profile-file").files[0];
    if (!file) return;
    file.text().then(function (content) {
      select.value = "";
      text.value = content;
      diagnose();
    });
  });
  $("diagnose-button").addEventListener("click", diagnose);
  $("advise-button").addEventListener("click", advise);
})();
