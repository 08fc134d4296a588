// The team's day: every rep's route of today, its progress and the last check-in, on a table
// and on a map with clustered stop markers. Polls its JSON while the tab is visible; never
// reloads the page, never moves the map the supervisor has panned.
(function () {
  "use strict";
  const root = document.getElementById("team-day");
  if (!root) { return; }
  const dataUrl = root.getAttribute("data-url");
  const refreshMs = Math.max(1, Number(root.getAttribute("data-refresh")) || 30) * 1000;
  const sprite = root.getAttribute("data-sprite");
  const rows = document.getElementById("team-day-rows");
  const legend = document.getElementById("rep-legend");
  const updated = root.querySelector("[data-updated]");
  const box = document.getElementById("team-day-map");
  let timer = null;
  let map = null;
  let cluster = null;
  let overlay = null;
  let fitted = false;
  let lastGood = null;

  function t(key, values) {
    let text = root.getAttribute("data-t-" + key) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c != null) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); }
    });
    return node;
  }

  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const use = document.createElementNS(ns, "use");
    use.setAttribute("href", sprite + "#" + name);
    svg.appendChild(use);
    return svg;
  }

  function iconHtml(name) {
    return '<svg class="icon" aria-hidden="true" focusable="false"><use href="' + sprite + "#" + name + '"></use></svg>';
  }

  const PUNCTUALITY_ICONS = { late: "alarm-clock", early: "arrow-up", on_time: "check", not_started: "circle-dashed", not_started_late: "alarm-clock", no_plan: "info" };
  const STOP_ICONS = { done: "circle-check", in_progress: "map-pin-check", skipped: "skip-forward", pending: "circle-dashed" };

  function farText(c) {
    return c.distance_m == null ? t("far-unknown") : t("far", { metres: String(c.distance_m) });
  }

  // ---- table ---------------------------------------------------------------------------------
  function stopItem(s) {
    const bits = [s.planned + " · ", el("a", { href: s.url, text: s.name }), " · "];
    const state = el("span", { class: "flag stop-state-" + s.status }, [icon(STOP_ICONS[s.status] || "info"), " " + s.status_label]);
    bits.push(state);
    if (s.check_in) {
      let delay = "";
      if (s.delay_min != null && s.delay_min !== 0) { delay = " (" + (s.delay_min > 0 ? "+" : "−") + Math.abs(s.delay_min) + " min)"; }
      bits.push(" · " + t("check-in", { time: s.check_in }) + delay);
    }
    if (s.far) { bits.push(" ", el("span", { class: "flag flag-collect" }, [icon("triangle-alert"), " " + farText(s)])); }
    return el("li", { "data-stop-id": String(s.id), "data-status": s.status }, bits);
  }

  // A count links to the customers behind it (the dashboard's lists), unless it is zero.
  function count(n, href, name) {
    return n ? el("a", { href: href, "data-field": name, text: String(n) }) : el("span", { "data-field": name, text: "0" });
  }

  function repRows(rep) {
    const swatch = el("span", { class: "swatch rep-c" + rep.colour, "aria-hidden": "true" });
    const bar = el("progress", { max: String(Math.max(rep.planned, 1)), value: String(rep.done + rep.skipped), "aria-hidden": "true" });
    const last = rep.last_check_in;
    const lastCell = last
      ? [last.at + " · ", el("a", { href: last.url, text: last.customer })].concat(last.far ? [" ", el("span", { class: "flag flag-collect" }, [icon("triangle-alert"), " " + farText(last)])] : [])
      : [t("none")];
    const main = el("tr", { "data-rep": String(rep.id), "data-punctuality": rep.punctuality }, [
      el("th", { scope: "row" }, [swatch, " " + rep.name]),
      el("td", { text: rep.plan_label }),
      el("td", {}, [bar, " ", el("span", { "data-field": "progress", text: rep.progress_label })]),
      el("td", { class: "num" }, [count(rep.done, rep.links.visited, "done")]),
      el("td", { class: "num", "data-field": "remaining", text: String(rep.remaining) }),
      el("td", { class: "num" }, [count(rep.skipped, rep.links.skipped, "skipped")]),
      el("td", { class: "num" }, [count(rep.unplanned, rep.links.unplanned, "unplanned")]),
      el("td", {}, [el("span", { class: "flag punctuality-" + rep.punctuality, "data-field": "punctuality" }, [icon(PUNCTUALITY_ICONS[rep.punctuality] || "info"), " " + rep.punctuality_label])]),
      el("td", { "data-field": "last" }, lastCell),
      el("td", { class: "num" }, [count(rep.far.length, rep.links.far, "far")])
    ]);
    const list = rep.stops.length ? el("ol", { class: "stop-list" }, rep.stops.map(stopItem)) : el("p", { class: "muted", text: t("no-stops") });
    const details = el("details", { "data-route": String(rep.id) }, [el("summary", { text: t("route", { name: rep.name }) }), list]);
    const open = rows.querySelector('details[data-route="' + rep.id + '"]');
    if (open && open.open) { details.open = true; }
    return [main, el("tr", { class: "route-row" }, [el("td", { colspan: "10" }, [details])])];
  }

  function renderTable(data) {
    const fresh = [];
    data.reps.forEach(function (rep) { repRows(rep).forEach(function (r) { fresh.push(r); }); });
    rows.replaceChildren.apply(rows, fresh);
    legend.replaceChildren.apply(legend, data.reps.map(function (rep) {
      return el("li", {}, [el("span", { class: "swatch rep-c" + rep.colour, "aria-hidden": "true" }), rep.name]);
    }));
    Object.keys(data.totals).forEach(function (k) {
      const node = root.querySelector('[data-total="' + k + '"]');
      if (node) { node.textContent = String(data.totals[k]); }
    });
    root.querySelectorAll("[data-line-note]").forEach(function (node) {
      const kind = node.getAttribute("data-line-note");
      node.hidden = kind === "road" ? !data.road_lines : !data.straight_lines;
    });
    updated.textContent = t("updated", { time: data.updated });
    root.setAttribute("data-done", String(data.totals.done));
  }

  // ---- map -----------------------------------------------------------------------------------
  function ensureMap() {
    if (map || !box || typeof L === "undefined" || typeof L.markerClusterGroup !== "function") { return map; }
    map = L.map(box);
    L.tileLayer(root.getAttribute("data-tiles"), { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
    map.setView([-23.55, -46.63], 10);
    cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 50 });
    overlay = L.layerGroup();
    map.addLayer(overlay);
    map.addLayer(cluster);
    return map;
  }

  function popup(lines) {
    const body = document.createElement("div");
    lines.forEach(function (line, i) {
      if (i) { body.appendChild(document.createElement("br")); }
      body.appendChild(typeof line === "string" ? document.createTextNode(line) : line);
    });
    return body;
  }

  function renderMap(data) {
    if (!ensureMap()) { return; }
    cluster.clearLayers();
    overlay.clearLayers();
    const bounds = [];
    const markers = [];
    data.reps.forEach(function (rep) {
      const path = [];
      rep.stops.forEach(function (s) {
        if (s.lat == null || s.lon == null) { return; }
        path.push([s.lat, s.lon]);
        bounds.push([s.lat, s.lon]);
        const marker = L.marker([s.lat, s.lon], {
          icon: L.divIcon({
            className: "stop-marker rep-c" + rep.colour + " stop-" + s.status + (s.far ? " stop-far" : ""),
            html: String(s.seq),
            iconSize: [26, 26],
            iconAnchor: [13, 13]
          }),
          title: rep.name + " · " + s.seq + ". " + s.name + " — " + s.status_label,
          keyboard: false
        });
        marker.bindPopup(popup([el("a", { href: s.url, text: s.name }), rep.name + " · " + s.seq, t("planned-at", { time: s.planned }) + " · " + s.status_label].concat(s.check_in ? [t("check-in", { time: s.check_in })] : [])));
        markers.push(marker);
      });
      const road = rep.path_kind === "road" && rep.path && rep.path.length > 1;
      const line = road ? rep.path : path;
      if (line.length > 1) {
        const kind = road ? " route-road" : " route-straight";
        overlay.addLayer(L.polyline(line, { className: "route-line rep-line-" + rep.colour + kind, weight: 3, opacity: 0.7, interactive: false }));
      }
      rep.far.forEach(function (c) {
        if (c.lat == null || c.lon == null) { return; }
        overlay.addLayer(L.marker([c.lat, c.lon], {
          icon: L.divIcon({ className: "far-marker", html: iconHtml("triangle-alert"), iconSize: [24, 24], iconAnchor: [12, 12] }),
          title: rep.name + " · " + c.customer + " — " + farText(c),
          keyboard: false
        }).bindPopup(popup([el("a", { href: c.url, text: c.customer }), rep.name + " · " + c.at, farText(c)])));
      });
      const last = rep.last_check_in;
      if (last && last.lat != null && last.lon != null) {
        bounds.push([last.lat, last.lon]);
        const label = t("last", { name: rep.name, time: last.at });
        overlay.addLayer(L.marker([last.lat, last.lon], {
          icon: L.divIcon({ className: "last-marker rep-c" + rep.colour, html: iconHtml("map-pin"), iconSize: [30, 30], iconAnchor: [15, 28] }),
          title: label,
          zIndexOffset: 1000,
          keyboard: false
        }).bindPopup(popup([label, el("a", { href: last.url, text: last.customer })])));
      }
    });
    cluster.addLayers(markers);
    box.setAttribute("data-markers", String(markers.length));
    if (!fitted && bounds.length) {
      map.fitBounds(bounds, { padding: [20, 20] });
      fitted = true;
    }
  }

  function render(data) {
    lastGood = data;
    renderTable(data);
    renderMap(data);
    root.setAttribute("data-refreshed", String(Date.now()));
  }

  // ---- polling -------------------------------------------------------------------------------
  function schedule() {
    clearTimeout(timer);
    timer = document.hidden ? null : setTimeout(poll, refreshMs);
  }

  function poll() {
    if (document.hidden) { timer = null; return; }
    fetch(dataUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw new Error("status " + r.status); }
        return r.json();
      })
      .then(render)
      .catch(function () { updated.textContent = t("failed"); })
      .then(schedule);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
      updated.textContent = t("paused");
    } else {
      poll();
    }
  });

  const initial = document.getElementById("team-day-data");
  render(JSON.parse(initial.textContent));
  // Leaflet and the plugin are deferred scripts: draw the map once they are there.
  if (!map && lastGood) { window.addEventListener("load", function () { renderMap(lastGood); }); }
  schedule();
})();
