// The stories pages: the list of shipped stories, and one story told month by month.
(function () {
  const $ = function (id) { return document.getElementById(id); };
  const el = PmoApi.el;
  const problem = $("problem");

  function listStories() {
    PmoApi.get("/stories").then(function (answer) {
      if (!answer.ok) { PmoApi.showProblem(problem, answer.data); return; }
      answer.data.items.forEach(function (story) {
        const link = el("a");
        link.href = `${location.pathname.replace(/\/$/, "")}/${encodeURIComponent(story.id)}`;
        link.append(el("strong", story.title), el("span", story.summary));
        const present = el("a", "Present full screen", "present-link");
        present.href = `${link.href}/present`;
        present.setAttribute("aria-label", `Present full screen: ${story.title}`);
        const item = el("li");
        item.append(link, present);
        $("story-list").append(item);
      });
    });
  }

  function entry(e) {
    const item = el("li", "", e.kind);
    const head = el("p");
    head.append(el("strong", `Month ${e.month}`), document.createTextNode(" · " + e.text));
    item.append(head);
    if (e.say) item.append(el("blockquote", e.say));
    if (e.scenario_to && e.scenario_from !== e.scenario_to) {
      item.classList.add("change");
      const change = e.scenario_from ? `${e.scenario_from} → ${e.scenario_to}` : e.scenario_to;
      item.append(el("p", `${change} (confidence ${e.confidence.toFixed(2)})`, "meta"));
      const why = el("ul", "", "rules");
      e.rules.forEach(function (r) {
        const li = el("li");
        li.append(el("code", r.id), document.createTextNode(": " + r.reason));
        why.append(li);
      });
      item.append(why);
    }
    return item;
  }

  function show(story) {
    $("story-title").textContent = story.title;
    $("story-summary").textContent = story.summary;
    $("story-path").replaceChildren.apply($("story-path"), story.path.map(function (s) {
      return el("span", s);
    }));
    $("story-expected").textContent = story.follows_expected_path
      ? "(as the story expects)" : `(the story expects ${story.expect_path.join(" → ")})`;
    const months = story.series.month;
    const chart = el("div");
    chart.append(Charts.lines([{label: "momentum", points: months.map(function (m, i) {
      return {x: m, mean: story.series.momentum[i]};
    })}], {yMin: 0, yMax: 1, xLabel: "month", title: "momentum", markers: story.timeline
      .filter(function (e) { return ["shock", "strategy", "shutdown", "launch"].indexOf(e.kind) >= 0; })
      .map(function (e) { return {x: e.month, kind: e.kind, label: e.name.replace(/_/g, " ")}; })}),
    Charts.strip(story.series.scenario, {title: "scenario per month"}),
    Charts.legend(Array.from(new Set(story.path)), Array.from(new Set(story.path))
      .map(function (s) { return `scenario-${s}`; })));
    $("story-chart").replaceChildren(chart);
    $("timeline").replaceChildren.apply($("timeline"), story.timeline.map(entry));
    const points = story.takeaways || [];
    $("takeaways").replaceChildren.apply($("takeaways"), points.map(function (t) {
      return el("li", t);
    }));
    $("takeaways-section").hidden = points.length === 0;
    $("told").hidden = false;
  }

  function tell(id, seed) {
    problem.hidden = true;
    const query = seed === "" || seed === undefined ? "" : `?seed=${encodeURIComponent(seed)}`;
    PmoApi.get(`/stories/${encodeURIComponent(id)}${query}`).then(function (answer) {
      if (answer.ok) {
        show(answer.data);
        const present = $("present-link");  // present the variant being read
        present.href = present.getAttribute("href").split("?")[0] + query;
        return;
      }
      PmoApi.showProblem(problem, answer.data);
    });
  }

  if ($("story-list")) listStories();
  const story = $("story");
  if (story) {
    tell(story.dataset.story);
    $("variant").addEventListener("submit", function (event) {
      event.preventDefault();
      tell(story.dataset.story, $("variant").elements.seed.value);
    });
  }
})();
