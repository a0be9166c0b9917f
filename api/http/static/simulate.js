// The simulate page: one strategy -> POST /simulations, several -> POST /simulations/compare;
// a table of outcome measures per strategy and a chart of any series, median and band.
(function () {
  const $ = function (id) { return document.getElementById(id); };
  const el = PmoApi.el;
  const form = $("simulate-form"), problem = $("problem"), result = $("result");
  const choice = $("chart-choice");
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
  let experiments = [];  // the last result, one entry per strategy

  function number(value) {
    if (value === null || value === undefined) return "never";
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }

  function summaryTable(rows) {
    const table = $("summary");
    table.replaceChildren();
    const head = el("tr");
    head.append(el("th", "measure"));
    rows.forEach(function (row) { head.append(el("th", row.strategy)); });
    table.append(head);
    MEASURES.forEach(function ([key, label]) {
      if (!rows.some(function (row) { return key in row; })) return;
      const tr = el("tr");
      tr.append(el("td", label));
      rows.forEach(function (row) { tr.append(el("td", number(row[key]), "num")); });
      table.append(tr);
    });
  }

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
      return {label: experiments[i].strategy, points: d.points};
    }), {yMin: drawn[0].yMin, yMax: drawn[0].yMax, xLabel: "month",
         title: choice.options[choice.selectedIndex].text}));
    $("legend").replaceChildren(Charts.legend(experiments.map(function (e) { return e.strategy; })));
  }

  function show(data) {
    experiments = data.kind === "comparison" ? data.experiments : [data];
    const rows = data.kind === "comparison" ? data.table
      : [Object.assign({strategy: data.strategy}, data.summary)];
    $("result-title").textContent =
      `${experiments[0].profile.label}: ${data.runs} runs of ${data.months} months, seed ${data.seed}`;
    summaryTable(rows);
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

  function request() {
    const data = new FormData(form);
    const strategies = data.getAll("strategy");
    const body = {preset: data.get("preset"), months: Number(data.get("months")),
                  runs: Number(data.get("runs")), seed: Number(data.get("seed")),
                  random_shocks: data.get("random_shocks") === "on",
                  shocks: String(data.get("shocks") || "").split(",")
                    .map(function (s) { return s.trim(); }).filter(Boolean)};
    if (strategies.length === 1) body.strategy = strategies[0];
    else body.strategies = strategies;
    return {path: strategies.length === 1 ? "/simulations" : "/simulations/compare", body: body};
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    problem.hidden = true;
    const button = $("run-button");
    button.disabled = true;
    const {path, body} = request();
    PmoApi.postJson(path, body).then(function (answer) {
      button.disabled = false;
      if (answer.ok) { show(answer.data); return; }
      result.hidden = true;
      PmoApi.showProblem(problem, answer.data);
    });
  });
  choice.addEventListener("change", drawChart);

  PmoApi.get("/profiles").then(function (answer) {
    if (!answer.ok) { PmoApi.showProblem(problem, answer.data); return; }
    answer.data.items.forEach(function (p) {
      const option = el("option", `${p.name} (${p.id})`);
      option.value = p.id;
      $("preset").append(option);
    });
  });
  PmoApi.get("/strategies").then(function (answer) {
    if (!answer.ok) { PmoApi.showProblem(problem, answer.data); return; }
    answer.data.items.forEach(function (s, i) {
      const label = el("label");
      label.title = s.summary;
      const box = el("input");
      Object.assign(box, {type: "checkbox", name: "strategy", value: s.id, checked: i === 0});
      label.append(box, document.createTextNode(" " + s.name));
      $("strategies").append(label);
    });
  });
})();
