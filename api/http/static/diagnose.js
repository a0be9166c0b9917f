// The diagnose page: load a shipped profile or take a pasted one, POST it to /diagnoses and show
// the scenario, the ranking, its coverage, the rules behind it, the transition signs and what
// would change it (each counterfactual's merge patch can be applied to the profile and rerun;
// the API searches for them only when asked: ?explain=true).
(function () {
  const $ = function (id) { return document.getElementById(id); };
  const el = PmoApi.el;
  const select = $("profile-select"), text = $("profile-text"), problem = $("problem");
  const result = $("result");
  let names = {};  // scenario id -> the guide's name
  let loaded = "";  // the shipped or stored profile's text as loaded (unchanged: link by id)
  let stored = null;  // {organization, cycle}: the profile is a stored PMO's closed cycle
  const THIN = 0.5;  // below this coverage the answer rests on little (api/reports/diagnosis.py)

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

  // RFC 7386: a value replaces, null removes, a mapping merges, anything else replaces whole.
  function mergePatch(target, patch) {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    const out = (target && typeof target === "object" && !Array.isArray(target))
      ? Object.assign({}, target) : {};
    Object.entries(patch).forEach(function ([k, v]) {
      if (v === null) delete out[k]; else out[k] = mergePatch(out[k], v);
    });
    return out;
  }

  function counterfactualItem(c) {
    const item = el("li");
    item.append(el("p", `${scenarioName(c.scenario)}, if:`));
    const changes = el("ul");
    c.changes.forEach(function (line) { changes.append(el("li", line)); });
    item.append(changes);
    const apply = el("button", `Apply and diagnose again`);
    apply.type = "button";
    apply.className = "apply-counterfactual";
    apply.addEventListener("click", function () {
      let profile;
      try { profile = JSON.parse(text.value); } catch (e) { profile = null; }
      if (profile === null) {  // YAML in the box: the server reads it; show the patch instead
        text.value = text.value + "\n# apply this JSON merge patch (RFC 7386):\n# " +
          JSON.stringify(c.profile_patch);
        return;
      }
      text.value = JSON.stringify(mergePatch(profile, c.profile_patch), null, 2);
      diagnose();
    });
    item.append(apply);
    return item;
  }

  function fill(list, items, empty) {
    list.replaceChildren.apply(list, items.length ? items : [el("li", empty, "meta")]);
  }

  function show(d) {
    $("result-scenario").textContent = scenarioName(d.scenario);
    $("result-confidence").textContent = d.confidence.toFixed(2);
    $("result-coverage").textContent = d.coverage.toFixed(2);
    const thin = $("result-thin");
    thin.hidden = d.coverage >= THIN;
    thin.textContent = thin.hidden ? "" : `This answer rests on little: the profile gives ` +
      `${Math.round(d.coverage * 100)}% of the evidence the rules use. Assess the indicators ` +
      `listed below and their trends before acting on it.`;
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
    fill($("counted-against"), rules.filter(function (r) { return r.effect === "against"; })
      .map(function (r) { return ruleItem(r, `${scenarioName(r.scenario)} −${r.weight}`); }),
      "no counter-evidence");
    fill($("counterfactuals"), (d.counterfactuals || []).map(counterfactualItem),
      "no change found that would move the diagnosis to a neighbouring scenario");
    fill($("ruled-out"), rules.filter(function (r) { return r.effect === "exclude"; })
      .map(function (r) { return ruleItem(r, `rules out ${scenarioName(r.scenario)}`); }),
      "no scenario ruled out");
    fill($("also-seen"), rules.filter(function (r) {
      return r.effect === "evidence" && r.scenario !== d.scenario;
    }).map(function (r) { return ruleItem(r, `${scenarioName(r.scenario)} +${r.weight}`); }),
      "no evidence for other scenarios");
    fill($("transitions"), d.transition_signs.map(function (t) {
      return ruleItem(t, `towards ${scenarioName(t.towards)}` +
                      (t.rests_on_one ? " · rests on this one signal"
                                      : ` · ${t.concurring.length} concurring`));
    }), "no sign of a transition");
    $("missing").textContent = d.missing_indicators.length
      ? `Not assessed: ${d.missing_indicators.join(", ")}.` : "Every indicator assessed.";
    simulateLink();
    result.hidden = false;
  }

  // The next step with the same PMO: a shipped profile by its id, an edited or pasted one whole
  // (in the link's fragment: never sent to the server, read by the simulate page).
  // A stored PMO by its organization and cycle, and then its plan against alternatives.
  function simulateLink() {
    [$("simulate-link"), $("simulate-plan-link")].forEach(function (link) {
      const base = link.getAttribute("href").split(/[?#]/)[0];
      link.href = stored && text.value === loaded
        ? PmoApi.pmoLink("simulate", stored.organization, stored.cycle)
        : select.value && text.value === loaded
          ? `${base}?preset=${encodeURIComponent(select.value)}&strategy=plan&strategy=minimal`
          : `${base}?strategy=plan&strategy=minimal#profile=${encodeURIComponent(text.value)}`;
    });
  }

  const SERVICES_SHOWN = 10, FOCUS_SHOWN = 3;

  function level(value) { return value === null ? "–" : value; }

  // The plan: what to do about the PMO itself, then each wave's changes within its capacity.
  function showPlan(plan) {
    const waves = plan.waves;
    $("advice-capacity").textContent = waves.length
      ? `At most ${waves[0].capacity} service changes per wave; ` +
        `${plan.deferred.length} services wait beyond the three waves.` : "";
    const items = plan.structure.map(function (s) {
      return el("li", `${s.wave}: ${s.recommendation}`);
    });
    waves.forEach(function (w) {
      const changes = w.changes.map(function (c) {
        return `${c.action} ${c.service} ${level(c.from_maturity)} → ${level(c.to_maturity)}`;
      });
      const item = el("li", `${w.wave} (${w.changes.length}/${w.capacity}): ` +
                      (changes.join("; ") || "no change"));
      w.changes.forEach(function (c) {  // why each change, in this wave
        item.append(el("p", `${c.service.replaceAll("_", " ")}: ${c.reason}`, "meta reason"));
      });
      items.push(item);
    });
    fill($("advice-plan"), items, "no change");
    simulateLink();
  }

  // How to work with each customer: per customer and approach, the services (of the first shown)
  // delivered that way and every distinct reason why.
  function showApproaches(a) {
    const shown = new Set(a.services.slice(0, SERVICES_SHOWN).map(function (s) { return s.id; }));
    const names = {};
    a.services.forEach(function (s) { names[s.id] = s.name; });
    const groups = new Map();
    a.approaches.filter(function (x) { return shown.has(x.service); }).forEach(function (x) {
      const key = `${x.customer} ${x.approach}`;
      if (!groups.has(key)) {
        groups.set(key, {customer: x.customer, approach: x.approach, services: [], why: []});
      }
      const g = groups.get(key);
      g.services.push(names[x.service] || x.service);
      x.because.forEach(function (b) { if (g.why.indexOf(b.reason) < 0) g.why.push(b.reason); });
    });
    const table = $("advice-approaches");
    table.replaceChildren();
    const head = el("tr");
    ["customer", "approach", "services", "why"].forEach(function (h) { head.append(el("th", h)); });
    table.append(head);
    Array.from(groups.values()).sort(function (x, y) {
      return x.customer < y.customer ? -1 : x.customer > y.customer ? 1 : 0;
    }).forEach(function (g) {
      const row = el("tr");
      [g.customer.replaceAll("_", " "), g.approach, g.services.join(", "), g.why.join(" ")]
        .forEach(function (v) { row.append(el("td", v)); });
      table.append(row);
    });
    if (!groups.size) {
      const none = el("tr");
      const cell = el("td", "no customer in the profile: ask the PMO's customers to rank outcomes");
      cell.colSpan = 4;
      none.append(cell);
      table.append(none);
    }
  }

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
    showPlan(a.plan);
    showApproaches(a);
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
    PmoApi.postDocument("/diagnoses?explain=true", text.value).then(function (answer) {
      if (answer.ok) { namesReady.then(function () { show(answer.data); }); return; }
      result.hidden = true;
      refused(answer.data);
    });
  }

  // A stored PMO: the profile its closed assessment cycle concluded (GET .../assessments/N).
  function loadCycle(organization, cycle) {
    Promise.all([PmoApi.get(`/organizations/${organization}`),
                 PmoApi.get(`/organizations/${organization}/assessments/${cycle}`)])
      .then(function ([org, found]) {
        const failed = [org, found].find(function (a) { return !a.ok; });
        if (failed) { PmoApi.showProblem(problem, failed.data); return; }
        if (!found.data.profile) {
          PmoApi.showProblem(problem, {title: "This cycle is still open", errors: [],
            detail: `close cycle ${cycle} (on its page) to diagnose the profile it concludes`});
          return;
        }
        stored = {organization: organization, cycle: cycle};
        const label = found.data.label ? ` (${found.data.label})` : "";
        $("profile-description").textContent =
          `${org.data.name}: assessment cycle ${cycle}${label}, closed.`;
        const back = $("cycle-link");
        back.href = `/organizations/${organization}/assessments/${cycle}`;
        back.hidden = false;
        text.value = JSON.stringify(found.data.profile, null, 2);
        loaded = text.value;
        diagnose();
      });
  }

  function loadProfile(id) {
    if (!id) return;
    stored = null;
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
    const query = new URLSearchParams(location.search);
    const wanted = query.get("profile");
    if (wanted) { select.value = wanted; loadProfile(wanted); }
    if (query.has("organization") && query.has("cycle")) {
      loadCycle(Number(query.get("organization")), Number(query.get("cycle")));
    }
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
