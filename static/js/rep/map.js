// The route on a map, for overview (navigation is handed to Google Maps or Waze).
// Leaflet is loaded only when the map is opened; without tiles (offline, blocked) the
// markers and the line still show on a blank background.

let loading = null;
let map = null;
let layer = null;

function loadLeaflet(cfg) {
  if (window.L) return Promise.resolve(window.L);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = cfg.leafletCss;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = cfg.leafletJs;
      script.onload = () => resolve(window.L);
      script.onerror = () => { loading = null; reject(new Error("leaflet")); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

function points(data) {
  const stops = (data.stops || []).filter((s) => s.customer.lat != null && s.customer.lon != null);
  return stops.map((s) => ({ stop: s, at: [s.customer.lat, s.customer.lon] }));
}

export async function drawRoute(data, cfg) {
  const L = await loadLeaflet(cfg);
  const el = document.getElementById("rep-map");
  if (!map) {
    map = L.map(el, { zoomControl: true, attributionControl: true });
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, {
        maxZoom: 19,
        attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
      }).addTo(map);
    }
  }
  if (layer) layer.remove();
  layer = L.layerGroup().addTo(map);
  const pts = points(data);
  if (!pts.length) {
    map.setView([-23.55, -46.63], 11);
    return;
  }
  L.polyline(pts.map((p) => p.at), { color: "#0b4f6c", weight: 4, opacity: 0.85 }).addTo(layer);
  pts.forEach((p, i) => {
    const done = p.stop.done;
    const marker = L.circleMarker(p.at, {
      radius: 13, weight: 3, color: "#fff",
      fillColor: done ? "#5b6670" : (p.stop.status === "in_progress" ? "#0a6b3b" : "#0b4f6c"), fillOpacity: 1,
    }).addTo(layer);
    marker.bindTooltip(String(i + 1), { permanent: true, direction: "center", className: "map-num" });
    const link = document.createElement("a");
    link.href = cfg.stopUrl + p.stop.id;
    link.textContent = `${p.stop.time} · ${p.stop.customer.name}`;
    marker.bindPopup(link);
  });
  map.invalidateSize();
  map.fitBounds(L.latLngBounds(pts.map((p) => p.at)), { padding: [24, 24] });
}
