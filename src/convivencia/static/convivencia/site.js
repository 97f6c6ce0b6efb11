/* Convivencia: progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Map tooltips take the text as text: a name is never parsed as HTML. */
  function textTooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  /* Territory map: the boundary and its children, no tile layer (works offline). */
  function initMap(container) {
    if (typeof L === "undefined") return;
    var childUrl = container.dataset.childUrl;
    var map = L.map(container, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25
    });
    if (window.ConvivenciaMaps) {
      ConvivenciaMaps.scale(map);
      ConvivenciaMaps.land(map, container.dataset.landUrl);
    }
    var selfStyle = { color: "#0e4a66", weight: 3, fillColor: "#0e4a66", fillOpacity: 0.08 };
    var childStyle = { color: "#5f7d91", weight: 1, fillColor: "#8fb3c9", fillOpacity: 0.25 };
    var hoverStyle = { fillOpacity: 0.5, weight: 2 };

    fetch(container.dataset.boundaryUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            return feature.properties.self ? selfStyle : childStyle;
          },
          interactive: true,
          onEachFeature: function (feature, path) {
            if (feature.properties.self) return;
            path.bindTooltip(textTooltip(feature.properties.name), { sticky: true });
            path.on("mouseover", function () { path.setStyle(hoverStyle); });
            path.on("mouseout", function () { layer.resetStyle(path); });
            path.on("click", function () {
              window.location.href = childUrl.replace(/\/0\/$/, "/" + feature.properties.id + "/");
            });
          }
        }).addTo(map);
        /* The territory's own outline on top, so children do not hide it. */
        layer.eachLayer(function (path) {
          if (path.feature.properties.self) path.bringToFront();
        });
        var bounds = layer.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
        container.dataset.state = "ready";
      })
      .catch(function () {
        container.dataset.state = "failed";
        var note = document.getElementById(container.dataset.errorId);
        if (note) note.hidden = false;
      });
  }

  /* Population chart: one line per source; the table next to it is the accessible version. */
  var palette = ["#0e4a66", "#c05a00", "#2f7d32", "#7b3fa0", "#8a1c1c"];

  function initChart(canvas) {
    if (typeof Chart === "undefined") return;
    var data = readJson(canvas.dataset.source);
    if (!data) return;
    var lang = document.documentElement.lang || "es";
    /* Group digits as the server does in the table beside the chart. */
    var separator = canvas.dataset.thousands || "";
    var group = function (value) {
      return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
    };
    var datasets = data.datasets.map(function (dataset, index) {
      var colour = palette[index % palette.length];
      return {
        label: dataset.label,
        data: dataset.data,
        borderColor: colour,
        backgroundColor: colour,
        pointRadius: 3,
        spanGaps: true,
        tension: 0
      };
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        locale: lang,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + group(context.parsed.y);
              }
            }
          }
        },
        scales: {
          y: { beginAtZero: false, ticks: { precision: 0, callback: group } }
        }
      }
    });
  }

  /* Copy buttons: <button data-copy="input-id"> copies that field's value. */
  function initCopy(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      if (!field) return;
      field.select();
      var done = function () {
        button.textContent = button.dataset.copied || button.textContent;
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done);
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  }

  /* The Content-Security-Policy allows no inline handlers: small behaviours are named by
     data attributes and wired here. Clicks are delegated, so buttons that htmx brings in
     later work too. */
  function initSubmitOnChange(field) {
    field.addEventListener("change", function () {
      if (field.form) field.form.submit();
    });
  }

  function initPrint(button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  /* <button data-append-to="field-id" data-token="CODE">: adds CODE to a "; "-separated list. */
  function appendToken(button) {
    var box = document.getElementById(button.dataset.appendTo);
    if (!box) return;
    var text = box.value.trim().replace(/;$/, "");
    box.value = text ? text + "; " + button.dataset.token : button.dataset.token;
    box.focus();
  }

  /* A table wider than the screen scrolls sideways inside its .table-wrap: say so with a
     visible hint, edge shadows (CSS) and a focusable, labelled region that the keyboard
     can scroll. Re-measured on resize, on opening a <details> and after htmx swaps. */
  function updateScrollable(wrap) {
    var text = document.body.dataset.scrollHint || "";
    var scrolls = wrap.clientWidth > 0 && wrap.scrollWidth > wrap.clientWidth + 1;
    var hint = wrap.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) hint = null;
    wrap.classList.toggle("is-scrollable", scrolls);
    if (!scrolls) {
      if (hint) hint.hidden = true;
      if (wrap.dataset.scrollRegion) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.scrollRegion;
      }
      return;
    }
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.textContent = text;
      wrap.parentNode.insertBefore(hint, wrap);
    }
    hint.hidden = false;
    if (!wrap.hasAttribute("tabindex")) {
      var caption = wrap.querySelector("caption");
      var name = caption ? caption.textContent.trim() : "";
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", name ? name + " — " + text : text);
      wrap.dataset.scrollRegion = "1";
    }
  }

  function updateAllScrollables() {
    document.querySelectorAll(".table-wrap").forEach(updateScrollable);
  }

  function init() {
    updateAllScrollables();
    window.addEventListener("resize", updateAllScrollables);
    document.addEventListener("toggle", updateAllScrollables, true);
    document.body.addEventListener("htmx:afterSettle", updateAllScrollables);
    document.querySelectorAll("[data-map]").forEach(initMap);
    document.querySelectorAll("canvas[data-chart]").forEach(initChart);
    document.querySelectorAll("button[data-copy]").forEach(initCopy);
    document.querySelectorAll("select[data-submit-on-change]").forEach(initSubmitOnChange);
    document.querySelectorAll("button[data-print]").forEach(initPrint);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-append-to]");
    if (button) appendToken(button);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
