/* What every map shares: the land under the figures (a country and its regions, or the
   world's countries) and a scale. No tile layer, so the maps work offline and no
   visitor's position is sent to a tile server. Loaded after leaflet.js and before the
   page's own map script. */
window.ConvivenciaMaps = (function () {
  "use strict";

  var COUNTRY = { color: "#5d6b78", weight: 1.6, fillColor: "#ece9df", fillOpacity: 1 };
  var REGION = { color: "#a2acb6", weight: 0.9, fillColor: "#ece9df", fillOpacity: 1 };
  var WORLD = { color: "#b8b4a6", weight: 0.7, fillColor: "#e8e5da", fillOpacity: 1 };

  /* A name goes into its tooltip as text, never parsed as HTML. */
  function textTooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  /* Draws the GeoJSON at url as the map's land; resolves with the layer (null on failure:
     the figures are still drawn, only their setting is missing). */
  function land(map, url) {
    if (!url) return Promise.resolve(null);
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            var kind = feature.properties.kind;
            // "map-land": the land under the figures, told apart from the figures' own shapes.
            var style = kind === "country" ? COUNTRY : kind === "region" ? REGION : WORLD;
            return Object.assign({ className: "map-land" }, style);
          },
          onEachFeature: function (feature, path) {
            if (feature.properties.name) {
              path.bindTooltip(textTooltip(feature.properties.name), { sticky: true, className: "land-tooltip" });
            }
          }
        }).addTo(map);
        /* Under the figures, whichever arrived first (one SVG renderer for all: a pane of its
           own kept the projection of the zoom it was drawn at), regions over their country. */
        map.whenReady(function () {
          layer.eachLayer(function (path) {
            if (path.feature.properties.kind === "region") path.bringToBack();
          });
          layer.eachLayer(function (path) {
            if (path.feature.properties.kind !== "region") path.bringToBack();
          });
        });
        return layer;
      })
      .catch(function () { return null; });
  }

  function scale(map) {
    L.control.scale({ imperial: false, position: "bottomleft", maxWidth: 120 }).addTo(map);
  }

  return { land: land, scale: scale, textTooltip: textTooltip };
})();
