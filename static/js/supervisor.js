// Supervisor dashboard: the team's customers on a Leaflet map, coloured AND shaped by status,
// grouped into clusters (leaflet.markercluster) so that a thousand customers stay readable.
(function () {
  "use strict";
  const box = document.getElementById("team-map");
  if (!box || typeof L === "undefined") { return; }
  const ICONS = { ok: "circle-check", gap: "clock", lapse: "trending-down", rescue: "life-buoy" };
  const sprite = box.getAttribute("data-sprite");
  const map = L.map(box, { preferCanvas: false });
  L.tileLayer(box.getAttribute("data-tiles"), {
    maxZoom: 18,
    attribution: "© OpenStreetMap"
  }).addTo(map);
  map.setView([-23.55, -46.63], 10);
  const group = typeof L.markerClusterGroup === "function"
    ? L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 60 })
    : L.layerGroup();
  map.addLayer(group);

  function icon(status) {
    const name = ICONS[status] || "info";
    return L.divIcon({
      className: "pin pin-" + status,
      html: '<svg class="icon" aria-hidden="true" focusable="false"><use href="' + sprite + "#" + name + '"></use></svg>',
      iconSize: [24, 24],
      iconAnchor: [12, 12]
    });
  }

  fetch(box.getAttribute("data-map-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      const bounds = [];
      const markers = data.points.map(function (p) {
        const marker = L.marker([p.lat, p.lon], { icon: icon(p.status), title: p.name + " — " + p.label, keyboard: false });
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.name;
        const body = document.createElement("div");
        body.appendChild(link);
        body.appendChild(document.createElement("br"));
        body.appendChild(document.createTextNode(p.label));
        marker.bindPopup(body);
        bounds.push([p.lat, p.lon]);
        return marker;
      });
      if (group.addLayers) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
      if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); }
      box.setAttribute("data-loaded", String(data.points.length));
    });
})();
