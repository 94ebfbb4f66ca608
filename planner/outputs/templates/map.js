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
  // reader moves the map). A title drawn over the map is kept clear of the area.
  var moved = false, fitting = false;
  var fit = function () {
    var title = document.querySelector(".planner-title");
    var over = title && window.getComputedStyle(title).position === "absolute";
    fitting = true;
    map.invalidateSize({animate: false, pan: false});
    map.fitBounds(bounds, {paddingTopLeft: [10, 10 + (over ? title.offsetHeight : 0)],
                           paddingBottomRight: [10, 10], animate: false});
    fitting = false;
  };
  var refit = function () { if (!moved) { fit(); } };
  map.on("dragstart zoomstart", function () { if (!fitting) { moved = true; } });
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
