/* Perception panels: the trend chart with interval bands and the choropleth map.
   The pages work without this file: every figure is also in a table. */
(function () {
  "use strict";

  var PICKED_AT_FIRST = 3;
  var PALETTE = ["#0e4a66", "#c05a00", "#2f7d32", "#7b3fa0", "#8a1c1c", "#00838f", "#6d5d00"];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function alpha(hex, opacity) {
    var value = parseInt(hex.slice(1), 16);
    return "rgba(" + (value >> 16) + "," + ((value >> 8) & 255) + "," + (value & 255) + "," + opacity + ")";
  }

  function number(value, lang) {
    return value === null || value === undefined ? "—" : value.toLocaleString(lang, {
      minimumFractionDigits: 1, maximumFractionDigits: 1
    });
  }

  /* Three datasets per series: the lower bound, the upper bound filled down to it, the line. */
  function datasetsFor(data, measure) {
    var datasets = [];
    data.series.forEach(function (series, index) {
      var colour = PALETTE[index % PALETTE.length];
      var key = measure === "mean" ? "mean" : "pct";
      datasets.push({
        label: series.label, role: "low", series: index,
        data: series[key + "_low"], borderWidth: 0, pointRadius: 0, pointHitRadius: 0,
        fill: false, spanGaps: false
      });
      datasets.push({
        label: series.label, role: "high", series: index,
        data: series[key + "_high"], borderWidth: 0, pointRadius: 0, pointHitRadius: 0,
        backgroundColor: alpha(colour, 0.08), fill: "-1", spanGaps: false
      });
      datasets.push({
        label: series.label, role: "line", series: index,
        data: series[key], borderColor: colour, backgroundColor: colour,
        borderWidth: 2, pointRadius: 3, fill: false, spanGaps: false, tension: 0,
        low: series[key + "_low"], high: series[key + "_high"], n: series.n
      });
    });
    return datasets;
  }

  function initTrend(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.state) return;
    var data = readJson(canvas.dataset.source);
    var strings = readJson(canvas.dataset.strings) || {};
    if (!data || !data.series.length) return;
    var lang = document.documentElement.lang || "es";
    var measure = canvas.dataset.measure === "mean" ? "mean" : "pct";
    var narrow = window.matchMedia("(max-width: 30em)").matches;

    var chart = new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasetsFor(data, measure) },
      options: {
        locale: lang,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              boxWidth: narrow ? 10 : 14,
              font: { size: narrow ? 11 : 12 },
              filter: function (item, chartData) {
                return chartData.datasets[item.datasetIndex].role === "line";
              }
            },
            /* A provider's line and its band come and go together. */
            onClick: function (event, item, legend) {
              var target = legend.chart.data.datasets[item.datasetIndex].series;
              var visible = legend.chart.isDatasetVisible(item.datasetIndex);
              legend.chart.data.datasets.forEach(function (dataset, index) {
                if (dataset.series === target) legend.chart.setDatasetVisibility(index, !visible);
              });
              legend.chart.update();
            }
          },
          tooltip: {
            filter: function (item) { return item.dataset.role === "line"; },
            callbacks: {
              label: function (context) {
                var dataset = context.dataset;
                var i = context.dataIndex;
                var text = dataset.label + ": " + number(context.parsed.y, lang);
                if (measure === "pct") text += " %";
                if (dataset.low[i] !== null && dataset.high[i] !== null) {
                  text += " [" + number(dataset.low[i], lang) + "–" + number(dataset.high[i], lang) + "]";
                }
                if (dataset.n[i] !== null) text += " · n=" + dataset.n[i];
                return text;
              }
            }
          }
        },
        scales: {
          y: {
            min: 0, max: 100,
            title: { display: !narrow, text: measure === "mean" ? strings.mean : strings.pct },
            ticks: { stepSize: 20 }
          },
          x: { ticks: { autoSkip: true, maxRotation: 0 } }
        }
      }
    });
    canvas.dataset.state = "ready";

    /* Seven providers' bands on one chart overlap into a smear: the reader picks which
       to compare (the first three to start with); the table below keeps every figure. */
    var shown = data.series.map(function (series, index) { return index < PICKED_AT_FIRST; });
    function applyPicks() {
      chart.data.datasets.forEach(function (dataset, index) {
        chart.setDatasetVisibility(index, shown[dataset.series]);
      });
      chart.update();
    }
    var picker = document.querySelector("[data-trend-picker]");
    if (picker && data.series.length > 1) {
      var list = picker.querySelector("[data-trend-picker-options]");
      data.series.forEach(function (series, index) {
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.checked = shown[index];
        box.addEventListener("change", function () {
          shown[index] = box.checked;
          applyPicks();
        });
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.backgroundColor = PALETTE[index % PALETTE.length];
        label.appendChild(box);
        label.appendChild(swatch);
        label.appendChild(document.createTextNode(series.label));
        list.appendChild(label);
      });
      picker.hidden = false;
      chart.options.plugins.legend.display = false;  /* the checkboxes are the legend */
      applyPicks();
    } else {
      shown = data.series.map(function () { return true; });
    }

    var toggle = document.querySelector("[data-measure-toggle]");
    if (!toggle) return;
    toggle.hidden = false;
    toggle.querySelectorAll("button").forEach(function (button) {
      button.addEventListener("click", function () {
        measure = button.dataset.measure;
        toggle.querySelectorAll("button").forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
        /* Keep the form in step, so that "Show" keeps the chosen measure. */
        var radio = document.querySelector('input[name="measure"][value="' + measure + '"]');
        if (radio) radio.checked = true;
        chart.data.datasets = datasetsFor(data, measure);
        chart.options.scales.y.title.text = measure === "mean" ? strings.mean : strings.pct;
        applyPicks();
        canvas.dataset.measure = measure;
      });
    });
  }

  /* Choropleth: no tile layer (works offline); each municipality's colour comes from the server. */
  function initMap(container) {
    if (typeof L === "undefined" || container.dataset.state) return;
    var strings = readJson(container.dataset.strings) || {};
    var lang = document.documentElement.lang || "es";
    var map = L.map(container, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
    if (window.ConvivenciaMaps) {
      ConvivenciaMaps.scale(map);
      ConvivenciaMaps.land(map, container.dataset.landUrl);
    }

    function style(feature) {
      var status = feature.properties.status;
      return {
        color: status === "data" ? "#44505c" : "#8a7a5c",
        weight: status === "data" ? 1 : 0.8,
        dashArray: status === "data" ? null : "3 3",
        fillColor: feature.properties.colour,
        fillOpacity: status === "data" ? 0.9 : 0.7
      };
    }

    function describe(properties) {
      var text = "<strong>" + escapeHtml(properties.name) + "</strong><br>";
      if (properties.status === "data") {
        text += number(properties.value, lang) + " % " + escapeHtml(strings.favourable || "");
        if (properties.low !== null) {
          text += " [" + number(properties.low, lang) + "–" + number(properties.high, lang) + "]";
        }
        text += "<br>n = " + properties.n;
      } else if (properties.status === "suppressed") {
        text += escapeHtml(strings.suppressed || "");
      } else {
        text += escapeHtml(strings.no_data || "");
      }
      return text;
    }

    fetch(container.dataset.source, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        if (!collection.features.length) {
          container.hidden = true;
          var empty = document.getElementById("map-empty");
          if (empty) empty.hidden = false;
          container.dataset.state = "empty";
          return;
        }
        var layer = L.geoJSON(collection, {
          style: style,
          onEachFeature: function (feature, path) {
            path.bindTooltip(describe(feature.properties), { sticky: true });
            path.on("mouseover", function () { path.setStyle({ weight: 2.5 }); });
            path.on("mouseout", function () { layer.resetStyle(path); });
          }
        }).addTo(map);
        /* Municipalities with data on top, so their outlines are not hidden. */
        layer.eachLayer(function (path) {
          if (path.feature.properties.status === "data") path.bringToFront();
        });
        var bounds = layer.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
        container.dataset.state = "ready";
      })
      .catch(function () {
        container.dataset.state = "failed";
        var note = document.getElementById(container.dataset.errorId);
        if (note) note.hidden = false;
      });
  }

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function init() {
    document.querySelectorAll("canvas[data-panel-trend]").forEach(initTrend);
    document.querySelectorAll("[data-panel-map]").forEach(initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
