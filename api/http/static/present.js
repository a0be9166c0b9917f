// Presenter mode for a story: a title slide, one slide per moment of the story (any month with
// the slider), and a closing slide. Keyboard: Right/PageDown/N next, Left/PageUp/P back,
// Space play/pause, Home/End first/last, R rule ids, F full screen. A clicker sends PageDown.
(function () {
  const $ = function (id) { return document.getElementById(id); };
  const el = PmoApi.el;
  const deck = $("deck");
  const PLAY_MS = 700;          // one month per tick while playing
  // The indicators the room watches: the ones the guide's transition signs speak of first.
  const WATCHED = ["executive_support", "stakeholder_support", "resources", "influence",
                   "autonomy"];
  const KIND = {start: "Where it starts", review: "Executive review", shock: "Shock",
                strategy: "Change of course", shutdown: "Shutdown", launch: "A new PMO"};

  let story = null, scenarios = [], names = {}, indicatorNames = {}, strategyNames = {};
  let stops = [];               // months with something in the timeline, ascending
  let place = {slide: "title", month: 0};
  let timer = null;

  function nameOf(id) { return names[id] || id; }

  // --- the ring of the eight scenarios, in the guide's order (Fig. 4-1) ------------------------
  function ring(month) {
    const now = story.series.scenario[month];
    const seen = new Set(story.series.scenario.slice(0, month + 1));
    return Charts.ring(scenarios.map(function (s) {
      const classes = [`scenario-${s.id}`];
      if (seen.has(s.id)) classes.push("visited");
      if (s.id === now) classes.push("current");
      return {id: s.id, label: s.name, classes: classes, big: s.id === now};
    }), {title: `The ring of the eight scenarios: the PMO is in ${nameOf(now)}`,
         center: [story.series.pmo_exists[month] ? "PMO" : "no PMO", nameOf(now)]});
  }

  // --- the moment: what happened this month, and why the scenario changed ---------------------
  function entriesAt(month) {
    return story.timeline.filter(function (e) { return e.month === month; });
  }

  function lastMomentBefore(month) {
    const earlier = stops.filter(function (m) { return m < month; });
    return earlier.length ? earlier[earlier.length - 1] : null;
  }

  function changes(e) { return Boolean(e.scenario_to) && e.scenario_from !== e.scenario_to; }

  // One event as a card; ``brief``: one line (a past moment, or a side event of a busy month).
  function entryCard(e, brief) {
    const card = el("div", "", `event event-${e.kind}`);
    const changed = changes(e);
    const headline = changed ? (e.scenario_from
      ? `${nameOf(e.scenario_from)} → ${nameOf(e.scenario_to)}`
      : `The PMO starts in ${nameOf(e.scenario_to)}`) : e.text;
    if (brief) {
      card.classList.add("brief");
      card.append(el("p", `${KIND[e.kind] || e.kind}: ${headline}`));
      return card;
    }
    card.append(el("p", KIND[e.kind] || e.kind, "event-kind"));
    card.append(el("p", headline, changed ? "transition" : "event-text"));
    if (e.say) card.append(el("blockquote", e.say));
    if (changed && e.rules.length) {
      card.append(el("p", "Why:", "why-head"));
      const why = el("ul", "", "why");
      e.rules.forEach(function (r) {
        const li = el("li");
        li.append(document.createTextNode(r.reason + " "));
        li.append(el("code", r.id, "rule-id"));
        why.append(li);
      });
      card.append(why);
    }
    return card;
  }

  function moment(month) {
    const box = $("moment");
    const here = entriesAt(month);
    if (here.length) {
      const busy = here.some(changes);  // a change of scenario outranks a plain event
      box.replaceChildren.apply(box, here.map(function (e) {
        return entryCard(e, busy && !changes(e) && !e.say);
      }));
      return;
    }
    const last = lastMomentBefore(month);
    box.replaceChildren(el("p", "Nothing new this month: the flywheel keeps turning.", "quiet"));
    if (last !== null) {
      box.append(el("p", `The last moment, in month ${last}:`, "quiet"));
      entriesAt(last).forEach(function (e) {
        const card = entryCard(e, true);
        card.classList.add("past");
        box.append(card);
      });
    }
  }

  // --- the indicators moving -----------------------------------------------------------------
  function markers() {
    return story.timeline.filter(function (e) {
      return ["shock", "strategy", "shutdown", "launch"].indexOf(e.kind) >= 0;
    }).map(function (e) {
      return {x: e.month, kind: e.kind, label: e.kind === "strategy" ? "course" : e.kind === "shock"
        ? e.name.replace(/_/g, " ") : e.kind};
    });
  }

  function indicators(month) {
    const s = story.series;
    const chart = Charts.lines([{label: "momentum", points: s.month.map(function (m, i) {
      return {x: m, mean: s.momentum[i]};
    })}], {width: 1600, height: 180, fontSize: 24, yTicks: [0, 0.5, 1], yMin: 0, yMax: 1, xLabel: "",
           title: `Momentum of the flywheel: ${s.momentum[month].toFixed(2)} in month ${month}`,
           markers: markers(), cursor: month});
    const strip = Charts.strip(s.scenario, {width: 1600, height: 14, left: 3.7 * 24, right: 24,
                                            title: "scenario per month"});
    $("momentum-chart").replaceChildren(chart, strip);
    // One tile per measure, built once and then updated, so the meters glide from month to
    // month (a CSS transition on their width) while the story plays.
    const list = $("indicator-bars");
    const tile = function (key, name, value, before, max, text) {
      let item = list.querySelector(`[data-key="${key}"]`);
      if (!item) {
        item = el("li", "", "indicator");
        item.dataset.key = key;
        const head = el("span", "", "indicator-head");
        head.append(el("span", name, "indicator-name"), el("span", "", "indicator-value"));
        const meter = el("span", "", "meter");
        meter.append(el("span", "", "fill"));
        item.append(head, meter);
        list.append(item);
      }
      const trend = value - before > 0.05 * max ? "rising"
        : before - value > 0.05 * max ? "falling" : "steady";
      const arrow = trend === "rising" ? "▲" : trend === "falling" ? "▼" : "■";
      item.className = `indicator ${trend}`;
      item.querySelector(".indicator-value").textContent = `${text} ${arrow}`;
      item.querySelector(".fill").style.width = `${(value / max * 100).toFixed(1)}%`;
      item.title = `${name}: ${text}, ${trend}`;
    };
    const back3 = Math.max(0, month - 3);
    tile("momentum", "Momentum of the flywheel", s.momentum[month], s.momentum[back3], 1,
         s.momentum[month].toFixed(2));
    WATCHED.filter(function (id) { return id in s.indicators; }).forEach(function (id) {
      const values = s.indicators[id];
      tile(id, indicatorNames[id] || id, values[month] - 1, values[back3] - 1, 4,
           `${values[month].toFixed(1)} of 5`);
    });
  }

  // --- slides --------------------------------------------------------------------------------
  function showMonth(month) {
    const s = story.series;
    $("deck-name").textContent = story.title;
    $("month-label").textContent = `Month ${month} of ${story.months}`;
    const now = $("scenario-now");
    now.textContent = s.pmo_exists[month] ? nameOf(s.scenario[month])
      : `${nameOf(s.scenario[month])} (no PMO)`;
    now.className = `scenario-now scenario-${s.scenario[month]}`;
    $("strategy-now").textContent = s.pmo_exists[month]
      ? `Strategy: ${strategyNames[s.strategy[month]] || s.strategy[month]}` : "The PMO is shut down";
    $("ring").replaceChildren(ring(month));
    $("ring-caption").textContent = `Path so far: ${pathUpTo(month).map(nameOf).join(" → ")}`;
    moment(month);
    indicators(month);
    $("month-slider").value = String(month);
    $("slider-value").textContent = String(month);
  }

  function pathUpTo(month) {
    const out = [];
    story.series.scenario.slice(0, month + 1).forEach(function (s) {
      if (out[out.length - 1] !== s) out.push(s);
    });
    return out;
  }

  function showClosing() {
    $("closing-title").textContent = story.title;
    $("closing-path").textContent = `The path: ${story.path.map(nameOf).join(" → ")}`;
    const points = story.takeaways && story.takeaways.length ? story.takeaways
      : [`The PMO ended in ${nameOf(story.path[story.path.length - 1])}.`];
    $("takeaways").replaceChildren.apply($("takeaways"), points.map(function (t) {
      return el("li", t);
    }));
  }

  function render() {
    $("slide-title").hidden = place.slide !== "title";
    $("slide-month").hidden = place.slide !== "month";
    $("slide-closing").hidden = place.slide !== "closing";
    if (place.slide === "month") showMonth(place.month);
    if (place.slide === "closing") showClosing();
    deck.dataset.slide = place.slide;
    deck.dataset.month = String(place.month);
    const hash = place.slide === "month" ? `#month-${place.month}` : `#${place.slide}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  function go(slide, month) {
    place = {slide: slide, month: month === undefined ? place.month : month};
    render();
  }

  function forward() {
    if (place.slide === "title") return go("month", stops[0] || 0);
    if (place.slide === "closing") return;
    const next = stops.find(function (m) { return m > place.month; });
    if (next !== undefined) return go("month", next);
    if (place.month < story.months) return go("month", story.months);
    go("closing");
  }

  function back() {
    if (place.slide === "title") return;
    if (place.slide === "closing") return go("month", story.months);
    const earlier = stops.filter(function (m) { return m < place.month; });
    if (earlier.length) return go("month", earlier[earlier.length - 1]);
    go("title");
  }

  function setPlaying(on) {
    if (timer) { clearInterval(timer); timer = null; }
    if (on) {
      if (place.slide !== "month" || place.month >= story.months) go("month", 0);
      timer = setInterval(function () {
        if (place.month >= story.months) { setPlaying(false); return; }
        go("month", place.month + 1);
      }, PLAY_MS);
    }
    // While playing, a month a second would flood a screen reader: announce on stepping only.
    $("moment").setAttribute("aria-live", on ? "off" : "polite");
    $("play").textContent = on ? "Pause" : "Play";
    $("play").setAttribute("aria-pressed", on ? "true" : "false");
  }

  function toggleIds() {
    const on = !document.body.classList.contains("show-ids");
    document.body.classList.toggle("show-ids", on);
    $("show-ids").setAttribute("aria-pressed", on ? "true" : "false");
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* not allowed here */ });
    }
  }

  function onKey(event) {
    if (!story || event.altKey || event.ctrlKey || event.metaKey) return;
    const onSlider = event.target === $("month-slider");
    const inField = event.target instanceof HTMLInputElement && !onSlider;
    if (inField) return;
    const key = event.key;
    let handled = true;
    if (key === "ArrowRight" && !onSlider || key === "PageDown" || key === "n") {
      setPlaying(false); forward();
    } else if (key === "ArrowLeft" && !onSlider || key === "PageUp" || key === "p") {
      setPlaying(false); back();
    } else if (key === " " && !(event.target instanceof HTMLButtonElement)) {
      setPlaying(!timer);
    } else if (key === "Home") {
      setPlaying(false); go("title");
    } else if (key === "End") {
      setPlaying(false); go("closing");
    } else if (key === "r" || key === "R") {
      toggleIds();
    } else if (key === "f" || key === "F") {
      toggleFullscreen();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  }

  function start(data) {
    story = data;
    stops = Array.from(new Set(story.timeline.map(function (e) { return e.month; })))
      .sort(function (a, b) { return a - b; });
    $("deck-title").textContent = story.title;
    $("deck-summary").textContent = story.summary;
    document.title = `${story.title} · presenting · pmo-advisor`;
    $("month-slider").max = String(story.months);
    $("back").addEventListener("click", function () { setPlaying(false); back(); });
    $("forward").addEventListener("click", function () { setPlaying(false); forward(); });
    $("play").addEventListener("click", function () { setPlaying(!timer); });
    $("show-ids").addEventListener("click", toggleIds);
    $("fullscreen").addEventListener("click", toggleFullscreen);
    $("month-slider").addEventListener("input", function () {
      setPlaying(false);
      go("month", Number($("month-slider").value));
    });
    document.addEventListener("keydown", onKey);
    const asked = /^#month-(\d+)$/.exec(location.hash);
    if (asked && Number(asked[1]) <= story.months) go("month", Number(asked[1]));
    else if (location.hash === "#closing") go("closing");
    else go("title");
  }

  const id = deck.dataset.story;
  const seed = new URLSearchParams(location.search).get("seed");  // a variant of the story
  const told = `/stories/${encodeURIComponent(id)}` +
    (seed ? `?seed=${encodeURIComponent(seed)}` : "");
  Promise.all([PmoApi.get(told), PmoApi.get("/catalog/scenarios"),
               PmoApi.get("/catalog/indicators"), PmoApi.get("/strategies")])
    .then(function ([told, scenarioList, indicatorList, strategyList]) {
      const failed = [told, scenarioList, indicatorList, strategyList].find(function (a) {
        return !a.ok;
      });
      if (failed) { PmoApi.showProblem($("problem"), failed.data); return; }
      scenarios = scenarioList.data.items.slice().sort(function (a, b) { return a.order - b.order; });
      scenarios.forEach(function (s) { names[s.id] = s.name; });
      indicatorList.data.items.forEach(function (i) { indicatorNames[i.id] = i.name; });
      strategyList.data.items.forEach(function (s) { strategyNames[s.id] = s.name; });
      start(told.data);
    });
})();
