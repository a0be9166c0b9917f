// The simulate page: a shipped profile, the user's own (pasted or uploaded) or a saved one (a
// closed assessment cycle), one strategy -> POST /simulations, several -> POST
// /simulations/compare (as a job with its progress when the service runs jobs); any shipped
// strategy or the PMO's own plan; scheduled shocks on a timeline; the chances as percentages with
// 95% intervals and a verdict; a chart of any series with the shocks marked; a link that
// reproduces the run (every parameter and the seed); and a saved PMO's run kept in its history.
(function () {
  const $ = function (id) { return document.getElementById(id); };
  const el = PmoApi.el;
  const form = $("simulate-form"), problem = $("problem"), result = $("result");
  const choice = $("chart-choice"), shocksField = $("shocks");
  const MEASURES = [
    ["p_thriving_at_horizon", "chance of Thriving at the end"],
    ["p_thriving_ever", "chance of Thriving at some point"],
    ["p_crisis_ever", "chance of a Crisis at some point"],
    ["p_recovered", "chance of recovering"],
    ["p_shutdown_by_horizon", "chance of a shutdown"],
    ["p_collapse_by_horizon", "chance of a Collapse"],
    ["mean_months_in_crisis", "months in Crisis (mean)"],
    ["median_months_to_first_thriving", "months to first Thriving (median)"],
    ["mean_major_changes", "major changes (mean)"],
  ];
  const Z = 1.96;  // 95% intervals
  let experiments = [];  // the last result, one entry per strategy
  let shockNames = {};   // shock id -> its name
  let strategyNames = {};  // strategy id -> its name

  function strategyName(id) { return strategyNames[id] || id; }
  let lastShocks = [];   // the scheduled shocks of the last run, for the chart

  // --- numbers -------------------------------------------------------------------------------
  function number(value) {
    if (value === null || value === undefined) return "never";
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }

  // Wilson's score interval for a share p of n runs: sound even at 0% and 100%.
  function interval(p, n) {
    const z2 = Z * Z, centre = p + z2 / (2 * n);
    const spread = Z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return [Math.max(0, (centre - spread) / (1 + z2 / n)),
            Math.min(1, (centre + spread) / (1 + z2 / n))];
  }

  function percent(x) { return `${Math.round(x * 100)}%`; }

  function chance(p, n) {
    const [low, high] = interval(p, n);
    return `${percent(p)} (${percent(low)}–${percent(high)})`;
  }

  function cell(key, value, runs) {
    if (key.startsWith("p_") && typeof value === "number") return chance(value, runs);
    return number(value);
  }

  function summaryTable(rows, runs) {
    const table = $("summary");
    table.replaceChildren();
    const head = el("tr");
    head.append(el("th", "measure"));
    rows.forEach(function (row) { head.append(el("th", strategyName(row.strategy))); });
    table.append(head);
    MEASURES.forEach(function ([key, label]) {
      if (!rows.some(function (row) { return key in row; })) return;
      const tr = el("tr");
      tr.append(el("td", label));
      rows.forEach(function (row) { tr.append(el("td", cell(key, row[key], runs), "num")); });
      table.append(tr);
    });
  }

  // The verdict in one or two sentences: the strategy ahead on the first measure that tells them
  // apart (Thriving at the end, then recovering, then avoiding a shutdown), and whether this many
  // runs make the difference clear.
  const VERDICT_MEASURES = [["p_thriving_at_horizon", 1, "the best chance of Thriving after"],
                            ["p_recovered", 1, "the best chance of recovering within"],
                            ["p_shutdown_by_horizon", -1, "the least chance of a shutdown within"]];

  function verdict(rows, runs, months) {
    if (rows.length === 1) {
      const row = rows[0];
      return `Following ${strategyName(row.strategy)}, the PMO has a ${chance(row.p_thriving_at_horizon, runs)} ` +
        `chance of Thriving after ${months} months, and a ` +
        `${chance(row.p_shutdown_by_horizon, runs)} chance of being shut down.`;
    }
    const found = VERDICT_MEASURES.find(function ([key]) {
      return new Set(rows.map(function (r) { return r[key]; })).size > 1;
    });
    if (!found) return "The strategies fare alike on every chance measured.";
    const [key, sign, phrase] = found;
    const ranked = rows.slice().sort(function (a, b) { return sign * (b[key] - a[key]); });
    const best = ranked[0], next = ranked[1];
    const [bestLow, bestHigh] = interval(best[key], runs);
    const [nextLow, nextHigh] = interval(next[key], runs);
    const apart = sign > 0 ? bestLow > nextHigh : bestHigh < nextLow;
    const sure = best[key] === next[key] ? ""
      : apart ? " The intervals do not overlap: the difference is clear."
      : " The intervals overlap: run more runs before choosing on this difference alone.";
    return `${strategyName(best.strategy)} gives ${phrase} ${months} months: ` +
      `${chance(best[key], runs)}, against ${chance(next[key], runs)} for ` +
      `${strategyName(next.strategy)}.${sure}`;
  }

  // --- scheduled shocks on a timeline --------------------------------------------------------
  function parseShocks(text) {
    return String(text || "").split(",").map(function (s) { return s.trim(); })
      .filter(Boolean);
  }

  function marks(shocks) {
    return shocks.map(function (s) {
      const [id, month] = s.split("@");
      return {x: Number(month), label: shockNames[id] || id, kind: "shock"};
    }).filter(function (m) { return Number.isFinite(m.x); });
  }

  function drawShocks() {
    const shocks = parseShocks(shocksField.value);
    const months = Number(form.elements.months.value) || 36;
    $("shock-timeline").replaceChildren(Charts.timeline(months, marks(shocks)));
    $("shock-list").replaceChildren.apply($("shock-list"), shocks.map(function (s, i) {
      const item = el("li");
      const [id, month] = s.split("@");
      item.append(document.createTextNode(`${shockNames[id] || id}, month ${month} `));
      const remove = el("button", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove ${shockNames[id] || id} in month ${month}`);
      remove.addEventListener("click", function () {
        shocks.splice(i, 1);
        shocksField.value = shocks.join(", ");
        drawShocks();
      });
      item.append(remove);
      return item;
    }));
  }

  $("add-shock").addEventListener("click", function () {
    const shocks = parseShocks(shocksField.value);
    shocks.push(`${$("shock-kind").value}@${$("shock-month").value}`);
    shocksField.value = shocks.join(", ");
    drawShocks();
  });
  shocksField.addEventListener("input", drawShocks);
  form.elements.months.addEventListener("input", drawShocks);

  // --- the starting PMO ------------------------------------------------------------------------
  function source() { return form.elements.source.value; }

  function showSource() {
    $("source-preset").hidden = source() !== "preset";
    $("source-profile").hidden = source() !== "profile";
    $("source-saved").hidden = source() !== "saved";
  }

  // A saved PMO, "ORG/CYCLE": the profile its closed cycle concluded (fetched when run).
  function savedPmo() {
    const [organization, cycle] = String(form.elements.saved.value || "").split("/").map(Number);
    return {organization: organization, cycle: cycle};
  }

  function savedProfile() {
    const pmo = savedPmo();
    return PmoApi.get(`/organizations/${pmo.organization}/assessments/${pmo.cycle}`)
      .then(function (answer) {
        if (answer.ok && !answer.data.profile) {
          return {ok: false, data: {title: "This cycle is still open", errors: [],
                                    detail: "close it on its page to simulate its profile"}};
        }
        return answer;
      });
  }

  // The closed cycles of every organization's PMOs, as the saved sources to choose from: one
  // request (GET /assessments?status=closed gives each cycle with its organization's and PMO's
  // names) for up to 100 cycles, one more per 100 after that, SAVED_PAGES at most. A cycle is
  // chosen by its organization and number (unique within the organization).
  const SAVED_PAGES = 5;
  function listSaved() {
    const cycles = [];
    function page(offset) {
      return PmoApi.get(`/assessments?status=closed&limit=100&offset=${offset}`).then(function (r) {
        if (!r.ok) return 0;
        cycles.push.apply(cycles, r.data.items);
        const next = offset + r.data.items.length;
        if (r.data.items.length && next < r.data.count && next < SAVED_PAGES * 100) {
          return page(next);
        }
        return r.data.count - next;
      });
    }
    return page(0).then(function (unlisted) {
      const several = {};  // organizations whose cycles are of more than one PMO: name the PMO
      cycles.forEach(function (c) { if (!c.pmo_default) several[c.organization] = true; });
      const options = cycles.map(function (c) {
        const option = el("option", c.organization_name +
                          (several[c.organization] ? " · " + c.pmo_name : "") +
                          `, cycle ${c.number}` + (c.label ? ` (${c.label})` : "") +
                          `: ${c.scenario}`);
        option.value = `${c.organization}/${c.number}`;
        return option;
      });
      const note = !options.length ? "(no closed assessment cycle yet)"
        : unlisted > 0 ? `(${unlisted} more closed cycles not listed)` : null;
      if (note) {
        const option = el("option", note);
        option.value = "";
        option.disabled = options.length > 0;
        options.push(option);
      }
      $("saved").replaceChildren.apply($("saved"), options);
    });
  }

  form.querySelectorAll("input[name=source]").forEach(function (radio) {
    radio.addEventListener("change", showSource);
  });
  $("profile-file").addEventListener("change", function () {
    const file = $("profile-file").files[0];
    if (!file) return;
    file.text().then(function (text) { $("profile-text").value = text; });
  });

  // --- charts ----------------------------------------------------------------------------------
  // Chart options: momentum, each indicator, each scenario's share of runs, PMO exists.
  function chartOptions(first) {
    const options = [["momentum", "Momentum of the flywheel"]];
    Object.keys(first.series.indicators).forEach(function (name) {
      options.push([`indicator:${name}`, `Indicator: ${name.replace(/_/g, " ")}`]);
    });
    Object.keys(first.series.scenario_shares).forEach(function (name) {
      options.push([`share:${name}`, `Share of runs in ${name}`]);
    });
    options.push(["pmo_exists", "Share of runs with a PMO"]);
    return options;
  }

  function seriesOf(experiment, key) {
    const s = experiment.series, months = s.month;
    const band = function (b) {
      return months.map(function (m, i) { return {x: m, mean: b.p50[i], low: b.p10[i], high: b.p90[i]}; });
    };
    const line = function (values) {
      return months.map(function (m, i) { return {x: m, mean: values[i]}; });
    };
    if (key === "momentum") return {points: band(s.momentum), yMin: 0, yMax: 1};
    if (key === "pmo_exists") return {points: line(s.pmo_exists), yMin: 0, yMax: 1};
    const [kind, name] = key.split(":");
    if (kind === "indicator") return {points: band(s.indicators[name]), yMin: 1, yMax: 5};
    return {points: line(s.scenario_shares[name]), yMin: 0, yMax: 1};
  }

  function drawChart() {
    if (!experiments.length) return;
    const drawn = experiments.map(function (e) { return seriesOf(e, choice.value); });
    $("chart").replaceChildren(Charts.lines(drawn.map(function (d, i) {
      return {label: strategyName(experiments[i].strategy), points: d.points};
    }), {yMin: drawn[0].yMin, yMax: drawn[0].yMax, xLabel: "month",
         title: choice.options[choice.selectedIndex].text, markers: marks(lastShocks)}));
    $("legend").replaceChildren(Charts.legend(experiments.map(function (e) {
      return strategyName(e.strategy);
    })));
  }

  function show(data) {
    experiments = data.kind === "comparison" ? data.experiments : [data];
    lastShocks = experiments[0].shocks || [];
    const rows = data.kind === "comparison" ? data.table
      : [Object.assign({strategy: data.strategy}, data.summary)];
    $("result-title").textContent =
      `${experiments[0].profile.label}: ${data.runs} runs of ${data.months} months, seed ${data.seed}`;
    // The model's own verdict (paired run by run: surer) when the API gives one; otherwise the
    // page's, from the independent intervals.
    $("verdict").textContent = Array.isArray(data.verdict) && data.verdict.length
      ? data.verdict.join(" ") : verdict(rows, data.runs, data.months);
    summaryTable(rows, data.runs);
    const kept = choice.value || "momentum";
    choice.replaceChildren.apply(choice, chartOptions(experiments[0]).map(function ([value, text]) {
      const option = el("option", text);
      option.value = value;
      return option;
    }));
    choice.value = kept;
    $("model-version").textContent = data.model_version;
    result.hidden = false;
    drawChart();
  }

  // --- the request, and the link that reproduces it -------------------------------------------
  function parameters() {
    const data = new FormData(form);
    return {months: Number(data.get("months")), runs: Number(data.get("runs")),
            seed: Number(data.get("seed")), random_shocks: data.get("random_shocks") === "on",
            shocks: parseShocks(data.get("shocks")), strategies: data.getAll("strategy")};
  }

  // A profile typed as YAML goes nested in a YAML body (JSON values are YAML too), so the API
  // names a bad field as profile.indicators.influence, exactly where the user typed it.
  function yamlBody(fields, text) {
    const head = Object.entries(fields).map(function ([k, v]) {
      return `${k}: ${JSON.stringify(v)}`;
    });
    const lines = text.replace(/^---\s*\n/, "").split("\n").map(function (line) {
      return "  " + line;
    });
    return head.concat(["profile:"], lines).join("\n") + "\n";
  }

  // Jobs: unknown until the first long run asks; a service without them answers POST /jobs 404.
  // A job's runner takes seconds to start (measured: 4-5 s more than the same run answered
  // directly on a busy 2-core machine), so only runs of at least JOB_FROM run-months (runs x
  // months x strategies; 100 runs of 36 months is 3,600) go as jobs with their progress.
  let jobs = null;
  const POLL_MS = 400, JOB_FROM = 2000;

  function fraction(progress) {  // a number in [0, 1], or {done, total} replications
    if (typeof progress === "number") return progress;
    return progress && progress.total ? progress.done / progress.total : 0;
  }

  // Poll the job until it ends, showing its progress (and a button to cancel it); resolves as a
  // synchronous call would.
  function follow(job) {
    const bar = $("run-progress"), status = $("run-status"), cancel = $("cancel-run");
    $("run-state").hidden = false;
    cancel.hidden = false;
    cancel.onclick = function () { PmoApi.remove(`/jobs/${job.data.id}`); };
    return new Promise(function (resolve) {
      function poll(answer) {
        if (!answer.ok) { cancel.hidden = true; resolve(answer); return; }
        const j = answer.data;
        bar.value = j.status === "done" ? 1 : fraction(j.progress);
        status.textContent = `${j.status}, ${Math.round(bar.value * 100)}%`;
        if (["done", "failed", "cancelled"].indexOf(j.status) < 0) {
          setTimeout(function () { PmoApi.get(`/jobs/${j.id}`).then(poll); }, POLL_MS);
          return;
        }
        cancel.hidden = true;
        if (j.status === "done") resolve({ok: true, status: 200, data: j.result});
        else {
          resolve({ok: false, status: 500, data: {title: `The run was ${j.status}`,
                                                  detail: j.error || "", errors: []}});
        }
      }
      poll(job);
    });
  }

  // One request to the synchronous route, or, for a long run, as a job when the service runs jobs.
  function post(path, kind, value, yamlText) {
    function direct() {
      return yamlText === undefined ? PmoApi.postJson(path, value)
        : PmoApi.postDocument(path, yamlBody(value, yamlText));
    }
    const strategies = value.strategies ? value.strategies.length : 1;
    if (jobs === false || value.runs * value.months * strategies < JOB_FROM) return direct();
    const job = Object.assign({kind: kind}, value);
    const submitted = yamlText === undefined ? PmoApi.postJson("/jobs", job)
      : PmoApi.postDocument("/jobs", yamlBody(job, yamlText));
    return submitted.then(function (answer) {
      if (answer.status === 404) { jobs = false; return direct(); }
      jobs = true;
      return answer.status === 202 ? follow(answer) : answer;
    });
  }

  function send() {
    const p = parameters();
    const fields = {months: p.months, runs: p.runs, seed: p.seed, random_shocks: p.random_shocks,
                    shocks: p.shocks};
    if (p.strategies.length === 1) fields.strategy = p.strategies[0];
    else fields.strategies = p.strategies;
    const path = p.strategies.length === 1 ? "/simulations" : "/simulations/compare";
    const kind = p.strategies.length === 1 ? "simulation" : "comparison";
    if (source() === "preset") {
      return post(path, kind, Object.assign({preset: form.elements.preset.value}, fields));
    }
    if (source() === "saved") {
      return savedProfile().then(function (cycle) {
        if (!cycle.ok) return cycle;
        return post(path, kind, Object.assign({profile: cycle.data.profile}, fields));
      });
    }
    const text = $("profile-text").value;
    try {
      return post(path, kind, Object.assign({profile: JSON.parse(text)}, fields));
    } catch (e) {
      return post(path, kind, fields, text);
    }
  }

  function shareUrl() {
    const p = parameters(), query = new URLSearchParams();
    if (source() === "preset") query.set("preset", form.elements.preset.value);
    if (source() === "saved") {
      query.set("organization", savedPmo().organization);
      query.set("cycle", savedPmo().cycle);
    }
    p.strategies.forEach(function (s) { query.append("strategy", s); });
    query.set("months", p.months);
    query.set("runs", p.runs);
    query.set("seed", p.seed);
    query.set("random_shocks", p.random_shocks ? "1" : "0");
    if (p.shocks.length) query.set("shocks", p.shocks.join(","));
    query.set("run", "1");
    const own = source() === "profile"
      ? "#profile=" + encodeURIComponent($("profile-text").value) : "";
    return `${location.pathname}?${query}${own}`;
  }

  // The control a field error belongs to: the run's own fields, or the profile box.
  function controlOf(field) {
    const name = field.split(/[.[]/)[0];
    if (["months", "runs", "seed"].indexOf(name) >= 0) return form.elements[name];
    if (name === "shocks") return shocksField;
    if (name === "strategy" || name === "strategies") return $("strategies");
    if (source() === "saved" && (name === "preset" || name === "profile")) return $("saved");
    if (name === "preset") return source() === "preset" ? $("preset") : $("profile-text");
    if (name === "profile" || source() === "profile") return $("profile-text");
    return null;
  }

  function run() {
    problem.hidden = true;
    PmoApi.markFields(null);
    const button = $("run-button");
    button.disabled = true;
    const url = shareUrl();
    $("run-state").hidden = true;
    $("save-box").hidden = true;
    const ran = {pmo: source() === "saved" ? savedPmo() : null, parameters: parameters()};
    send().then(function (answer) {
      button.disabled = false;
      if (answer.ok) {
        show(answer.data);
        history.replaceState(null, "", url);
        $("share-link").href = url;
        offerSave(ran);
        return;
      }
      result.hidden = true;
      PmoApi.showProblem(problem, answer.data);
      PmoApi.markFields(answer.data, controlOf);
    });
  }

  // A saved PMO's run kept with its cycle (POST .../simulations, one per strategy): the store
  // keeps months, runs and seed, so a run with scheduled shocks or without random ones is not
  // offered (it could not be told again from what is kept).
  function offerSave(ran) {
    const box = $("save-box"), button = $("save-run"), status = $("save-status");
    box.hidden = !ran.pmo;
    if (!ran.pmo) return;
    const p = ran.parameters;
    const keepable = p.random_shocks && !p.shocks.length;
    button.disabled = !keepable;
    status.replaceChildren(keepable ? "" : "Only runs with random shocks and no scheduled " +
                           "shock can be kept: the history keeps months, runs and seed.");
    button.onclick = function () {
      button.disabled = true;
      const path = `/organizations/${ran.pmo.organization}/assessments/${ran.pmo.cycle}/simulations`;
      p.strategies.reduce(function (previous, strategy) {
        return previous.then(function (failed) {
          if (failed) return failed;
          return PmoApi.postJson(path, {strategy: strategy, months: p.months, runs: p.runs,
                                        seed: p.seed})
            .then(function (answer) { return answer.ok ? null : answer; });
        });
      }, Promise.resolve(null)).then(function (failed) {
        if (failed) { PmoApi.showProblem(problem, failed.data); button.disabled = false; return; }
        const link = el("a", `cycle ${ran.pmo.cycle}`);
        link.href = `/organizations/${ran.pmo.organization}/assessments/${ran.pmo.cycle}`;
        status.replaceChildren(`Kept in the history with ${p.strategies.length} run(s): see `,
                               link, ".");
      });
    };
  }

  // Fill the form from a shared link; run it when the link says so.
  function restore() {
    const query = new URLSearchParams(location.search);
    const own = /^#profile=(.*)$/s.exec(location.hash);
    if (own) {
      form.elements.source.value = "profile";
      $("profile-text").value = decodeURIComponent(own[1]);
    } else if (query.has("organization") && query.has("cycle")) {
      form.elements.source.value = "saved";
      form.elements.saved.value = `${query.get("organization")}/${query.get("cycle")}`;
      if (!form.elements.saved.value) {  // not among the closed cycles: say so, run nothing
        PmoApi.showProblem(problem, {title: "No such saved assessment", errors: [],
          detail: `organization ${query.get("organization")} has no closed cycle ` +
                  `${query.get("cycle")}: close it on its page first`});
        showSource();
        return;
      }
    } else if (query.has("preset")) {
      form.elements.preset.value = query.get("preset");
    }
    showSource();
    const wanted = query.getAll("strategy");
    if (wanted.length) {
      form.querySelectorAll("input[name=strategy]").forEach(function (box) {
        box.checked = wanted.indexOf(box.value) >= 0;
      });
    }
    ["months", "runs", "seed"].forEach(function (name) {
      if (query.has(name)) form.elements[name].value = query.get(name);
    });
    if (query.has("random_shocks")) {
      form.elements.random_shocks.checked = query.get("random_shocks") === "1";
    }
    if (query.has("shocks")) shocksField.value = parseShocks(query.get("shocks")).join(", ");
    drawShocks();
    if (query.get("run") === "1") run();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  choice.addEventListener("change", drawChart);

  Promise.all([PmoApi.get("/profiles"), PmoApi.get("/strategies"), PmoApi.get("/shocks"),
               listSaved()])
    .then(function ([profiles, strategies, shocks]) {
      const failed = [profiles, strategies, shocks].find(function (a) { return !a.ok; });
      if (failed) { PmoApi.showProblem(problem, failed.data); return; }
      profiles.data.items.forEach(function (p) {
        const option = el("option", `${p.name} (${p.id})`);
        option.value = p.id;
        $("preset").append(option);
      });
      strategies.data.items.forEach(function (s, i) {
        strategyNames[s.id] = s.name;
        const label = el("label");
        label.title = s.summary;
        const box = el("input");
        Object.assign(box, {type: "checkbox", name: "strategy", value: s.id, checked: i === 0});
        label.append(box, document.createTextNode(" " + s.name));
        $("strategies").append(label);
      });
      strategyNames.plan = "The PMO's plan";  // its advice, wave by wave (simulation/plan.py)
      const plan = el("label");
      plan.title = "The profile's own advice plan: its waves of service changes as a strategy";
      const box = el("input");
      Object.assign(box, {type: "checkbox", name: "strategy", value: "plan"});
      plan.append(box, document.createTextNode(" " + strategyNames.plan + " (its advice)"));
      $("strategies").append(plan);
      shocks.data.items.forEach(function (s) {
        shockNames[s.id] = s.name;
        const option = el("option", s.name);
        option.value = s.id;
        option.title = s.summary;
        $("shock-kind").append(option);
      });
      restore();
    });
})();
