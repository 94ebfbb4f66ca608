// Helpers of the planner's maps. Every user-supplied string is written with textContent:
// names, ids and districts are shown as text and can never become markup or script.
window.plannerDetails = function (rows) {
  // rows: [[property, label or null], ...] -> a function(layer) building the details table.
  return function (layer) {
    var props = (layer.feature && layer.feature.properties) || {};
    var box = document.createElement("div");
    box.className = "planner-details";
    var table = document.createElement("table");
    rows.forEach(function (row) {
      var value = props[row[0]];
      if (value === null || value === undefined || value === "") { return; }
      var tr = table.insertRow();
      if (row[1] !== null) {
        var th = document.createElement("th");
        th.textContent = row[1];
        tr.appendChild(th);
      }
      tr.insertCell().textContent = String(value);
    });
    box.appendChild(table);
    return box;
  };
};
window.plannerLabel = function (text, small) {
  var span = document.createElement("span");
  span.textContent = text;
  return L.divIcon({html: span, className: "planner-label" + (small ? " small" : ""),
                    iconSize: null});
};
window.plannerWatchZoom = function (map, minZoom) {
  // Small labels (many communes) only once zoomed in.
  var update = function () {
    map.getContainer().classList.toggle("planner-zoomed-out", map.getZoom() < minZoom);
  };
  map.on("zoomend", update);
  update();
};
window.plannerNarrow = function () {
  return window.matchMedia("(max-width: 600px)").matches;
};
window.plannerFit = function (map, bounds) {
  // The whole area in whatever room the map has: on load, before printing (always), and when
  // the window or the report's frame changes size or the legend opens or closes (until the
  // reader moves the map). A title drawn over the map, and an open what-if panel beside it
  // on a screen, are kept clear of the area.
  var moved = false;
  var over = function (selector) {
    var e = document.querySelector(selector);
    return e && e.offsetWidth && window.getComputedStyle(e).position === "absolute" ? e : null;
  };
  var fit = function () {
    var title = over(".planner-title");
    var panel = document.querySelector(".planner-whatif");
    var open = panel && panel.querySelector(":scope > details[open]");
    var side = open && !window.plannerNarrow() && !window.matchMedia("print").matches
      ? panel.offsetWidth + 20 : 0;
    map.invalidateSize({animate: false, pan: false});
    map.fitBounds(bounds, {paddingTopLeft: [10, 10 + (title ? title.offsetHeight : 0)],
                           paddingBottomRight: [10 + side, 10], animate: false});
  };
  var refit = function () { if (!moved) { fit(); } };
  ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (name) {
    map.getContainer().addEventListener(name, function () { moved = true; }, {passive: true});
  });
  var legend = document.querySelector("details.planner-legend");
  var printing = function () {
    if (legend) { legend.open = true; }
    fit();
  };
  fit();
  window.addEventListener("resize", refit);
  window.addEventListener("beforeprint", printing);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var changed = function (e) { if (e.matches) { printing(); } else { refit(); } };
    if (print.addEventListener) { print.addEventListener("change", changed); }
    else if (print.addListener) { print.addListener(changed); }
  }
  if (legend) { legend.addEventListener("toggle", refit); }
};
