// Visit calendar page: the map of one day of the cycle (Leaflet), switched from the grid.
// Without the script each day's "Map" link reloads the page on that day; with it the map
// redraws in place. Customers are numbered in the order of the day's estimated loop, pinned
// ones drawn as squares (shape AND word, never colour alone), the base as a house.
(function () {
  "use strict";
  const box = document.getElementById("cal-map");
  const dataEl = document.getElementById("cal-data");
  if (!box || !dataEl || typeof L === "undefined") { return; }
  const data = JSON.parse(dataEl.textContent);
  const heading = document.getElementById("map-h");
  const figures = document.querySelector("[data-map-figures]");
  const map = L.map(box);
  L.tileLayer(box.getAttribute("data-tiles"), {
    maxZoom: 18,
    attribution: "© OpenStreetMap"
  }).addTo(map);
  let layer = null;

  function icon(point) {
    return L.divIcon({
      className: "cal-marker" + (point.pinned ? " is-pinned" : ""),
      html: String(point.n),
      iconSize: [26, 26],
      iconAnchor: [13, 13]
    });
  }

  function customerLink(point) {
    const url = new URL(window.location.href);
    url.searchParams.set("cliente", String(point.id));
    url.hash = "painel";
    const link = document.createElement("a");
    link.href = url.toString();
    link.textContent = point.n + ". " + point.name + (point.pinned ? " (" + data.labels.pinned + ")" : "");
    return link;
  }

  function draw(day) {
    const drawn = data.days[day];
    if (!drawn) { return; }
    if (layer) { layer.remove(); }
    layer = L.layerGroup().addTo(map);
    const loop = [];
    const bounds = [];
    if (data.base) {
      L.marker(data.base, {
        icon: L.divIcon({ className: "cal-marker is-base", html: "⌂", iconSize: [26, 26], iconAnchor: [13, 13] }),
        title: data.labels.base,
        keyboard: false
      }).addTo(layer);
      loop.push(data.base);
      bounds.push(data.base);
    }
    drawn.points.forEach(function (p) {
      const at = [p.lat, p.lon];
      L.marker(at, { icon: icon(p), title: p.n + ". " + p.name, keyboard: false })
        .bindPopup(customerLink(p))
        .addTo(layer);
      loop.push(at);
      bounds.push(at);
    });
    if (data.base && drawn.points.length) { loop.push(data.base); }
    if (loop.length > 1) {
      L.polyline(loop, { color: "#0b4f6c", weight: 3, opacity: 0.8, dashArray: "6 6" }).addTo(layer);
    }
    map.invalidateSize();
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [24, 24] });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 13);
    } else {
      map.setView([-23.55, -46.63], 10);
    }
    const titles = data.titles[day];
    if (titles && heading) { heading.textContent = titles.title; }
    if (titles && figures) { figures.textContent = titles.figures; }
    document.querySelectorAll(".cal-day.is-mapped").forEach(function (el) { el.classList.remove("is-mapped"); });
    const cell = document.querySelector('.cal-day[data-date="' + day + '"]');
    if (cell) { cell.classList.add("is-mapped"); }
    box.setAttribute("data-day", day);
    box.setAttribute("data-loaded", String(drawn.points.length));
  }

  document.querySelectorAll("[data-map-day]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      const day = link.getAttribute("data-map-day");
      draw(day);
      const url = new URL(window.location.href);
      url.searchParams.set("dia", day);
      window.history.replaceState(null, "", url.pathname + url.search);
      document.getElementById("mapa").scrollIntoView({ block: "nearest" });
    });
  });

  draw(box.getAttribute("data-day"));
})();
