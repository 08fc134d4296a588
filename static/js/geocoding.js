// Position correction: a draggable marker on a Leaflet map fills the latitude/longitude fields.
(function () {
  "use strict";
  const box = document.getElementById("position-map");
  if (!box) { return; }
  // The page names its coordinate fields (default: "latitude" and "longitude").
  const lat = document.getElementById(box.dataset.latField || "latitude");
  const lon = document.getElementById(box.dataset.lonField || "longitude");
  if (!lat || !lon) { return; }
  const useSuggestion = document.getElementById("use-suggestion");
  const suggestion = document.getElementById("suggestion");
  function set(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
  }
  if (useSuggestion && suggestion) {
    useSuggestion.addEventListener("click", function () {
      lat.value = suggestion.dataset.lat;
      lon.value = suggestion.dataset.lon;
      lat.dispatchEvent(new Event("change"));
    });
  }
  if (typeof window.L === "undefined") { box.hidden = true; return; }
  box.style.height = "320px";
  const start = [parseFloat(lat.value) || -23.5505, parseFloat(lon.value) || -46.6333];
  const map = window.L.map(box).setView(start, lat.value ? 17 : 11);
  window.L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  const marker = window.L.marker(start, { draggable: true }).addTo(map);
  marker.on("dragend", function () { set(marker.getLatLng()); });
  map.on("click", function (event) { marker.setLatLng(event.latlng); set(event.latlng); });
  function fromFields() {
    const p = [parseFloat(lat.value), parseFloat(lon.value)];
    if (!isNaN(p[0]) && !isNaN(p[1])) { marker.setLatLng(p); map.setView(p, 17); }
  }
  lat.addEventListener("change", fromFields);
  lon.addEventListener("change", fromFields);
}());
