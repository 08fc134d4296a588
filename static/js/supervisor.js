// Supervisor dashboard: the team's customers on a Leaflet map, coloured AND shaped by status.
(function () {
  "use strict";
  var box = document.getElementById("team-map");
  if (!box || typeof L === "undefined") { return; }
  var ICONS = { ok: "✓", gap: "⏱", lapse: "↘", rescue: "🛟" };
  var map = L.map(box, { preferCanvas: false });
  L.tileLayer(box.getAttribute("data-tiles"), {
    maxZoom: 18,
    attribution: "© OpenStreetMap"
  }).addTo(map);
  map.setView([-23.55, -46.63], 10);

  function icon(status) {
    return L.divIcon({
      className: "pin pin-" + status,
      html: ICONS[status] || "?",
      iconSize: [24, 24],
      iconAnchor: [12, 12]
    });
  }

  fetch(box.getAttribute("data-map-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var bounds = [];
      data.points.forEach(function (p) {
        var marker = L.marker([p.lat, p.lon], { icon: icon(p.status), title: p.name + " — " + p.label, keyboard: false });
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.name;
        var body = document.createElement("div");
        body.appendChild(link);
        body.appendChild(document.createElement("br"));
        body.appendChild(document.createTextNode(p.label));
        marker.bindPopup(body);
        marker.addTo(map);
        bounds.push([p.lat, p.lon]);
      });
      if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); }
      box.setAttribute("data-loaded", String(data.points.length));
    });
})();
