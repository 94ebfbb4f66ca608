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
