/* Indicator explorer: the choropleth map and the trend chart. The page works without
   this file (every figure is in a table); htmx swaps #explorer and this file draws
   what arrives. Classes, colours and tooltip texts come from the server, so the map,
   the legend and the table always agree. */
(function () {
  "use strict";

  var BRAND = "#0e4a66";
  var BAND = "rgba(14, 74, 102, 0.16)";
  var NO_DATA_FILL = "url(#no-data-hatch)";

  /* A territory's name goes into its tooltip as text, never parsed as HTML. */
  function textTooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function showError(container) {
    container.dataset.state = "failed";
    var note = document.getElementById(container.dataset.errorId);
    if (note) note.hidden = false;
  }

  function initMap(container) {
    if (typeof L === "undefined" || container.dataset.state) return;
    var data = readJson(container.dataset.source);
    if (!data) return;
    container.dataset.state = "loading";
    var map = L.map(container, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25
    });
    if (window.ConvivenciaMaps) {
      ConvivenciaMaps.scale(map);
      /* The parent's country and regions, from the same territory's context address. */
      ConvivenciaMaps.land(map, data.boundary_url.replace(/boundary\.geojson$/, "context.geojson"));
    }

    function style(feature) {
      var properties = feature.properties;
      if (properties.self) {
        /* The parent: an outline only, drawn under its children. */
        return { color: "#3c4a57", weight: 1.5, fill: false, interactive: false };
      }
      var entry = data.values[String(properties.id)];
      var known = entry && entry.class !== null && entry.class !== undefined;
      return {
        color: "#4f5b69",
        weight: 1,
        fillOpacity: known ? 0.85 : 1,
        fillColor: known ? data.colours[entry.class] : NO_DATA_FILL
      };
    }

    fetch(data.boundary_url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        var children = collection.features.filter(function (feature) {
          return !feature.properties.self && data.values[String(feature.properties.id)];
        });
        if (!children.length) {
          map.remove();
          showError(container);
          return;
        }
        var layer = L.geoJSON(collection, {
          style: style,
          onEachFeature: function (feature, path) {
            var entry = data.values[String(feature.properties.id)];
            if (feature.properties.self || !entry) return;
            path.bindTooltip(textTooltip(entry.label), { sticky: true });
            path.on("mouseover", function () { path.setStyle({ weight: 3 }); });
            path.on("mouseout", function () { path.setStyle({ weight: 1 }); });
            path.on("click", function () { window.location.href = entry.url; });
          }
        }).addTo(map);
        var bounds = L.geoJSON({ type: "FeatureCollection", features: children }).getBounds();
        /* More room on the left: the zoom buttons sit there and would hide a territory. */
        if (bounds.isValid()) {
          map.fitBounds(bounds, { paddingTopLeft: [46, 12], paddingBottomRight: [12, 12] });
        }
        container.dataset.state = "ready";
        return layer;
      })
      .catch(function () {
        map.remove();
        showError(container);
      });
  }

  function initChart(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.state) return;
    var data = readJson(canvas.dataset.source);
    if (!data) return;
    var lang = document.documentElement.lang || "es";
    var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          /* The band: the upper bound filled down to the lower bound (the next dataset). */
          { label: data.interval, data: data.high, borderWidth: 0, pointRadius: 0,
            backgroundColor: BAND, fill: "+1", spanGaps: false },
          { label: "low", data: data.low, borderWidth: 0, pointRadius: 0, fill: false,
            spanGaps: false },
          { label: data.title, data: data.value, borderColor: BRAND, backgroundColor: BRAND,
            borderWidth: 2, pointRadius: data.labels.length > 36 ? 0 : 2.5, fill: false,
            spanGaps: false, tension: 0 }
        ]
      },
      options: {
        locale: lang,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: {
            position: "bottom",
            labels: { filter: function (item) { return item.datasetIndex !== 1; } }
          },
          tooltip: {
            filter: function (item) { return item.datasetIndex === 2; },
            callbacks: {
              label: function (context) {
                var index = context.dataIndex;
                if (data.value[index] === null) return "";
                return data.title + ": " + format.format(data.value[index]) + " (" +
                  format.format(data.low[index]) + "–" + format.format(data.high[index]) + ")";
              }
            }
          }
        },
        scales: {
          y: { beginAtZero: true, ticks: { callback: function (value) { return format.format(value); } } },
          x: { ticks: { autoSkip: true, maxRotation: 0 } }
        }
      }
    });
    canvas.dataset.state = "ready";
  }

  function init(root) {
    root.querySelectorAll("[data-indicator-map]").forEach(initMap);
    root.querySelectorAll("canvas[data-indicator-chart]").forEach(initChart);
  }

  /* A selection that cannot be shown answers 400 with the explorer and its errors;
     htmx does not swap error responses unless told to. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "explorer") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  /* After an outerHTML swap the old target is detached: look at the whole page (initialised
     elements are skipped by their data-state). */
  document.addEventListener("htmx:afterSettle", function () { init(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
