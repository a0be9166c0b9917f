// Inline SVG charts drawn from data, no library: horizontal bars for rankings and line charts
// with a band for simulation results. Text goes in through textContent.
const Charts = (function () {
  const NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    Object.entries(attrs || {}).forEach(function ([k, v]) { node.setAttribute(k, v); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Up to STYLED series told apart without colour alone (options.styled; the history's twelve
  // indicators): six colours (Okabe and Ito's colour-blind-safe palette, its yellow left out as
  // too pale on white and on a projector), each twice: a solid line with filled marks, and a
  // dashed line with hollow marks of another shape. Colours and dashes: style.css .styled-N.
  const STYLED = 12;

  // Series i's mark, one of six shapes (pairs sharing a colour get different shapes), centred
  // on (x, y) with radius r.
  function mark(i, x, y, r) {
    const w = r * 0.45, k = (i + 3 * Math.floor(i / 6)) % 6;
    const d = [
      `M${x - r},${y}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`,  // circle
      `M${x - r * 0.9},${y - r * 0.9}h${1.8 * r}v${1.8 * r}h${-1.8 * r}Z`,        // square
      `M${x},${y - 1.2 * r}L${x + 1.1 * r},${y + 0.8 * r}L${x - 1.1 * r},${y + 0.8 * r}Z`,  // up
      `M${x},${y - 1.3 * r}L${x + 1.3 * r},${y}L${x},${y + 1.3 * r}L${x - 1.3 * r},${y}Z`,  // diamond
      `M${x},${y + 1.2 * r}L${x + 1.1 * r},${y - 0.8 * r}L${x - 1.1 * r},${y - 0.8 * r}Z`,  // down
      `M${x - w},${y - r}H${x + w}V${y - w}H${x + r}V${y + w}H${x + w}V${y + r}H${x - w}` +
        `V${y + w}H${x - r}V${y - w}H${x - w}Z`,                                  // plus
    ][k];
    return svg("path", {d: d, class: `mark shape-${k}`});
  }

  // rows: [{label, value (0-1), highlight}]
  function bars(rows, options) {
    const o = Object.assign({width: 560, row: 26, labelWidth: 150}, options || {});
    const height = rows.length * o.row + 8;
    const root = svg("svg", {viewBox: `0 0 ${o.width} ${height}`, role: "img",
                             class: "bars", "aria-label": o.title || "bar chart"});
    const span = o.width - o.labelWidth - 60;
    rows.forEach(function (row, i) {
      const y = 4 + i * o.row;
      const g = svg("g", {class: row.highlight ? "bar highlight" : "bar"});
      g.append(svg("text", {x: o.labelWidth - 8, y: y + o.row * 0.65, "text-anchor": "end"},
                   row.label));
      g.append(svg("rect", {x: o.labelWidth, y: y + 4, height: o.row - 8,
                            width: Math.max(1, row.value * span)}));
      g.append(svg("text", {x: o.labelWidth + row.value * span + 6, y: y + o.row * 0.65,
                            class: "value"}, row.value.toFixed(2)));
      root.append(g);
    });
    return root;
  }

  // series: [{label, points: [{x, mean, low, high}]}]; x on a shared axis, y within [yMin, yMax];
  // options.markers: events on the x axis; options.cursor: an x to mark as "now"
  function lines(series, options) {
    const o = Object.assign({width: 640, height: 260, yMin: 0, yMax: 1, xLabel: "", yLabel: ""},
                            options || {});
    const f = o.fontSize || 14;  // label size in chart units: padding and offsets follow it
    const pad = {left: 3.7 * f, right: Math.max(12, f), top: f, bottom: 2.9 * f};
    const xs = series.flatMap(function (s) { return s.points.map(function (p) { return p.x; }); });
    const xMin = Math.min.apply(null, xs), xMax = Math.max.apply(null, xs);
    const sx = function (x) {
      return pad.left + (x - xMin) / Math.max(1e-9, xMax - xMin) * (o.width - pad.left - pad.right);
    };
    const sy = function (y) {
      return o.height - pad.bottom -
        (y - o.yMin) / (o.yMax - o.yMin) * (o.height - pad.top - pad.bottom);
    };
    const root = svg("svg", {viewBox: `0 0 ${o.width} ${o.height}`, role: "img", class: "lines",
                             "aria-label": o.title || "line chart"});
    (o.yTicks || [0, 0.25, 0.5, 0.75, 1]).forEach(function (t) {  // fractions of the y range
      const v = o.yMin + t * (o.yMax - o.yMin);
      root.append(svg("line", {x1: pad.left, x2: o.width - pad.right, y1: sy(v), y2: sy(v),
                               class: "grid"}));
      root.append(svg("text", {x: pad.left - 6, y: sy(v) + f / 3, "text-anchor": "end",
                               class: "axis"}, Number(v.toFixed(2)).toString()));
    });
    const step = xMax - xMin > 48 ? 12 : xMax - xMin > 12 ? 6 : 1;  // months: years or halves
    for (let x = Math.ceil(xMin / step) * step; x <= xMax; x += step) {
      root.append(svg("text", {x: sx(x), y: o.height - pad.bottom + 1.2 * f, "text-anchor": "middle",
                               class: "axis"}, String(x)));
    }
    root.append(svg("text", {x: (o.width + pad.left) / 2, y: o.height - 4, "text-anchor": "middle",
                             class: "axis"}, o.xLabel));
    // Events on the time axis (markers: [{x, label, kind}]): a dashed line and a short label.
    (o.markers || []).forEach(function (m, i) {
      const g = svg("g", {class: `marker marker-${m.kind || "event"}`});
      g.append(svg("line", {x1: sx(m.x), x2: sx(m.x), y1: pad.top, y2: o.height - pad.bottom}));
      if (o.markerLabels !== false) {
        g.append(svg("text", {x: sx(m.x) + 4, y: pad.top + f * (1 + (i % 3) * 1.2),
                              class: "marker-label"},
                     m.label));
      }
      g.append(svg("title", {}, `month ${m.x}: ${m.label}`));
      root.append(g);
    });
    series.forEach(function (s, i) {
      const g = svg("g", {class: o.styled ? `series styled styled-${i % STYLED}`
                                          : `series series-${i % 6}`});
      const band = s.points.filter(function (p) { return p.low !== undefined; });
      if (band.length) {
        const upper = band.map(function (p) { return `${sx(p.x)},${sy(p.high)}`; });
        const lower = band.slice().reverse().map(function (p) { return `${sx(p.x)},${sy(p.low)}`; });
        g.append(svg("polygon", {points: upper.concat(lower).join(" "), class: "band"}));
      }
      g.append(svg("polyline", {points: s.points.map(function (p) {
        return `${sx(p.x)},${sy(p.mean)}`; }).join(" "), class: "line"}));
      if (o.styled) s.points.forEach(function (p) { g.append(mark(i, sx(p.x), sy(p.mean), 5)); });
      g.append(svg("title", {}, s.label));
      root.append(g);
    });
    if (o.cursor !== undefined) {  // "now": the month a presenter is showing
      root.append(svg("line", {x1: sx(o.cursor), x2: sx(o.cursor), y1: pad.top,
                               y2: o.height - pad.bottom, class: "cursor"}));
    }
    return root;
  }

  // A legend as HTML: one swatch per label, coloured by class (series-0.. unless given); with
  // options.styled, a sample of each series' line and mark as lines() draws them styled.
  function legend(labels, classes, options) {
    const styled = (options || {}).styled;
    const list = document.createElement("ul");
    list.className = "legend";
    labels.forEach(function (label, i) {
      const item = document.createElement("li");
      item.className = classes ? classes[i] : styled ? `styled styled-${i % STYLED}`
                                                     : `series-${i % 6}`;
      if (styled) {
        const key = svg("svg", {viewBox: "0 0 40 16", class: "key", "aria-hidden": "true"});
        key.append(svg("line", {x1: 2, x2: 38, y1: 8, y2: 8, class: "line"}), mark(i, 20, 8, 5));
        item.append(key);
      }
      item.append(document.createTextNode(label));
      list.append(item);
    });
    return list;
  }

  // One coloured cell per month, named by class (e.g. the scenario of each month of a story).
  function strip(values, options) {
    const o = Object.assign({width: 640, height: 22, left: 3.7 * 14, right: 14, prefix: "scenario-"},  // as lines()
                            options || {});
    const root = svg("svg", {viewBox: `0 0 ${o.width} ${o.height}`, role: "img", class: "strip",
                             "aria-label": o.title || "strip"});
    const cell = (o.width - o.left - o.right) / Math.max(1, values.length - 1);
    values.forEach(function (value, i) {
      const rect = svg("rect", {x: o.left + (i - 0.5) * cell, y: 0, width: cell + 0.5,
                                height: o.height, class: o.prefix + value});
      rect.append(svg("title", {}, `month ${i}: ${value}`));
      root.append(rect);
    });
    return root;
  }

  // A time axis from month 0 to `months` with events on it (marks: [{x, label}]), aligned with
  // lines() of the same width: scheduled shocks before a simulation runs.
  function timeline(months, marks, options) {
    const o = Object.assign({width: 640, height: 64}, options || {});
    const pad = {left: 3.7 * 14, right: 14};  // aligned with lines() at its default size
    const sx = function (x) {
      return pad.left + x / Math.max(1, months) * (o.width - pad.left - pad.right);
    };
    const label = marks.length
      ? "Scheduled shocks: " + marks.map(function (m) { return `${m.label} in month ${m.x}`; })
        .join(", ")
      : "No scheduled shocks";
    const root = svg("svg", {viewBox: `0 0 ${o.width} ${o.height}`, role: "img",
                             class: "timeline-axis", "aria-label": label});
    const y = o.height - 22;
    root.append(svg("line", {x1: sx(0), x2: sx(months), y1: y, y2: y, class: "grid"}));
    const step = months > 48 ? 12 : months > 12 ? 6 : 1;
    for (let x = 0; x <= months; x += step) {
      root.append(svg("line", {x1: sx(x), x2: sx(x), y1: y - 3, y2: y + 3, class: "grid"}));
      root.append(svg("text", {x: sx(x), y: y + 16, "text-anchor": "middle", class: "axis"},
                      String(x)));
    }
    marks.forEach(function (m, i) {
      const g = svg("g", {class: "marker marker-shock"});
      g.append(svg("line", {x1: sx(m.x), x2: sx(m.x), y1: 4, y2: y}));
      g.append(svg("text", {x: sx(m.x) + 3, y: 14 + (i % 2) * 14, class: "marker-label"},
                   m.label));
      root.append(g);
    });
    return root;
  }

  // A ring of nodes in order, clockwise from the top: the eight scenarios (Fig. 4-1) or the ten
  // flywheel steps (Fig. 13-1). nodes: [{id, label, classes, big}]; the big ones are drawn last,
  // larger, on top. options: size, radius, node (radius), center ([first line, second line]),
  // title (the accessible name).
  function ring(nodes, options) {
    const o = Object.assign({size: 600, radius: 212, node: 74, center: [], title: "ring"},
                            options || {});
    const c = o.size / 2;
    const root = svg("svg", {viewBox: `0 0 ${o.size} ${o.size}`, role: "img", class: "ring-chart",
                             "aria-label": o.title});
    root.append(svg("circle", {cx: c, cy: c, r: o.radius, class: "track"}));
    const last = [];
    nodes.forEach(function (n, i) {
      const angle = -Math.PI / 2 + i * 2 * Math.PI / nodes.length;
      const x = c + o.radius * Math.cos(angle), y = c + o.radius * Math.sin(angle);
      const g = svg("g", {class: ["node"].concat(n.classes || []).join(" "), "data-id": n.id});
      g.append(svg("circle", {cx: x, cy: y, r: n.big ? o.node * 1.14 : o.node}));
      const lines = String(n.label).split("\n");
      lines.forEach(function (line, k) {
        g.append(svg("text", {x: x, y: y + 10 + (k - (lines.length - 1) / 2) * 28,
                              "text-anchor": "middle"}, line));
      });
      if (n.big) last.push(g); else root.append(g);
    });
    last.forEach(function (g) { root.append(g); });
    (o.center || []).forEach(function (line, k) {
      root.append(svg("text", {x: c, y: c - 8 + k * 42, "text-anchor": "middle",
                               class: k ? "center-sub" : "center"}, line));
    });
    return root;
  }

  // A heat map as an HTML table (readable by screen readers as a table): rows x columns, each
  // cell {text, level} with level 0-4 colouring it (class heat-<level>).
  function heatmap(columns, rows, options) {
    const o = Object.assign({caption: ""}, options || {});
    const table = document.createElement("table");
    table.className = "heatmap";
    if (o.caption) {
      const caption = document.createElement("caption");
      caption.textContent = o.caption;
      table.append(caption);
    }
    const head = document.createElement("tr");
    ["", ...columns].forEach(function (label) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.append(th);
    });
    table.append(head);
    rows.forEach(function (row) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = row.label;
      tr.append(th);
      row.cells.forEach(function (cell) {
        const td = document.createElement("td");
        td.className = `heat-${cell.level}`;
        td.textContent = cell.text;
        if (cell.title) td.title = cell.title;
        tr.append(td);
      });
      table.append(tr);
    });
    return table;
  }

  return {bars: bars, lines: lines, legend: legend, strip: strip, timeline: timeline, ring: ring,
          heatmap: heatmap};
})();
