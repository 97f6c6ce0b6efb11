/* Evidence dashboard: the country map and the charts. The page works without this
   file (every figure is also in a table); htmx swaps #results and this file draws
   what arrives. */
(function () {
  "use strict";

  var BRAND = "#0e4a66";
  var maps = [];
  var charts = [];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  /* The width a label's text takes, measured with the page's own font, so that the
     boxes compared below are the boxes drawn (an estimate per letter let long names of
     Central America overlap). */
  var measurer = document.createElement("canvas").getContext("2d");
  function textWidth(text, weight, container) {
    var style = window.getComputedStyle(container);
    var size = parseFloat(style.fontSize) * 0.72;
    measurer.font = weight + " " + size + "px " + style.fontFamily;
    return measurer.measureText(text).width;
  }

  /* Labels (name and count) for as many circles as fit without overlapping each other,
     biggest first, inside the map; the others show theirs on hover. Redone at every zoom. */
  function placeLabels(map, markers, container) {
    var labels = [];
    markers.forEach(function (marker) {
      var centre = map.latLngToContainerPoint(marker.circle.getLatLng());
      var width = Math.max(textWidth(marker.point.name, "700", container),
                           textWidth(String(marker.point.count), "400", container)) + 8;
      var height = 28;
      var box = {
        left: centre.x - width / 2, right: centre.x + width / 2,
        top: centre.y - height / 2, bottom: centre.y + height / 2
      };
      var clash = labels.some(function (other) {
        return !(box.right < other.left || box.left > other.right ||
                 box.bottom < other.top || box.top > other.bottom);
      });
      var inside = box.left >= 0 && box.top >= 0 &&
        box.right <= container.clientWidth && box.bottom <= container.clientHeight;
      if (clash || !inside) {
        if (map.hasLayer(marker.label)) map.removeLayer(marker.label);
      } else {
        labels.push(box);
        if (!map.hasLayer(marker.label)) marker.label.addTo(map);
      }
    });
  }

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function initMap(container) {
    if (typeof L === "undefined" || container.dataset.state) return;
    var data = readJson(container.dataset.source);
    if (!data) return;
    var map = L.map(container, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.5,
      maxBounds: [[-85, -200], [85, 200]]
    });
    maps.push({ container: container, map: map });
    if (window.ConvivenciaMaps) {
      ConvivenciaMaps.scale(map);
      ConvivenciaMaps.land(map, container.dataset.worldUrl);
    }
    var max = data.points.reduce(function (top, point) { return Math.max(top, point.count); }, 1);
    var markers = [];
    var bounds = [];
    /* Biggest first, so that small circles are drawn on top and stay clickable. */
    data.points.slice().sort(function (a, b) { return b.count - a.count; }).forEach(function (point) {
      var latLng = [point.lat, point.lng];
      var circle = L.circleMarker(latLng, {
        radius: 5 + 22 * Math.sqrt(point.count / max),
        color: BRAND,
        weight: 1.5,
        fillColor: "#2b7bb9",
        fillOpacity: 0.5
      }).addTo(map);
      circle.bindTooltip(escapeHtml(point.name) + ": " + point.count, { direction: "top" });
      circle.on("click", function () { window.location.href = point.url; });
      var label = L.marker(latLng, {
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: "map-label",
          html: escapeHtml(point.name) + "<span>" + point.count + "</span>",
          iconSize: [120, 28],
          iconAnchor: [60, 14]
        })
      });
      markers.push({ point: point, circle: circle, label: label });
      bounds.push(latLng);
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 5 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 4);
    } else {
      map.setView([0, -70], 2);
    }
    placeLabels(map, markers, container);
    map.on("zoomend", function () { placeLabels(map, markers, container); });
    container.dataset.state = "ready";
  }

  /* Long category names on lines of at most `limit` characters: Chart.js draws an array
     as one line each, so a name is never cut at the canvas's edge on a phone. */
  function wrap(label, limit) {
    var lines = [], line = "";
    String(label).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > limit) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : lines[0] || "";
  }

  function initChart(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.state) return;
    var data = readJson(canvas.dataset.source);
    if (!data) return;
    var horizontal = data.kind === "hbar";
    var limit = canvas.parentElement && canvas.parentElement.clientWidth < 560 ? 16 : 30;
    var names = data.rows.map(function (row) { return row.label; });
    var labels = horizontal ? names.map(function (name) { return wrap(name, limit); }) : names;
    if (horizontal && canvas.parentElement) {
      // Room for every wrapped line: 14 px a line and 10 between bars, plus the axis.
      var lines = labels.reduce(function (sum, label) {
        return sum + (Array.isArray(label) ? label.length : 1);
      }, 0);
      var needed = lines * 14 + labels.length * 10 + 40;
      if (canvas.parentElement.clientHeight < needed) {
        canvas.parentElement.style.height = needed + "px";
      }
    }
    var colours = data.rows.map(function (row) { return row.colour || "#2b7bb9"; });
    var chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{
          label: data.title,
          data: data.rows.map(function (row) { return row.count; }),
          backgroundColor: colours,
          borderColor: colours.map(function (colour) { return colour === "#eef1f4" ? "#aab4bf" : colour; }),
          borderWidth: 1
        }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        locale: document.documentElement.lang || "es",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          // The whole name in the tooltip, however the axis wrapped it.
          tooltip: { callbacks: { title: function (items) { return names[items[0].dataIndex]; } } }
        },
        scales: {
          x: horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : { ticks: { autoSkip: true, maxRotation: 60 } },
          y: horizontal ? { ticks: { autoSkip: false, font: { size: 11 } } } : { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
    charts.push(chart);
    canvas.dataset.state = "ready";
  }

  function init(root) {
    root.querySelectorAll("[data-evidence-map]").forEach(initMap);
    root.querySelectorAll("canvas[data-evidence-chart]").forEach(initChart);
  }

  /* Free what is about to be swapped out. */
  function release(root) {
    maps = maps.filter(function (entry) {
      if (root.contains(entry.container)) { entry.map.remove(); return false; }
      return true;
    });
    charts = charts.filter(function (chart) {
      if (root.contains(chart.canvas)) { chart.destroy(); return false; }
      return true;
    });
  }

  /* A filter that is not valid answers 400 with its messages: show them. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.detail.target.id === "results") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    if (event.detail.shouldSwap) release(event.detail.target);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    init(document);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
