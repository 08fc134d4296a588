// Position correction: a draggable marker on a Leaflet map fills the latitude/longitude fields.
(function () {
  "use strict";
  var box = document.getElementById("position-map");
  var lat = document.getElementById("latitude");
  var lon = document.getElementById("longitude");
  if (!box || !lat || !lon) { return; }
  var useSuggestion = document.getElementById("use-suggestion");
  var suggestion = document.getElementById("suggestion");
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
  var start = [parseFloat(lat.value) || -23.5505, parseFloat(lon.value) || -46.6333];
  var map = window.L.map(box).setView(start, lat.value ? 17 : 11);
  window.L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  var marker = window.L.marker(start, { draggable: true }).addTo(map);
  marker.on("dragend", function () { set(marker.getLatLng()); });
  map.on("click", function (event) { marker.setLatLng(event.latlng); set(event.latlng); });
  function fromFields() {
    var p = [parseFloat(lat.value), parseFloat(lon.value)];
    if (!isNaN(p[0]) && !isNaN(p[1])) { marker.setLatLng(p); map.setView(p, 17); }
  }
  lat.addEventListener("change", fromFields);
  lon.addEventListener("change", fromFields);
}());
