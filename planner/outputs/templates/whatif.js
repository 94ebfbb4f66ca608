// What-if on the planner's map (planner/_whatif.py): reassign districts and units in the
// browser, offline, and see the figures of planner.scoring recomputed on the spot.
// Every text is written with textContent (names and ids are data, never markup); the data
// come from a JSON block, never from the page's markup.
(function () {
  "use strict";
  var registered = {};
  var api = {
    // Called by each layer's script as it is created, before start().
    layer: function (kind, layer) { registered[kind] = layer; },
    start: function (map, dataId) {
      var node = document.getElementById(dataId);
      if (!node) { return null; }
      api.state = new WhatIf(map, JSON.parse(node.textContent), registered);
      return api.state;
    },
    state: null
  };
  window.plannerWhatIf = api;

  // -- formatting (planner.formatting: separators of the page's language) -------------------
  function fill(template, fields) {
    // One pass, so a name containing "{hospital}" is never filled in again.
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(fields, key) ? String(fields[key]) : whole;
    });
  }
  function Numbers(fmt) {
    this.fmt = fmt;
  }
  Numbers.prototype.number = function (x, decimals) {
    var fmt = this.fmt;
    if (x === null || x === undefined || !isFinite(x)) { return fmt.missing; }
    var scale = Math.pow(10, decimals);
    var rounded = Math.round(Math.abs(x) * scale) / scale;
    var parts = rounded.toFixed(decimals).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, fmt.thousands);
    var body = parts.length > 1 ? whole + fmt.decimal + parts[1] : whole;
    return (x < 0 && rounded !== 0 ? fmt.minus : "") + body;
  };
  Numbers.prototype.minutes = function (seconds, decimals) {
    if (seconds === null || !isFinite(seconds)) { return this.fmt.missing; }
    return this.number(seconds / 60, decimals || 0) + " " + this.fmt.min;
  };
  Numbers.prototype.percent = function (share, decimals) {
    if (share === null || !isFinite(share)) { return this.fmt.missing; }
    return this.number(100 * share, decimals) + "%";
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function byFeatureId(layer) {
    var out = Object.create(null);  // keyed by ids from files: no prototype
    if (layer) { layer.eachLayer(function (l) { if (l.feature) { out[String(l.feature.id)] = l; } }); }
    return out;
  }
  function snapshot(options) {
    return {
      color: options.color, weight: options.weight, opacity: options.opacity,
      fillColor: options.fillColor, fillOpacity: options.fillOpacity,
      dashArray: options.dashArray || null, stroke: options.stroke, fill: options.fill
    };
  }

  // -- the model: planner.scoring's definitions on the embedded times -----------------------
  function WhatIf(map, data, layers) {
    var self = this;
    this.map = map;
    this.d = data;
    this.layers = layers;
    this.f = new Numbers(data.fmt);
    this.nH = data.hosp.id.length;
    this.nU = data.units.id.length;
    this.orig = data.units.h.slice();
    this.cur = data.units.h.slice();
    this.drawn = data.units.h.slice();
    this.hospIndex = Object.create(null);
    data.hosp.id.forEach(function (id, j) { self.hospIndex[id] = j; });
    this.unitIndex = Object.create(null);
    data.units.id.forEach(function (id, u) { self.unitIndex[id] = u; });
    this.groupOf = new Array(this.nU);
    data.groups.forEach(function (members, g) {
      members.forEach(function (u) { self.groupOf[u] = g; });
    });
    this.areaOf = {};
    if (data.areas) {
      data.areas.units.forEach(function (members, a) {
        members.forEach(function (u) { (self.areaOf[u] = self.areaOf[u] || []).push(a); });
      });
    }
    this.lastUpdateMs = NaN;
    this._bindLayers();
    this.proposal = this.metrics(this.orig);
    this.originalAreas = data.areas ? data.areas.units.map(function (members) {
      return self.areaState(members, self.orig);
    }) : [];
    this._buildPanel();
    this.update();
  }

  WhatIf.prototype.time = function (u, h, peak) {
    var times = peak ? this.d.tp : this.d.t;
    if (h < 0 || !times) { return null; }
    return times[u * this.nH + h];
  };

  // Figures of planner.scoring.score_pairings for an assignment (hospital index per unit):
  // the population-weighted mean over the paired units with a time (plain mean when they
  // weigh nothing), the share of the paired units' counted population within 60 minutes,
  // the counted population per hospital and largest / smallest (infinite when one is 0).
  WhatIf.prototype.metrics = function (assign) {
    var d = this.d, nH = this.nH, w = d.units.w, self = this;
    var out = {load: new Array(nH).fill(0), units: new Array(nH).fill(0), moved: 0, noTime: 0};
    var peaks = d.tp ? [false, true] : [false];
    peaks.forEach(function (peak) {
      var sw = 0, swt = 0, n = 0, st = 0, wAll = 0, wIn = 0;
      for (var u = 0; u < self.nU; u++) {
        var h = assign[u];
        if (h < 0) { continue; }
        wAll += w[u];
        var t = self.time(u, h, peak);
        if (t === null) { continue; }
        n += 1; st += t; sw += w[u]; swt += w[u] * t;
        if (t <= d.within_s) { wIn += w[u]; }
      }
      var mean = n === 0 ? NaN : (sw > 0 ? swt / sw : st / n);
      var within = wAll > 0 ? wIn / wAll : NaN;
      out[peak ? "meanPeak" : "mean"] = mean;
      out[peak ? "withinPeak" : "within"] = within;
    });
    for (var u = 0; u < this.nU; u++) {
      var h = assign[u];
      if (assign[u] !== this.orig[u]) { out.moved += 1; }
      if (h < 0) { continue; }
      out.load[h] += w[u];
      out.units[h] += 1;
      if (this.time(u, h, false) === null) { out.noTime += 1; }
    }
    var max = nH ? Math.max.apply(null, out.load) : NaN;
    var min = nH ? Math.min.apply(null, out.load) : NaN;
    out.ratio = min > 0 ? max / min : Infinity;
    return out;
  };

  // An area's sister hospital and time (planner.maps: a unit's own; for a district, the
  // hospital serving most of its counted population and its population-weighted mean time).
  WhatIf.prototype.areaState = function (members, assign) {
    var w = this.d.units.w, self = this;
    if (this.d.areas.by === "unit") {
      var u0 = members[0];
      if (u0 === undefined) { return {h: -1, t: null}; }
      return {h: assign[u0], t: this.time(u0, assign[u0], false)};
    }
    var total = 0;
    members.forEach(function (u) { total += w[u]; });
    var load = {}, sw = 0, swt = 0, best = -1;
    members.forEach(function (u) {
      var weight = total > 0 ? w[u] : 1, h = assign[u];
      if (h < 0) { return; }
      load[h] = (load[h] || 0) + weight;
      if (best < 0 || load[h] > load[best]) { best = h; }
      var t = self.time(u, h, false);
      if (t !== null) { sw += weight; swt += weight * t; }
    });
    return {h: best, t: sw > 0 ? swt / sw : null};
  };

  // What one select moves: a group (a district with its communes) or, where the scheme's own
  // units are listed (data.split), a commune alone.
  WhatIf.prototype.scope = function (u) {
    var g = this.groupOf[u], members = this.d.groups[g];
    if (this.d.split && members.length > 1 && members[0] !== u) {
      return {units: [u], label: this.d.units.name[u], together: 0};
    }
    return {units: members, label: this.groupLabel(g), together: members.length - 1};
  };

  WhatIf.prototype.meanTime = function (members) {
    var w = this.d.units.w, sw = 0, swt = 0, n = 0, st = 0, self = this;
    members.forEach(function (u) {
      var t = self.time(u, self.cur[u], false);
      if (t === null) { return; }
      n += 1; st += t; sw += w[u]; swt += w[u] * t;
    });
    return n === 0 ? null : (sw > 0 ? swt / sw : st / n);
  };

  WhatIf.prototype.groupLabel = function (g) {
    var d = this.d, members = d.groups[g], head = members[0];
    var district = d.units.district[head];
    if (members.length > 1 && district >= 0) { return d.districts[district]; }
    return d.units.name[head];
  };

  WhatIf.prototype.colour = function (h, t) {
    if (h < 0 || t === null) { return this.d.styles.unreachable; }
    return this.d.hosp.colour[h];
  };

  WhatIf.prototype.pinnedText = function (members) {
    var fixed = this.d.units.fixed;
    for (var i = 0; i < members.length; i++) {
      if (fixed[members[i]] !== null) { return fixed[members[i]]; }
    }
    return null;
  };

  // -- choosing -----------------------------------------------------------------------------
  // Give the units of a scope hospital h (index, -1: not paired); pinned units ask first.
  WhatIf.prototype.choose = function (scope, h) {
    var d = this.d, self = this;
    if (scope.units.every(function (u) { return self.cur[u] === h; })) { return true; }
    var pinned = this.pinnedText(scope.units);
    if (pinned !== null) {
      var question = fill(d.text.confirm, {
        name: scope.label, what: pinned, hospital: h >= 0 ? d.hosp.name[h] : d.text.unassigned
      });
      if (!window.confirm(question)) { this.update(); return false; }
    }
    scope.units.forEach(function (u) { self.cur[u] = h; });
    this.update();
    return true;
  };

  // For tests and scripts: what the select of unitId does, choosing hospitalId.
  WhatIf.prototype.move = function (unitId, hospitalId) {
    var u = this.unitIndex[String(unitId)];
    if (u === undefined) { throw new Error("unknown unit"); }
    var h = hospitalId === "" || hospitalId === null ? -1 : this.hospIndex[hospitalId];
    if (h === undefined) { throw new Error("unknown hospital"); }
    return this.choose(this.scope(u), h);
  };

  WhatIf.prototype.reset = function () {
    this.cur = this.orig.slice();
    this.update();
  };

  // -- the panel ----------------------------------------------------------------------------
  WhatIf.prototype._select = function (scope, attributes) {
    var d = this.d, self = this;
    var select = el("select", "planner-whatif-select");
    Object.keys(attributes).forEach(function (key) { select.setAttribute(key, attributes[key]); });
    if (scope.units.some(function (u) { return self.orig[u] < 0; })) {
      var none = el("option", null, d.text.unassigned);
      none.value = "";
      select.appendChild(none);
    }
    d.hosp.id.forEach(function (id, j) {
      var option = el("option", null, d.hosp.name[j]);
      option.value = id;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var h = select.value === "" ? -1 : self.hospIndex[select.value];
      self.choose(scope, h);
    });
    return select;
  };

  WhatIf.prototype._buildPanel = function () {
    var d = this.d, t = d.text, self = this;
    var box = el("div", "planner-whatif");
    var details = el("details");
    // Open on a map page of its own; closed on a phone and inside the report, where the map
    // is small (a tap opens it).
    var embedded = window.self !== window.top;
    if (!embedded && !(window.plannerNarrow && window.plannerNarrow())) { details.open = true; }
    details.appendChild(el("summary", null, t.title));
    details.appendChild(el("p", "intro", t.intro));

    var table = el("table", "scoreboard");
    var head = table.createTHead().insertRow();
    head.appendChild(el("th"));
    head.appendChild(el("th", null, t.proposal));
    head.appendChild(el("th", null, t.edited));
    var body = table.createTBody();
    this.cells = {};
    var rows = [["mean", "pop_weighted_mean_min", t.mean]];
    if (d.tp) { rows.push(["meanPeak", "pop_weighted_mean_peak_min", t.mean_peak]); }
    rows.push(["within", "share_population_within_60min", t.within]);
    if (d.tp) { rows.push(["withinPeak", "share_population_within_60min_peak", t.within_peak]); }
    rows.forEach(function (row) { self._metricRow(body, row[0], row[1], row[2], null); });
    var loads = body.insertRow();
    var th = el("th", "head", t.loads);
    th.colSpan = 3;
    loads.appendChild(th);
    d.hosp.id.forEach(function (id, j) {
      self._metricRow(body, "load", "load", d.hosp.name[j], j);
    });
    [["ratio", "load_ratio_max_min", t.ratio], ["moved", "units_moved", t.moved],
     ["noTime", "pairs_without_time", t.no_time]].forEach(function (row) {
      self._metricRow(body, row[0], row[1], row[2], null);
    });
    details.appendChild(table);
    details.appendChild(el("p", "note", t.trips));

    var buttons = el("div", "buttons");
    var reset = el("button", null, t.reset);
    reset.type = "button";
    reset.setAttribute("data-action", "reset");
    reset.addEventListener("click", function () { self.reset(); });
    var download = el("button", null, t.download);
    download.type = "button";
    download.setAttribute("data-action", "download-pairing");
    download.addEventListener("click", function () { self.download(); });
    buttons.appendChild(reset);
    buttons.appendChild(download);
    details.appendChild(buttons);
    details.appendChild(el("p", "note", fill(t.command, {command: d.command})));
    var legend = el("p", "note moved-legend");
    legend.appendChild(el("span", "ring"));
    legend.appendChild(document.createTextNode(t.moved_legend));
    details.appendChild(legend);

    var list = el("div", "list");
    this.rows = [];
    var grouped = d.sections.length > 1 || d.sections[0].district >= 0;
    var districts = d.groups.some(function (members) { return members.length > 1; });
    d.sections.forEach(function (section) {
      var holder = list;
      if (grouped) {
        var part = el("details", "section");
        var name = section.district >= 0 ? d.districts[section.district] : t.other_units;
        part.appendChild(el("summary", null, name + " (" + section.groups.length + ")"));
        list.appendChild(part);
        holder = part;
      } else {
        list.appendChild(el("div", "head", districts ? t.districts : t.units));
      }
      section.groups.forEach(function (g) {
        var head = d.groups[g][0];
        holder.appendChild(self._row(self.scope(head), head));
        if (!d.split || d.groups[g].length < 2) { return; }
        // The scheme's own units, each movable alone, under their district.
        var members = el("details", "members");
        members.appendChild(el("summary", null, fill(t.units_of, {count: d.groups[g].length - 1})));
        d.groups[g].slice(1).forEach(function (u) {
          members.appendChild(self._row(self.scope(u), u));
        });
        holder.appendChild(members);
      });
    });
    details.appendChild(list);
    box.appendChild(details);

    this.panel = box;
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    document.body.classList.add("planner-has-whatif");
    // Added once the page's script has run, so that it sits under the layer control.
    setTimeout(function () { self._attach(details.open); }, 0);
  };

  WhatIf.prototype._attach = function (open) {
    var box = this.panel;
    var Control = L.Control.extend({
      options: {position: "topright"},
      onAdd: function () { return box; }
    });
    new Control().addTo(this.map);
    // Fit the units into the part of the map the open panel leaves free.
    if (open && this.layers.units && this.layers.units.getBounds().isValid()) {
      this.map.fitBounds(this.layers.units.getBounds(), {
        paddingTopLeft: [20, 80], paddingBottomRight: [box.offsetWidth + 20, 20]
      });
    }
  };

  WhatIf.prototype._metricRow = function (body, key, metric, label, hospital) {
    var row = body.insertRow();
    row.appendChild(el("th", null, label));
    var before = row.insertCell();
    var after = row.insertCell();
    before.setAttribute("data-proposal", metric);
    after.setAttribute("data-metric", metric);
    if (hospital !== null) {
      before.setAttribute("data-hospital-id", this.d.hosp.id[hospital]);
      after.setAttribute("data-hospital-id", this.d.hosp.id[hospital]);
      var swatch = el("span", "swatch");
      swatch.style.background = this.d.hosp.colour[hospital];
      row.firstChild.insertBefore(swatch, row.firstChild.firstChild);
    }
    this.cells[metric + (hospital === null ? "" : ":" + hospital)] = {
      key: key, hospital: hospital, before: before, after: after
    };
  };

  // One row of the panel: what a select moves (scope), led by unit u (whose id it carries).
  WhatIf.prototype._row = function (scope, u) {
    var d = this.d;
    var row = el("div", "row");
    row.appendChild(el("span", "name", scope.label));
    var pinned = this.pinnedText(scope.units);
    if (pinned !== null) {
      row.classList.add("pinned");
      row.appendChild(el("span", "badge", pinned));
    }
    if (scope.together > 0) {
      row.appendChild(el("span", "size", fill(d.text.moves_together, {count: scope.together})));
    }
    var select = this._select(scope, {"data-unit-id": d.units.id[u]});
    row.appendChild(select);
    var time = el("span", "time");
    row.appendChild(time);
    this.rows.push({row: row, select: select, time: time, head: u, units: scope.units});
    return row;
  };

  // -- the map's layers ---------------------------------------------------------------------
  WhatIf.prototype._bindLayers = function () {
    var self = this, layers = this.layers;
    this.unitLayers = byFeatureId(layers.units);
    this.linkLayers = byFeatureId(layers.links);
    this.hospitalLayers = byFeatureId(layers.hospitals);
    this.areaLayers = byFeatureId(layers.areas);
    this.unitStyle = Object.create(null);
    this.unitProps = Object.create(null);
    Object.keys(this.unitLayers).forEach(function (id) {
      var l = self.unitLayers[id];
      self.unitStyle[id] = snapshot(l.options);
      self.unitProps[id] = Object.assign({}, l.feature.properties);
    });
    this.linkStyle = Object.create(null);
    Object.keys(this.linkLayers).forEach(function (id) {
      self.linkStyle[id] = snapshot(self.linkLayers[id].options);
    });
    this.areaStyle = Object.create(null);
    this.areaProps = Object.create(null);
    Object.keys(this.areaLayers).forEach(function (id) {
      self.areaStyle[id] = snapshot(self.areaLayers[id].options);
      self.areaProps[id] = Object.assign({}, self.areaLayers[id].feature.properties);
    });
    this.extraLinks = Object.create(null);
    if (layers.units && layers.units.getPopup && layers.units.getPopup()) {
      var popup = layers.units.getPopup();
      var base = popup.getContent();
      popup.setContent(function (layer) {
        var box = typeof base === "function" ? base(layer) : el("div");
        box.appendChild(self._popupControl(layer, popup));
        return box;
      });
    }
  };

  WhatIf.prototype._popupControl = function (layer, popup) {
    var d = this.d, self = this;
    var u = this.unitIndex[String(layer.feature.id)];
    var box = el("div", "planner-whatif-popup");
    if (u === undefined) { return box; }
    var scope = this.scope(u);
    box.appendChild(el("div", "label", d.text.reassign));
    var select = this._select(scope, {"data-scope-of": d.units.id[u]});
    select.value = this.cur[u] >= 0 ? d.hosp.id[this.cur[u]] : "";
    select.addEventListener("change", function () { popup.update(); });
    box.appendChild(select);
    if (scope.together > 0) {
      box.appendChild(el("div", "note", scope.label + ": " +
        fill(d.text.moves_together, {count: scope.together})));
    }
    if (this.cur[u] !== this.orig[u]) {
      var was = this.orig[u] >= 0 ? d.hosp.name[this.orig[u]] : d.text.unassigned;
      box.appendChild(el("div", "note", fill(d.text.in_proposal, {name: was})));
    }
    return box;
  };

  WhatIf.prototype._drawUnit = function (u) {
    var d = this.d, id = d.units.id[u], l = this.unitLayers[id];
    var h = this.cur[u], moved = h !== this.orig[u];
    if (l) {
      var props = l.feature.properties;
      if (!moved) {
        l.setStyle(this.unitStyle[id]);
        Object.assign(props, this.unitProps[id]);
      } else {
        var t = this.time(u, h, false);
        l.setStyle({fillColor: this.colour(h, t), color: "#111111", weight: 2, dashArray: "3 2"});
        props.hospital = h >= 0 ? d.hosp.name[h] : d.fmt.missing;
        props.travel_time = t === null ? d.text.unreachable : this.f.minutes(t, 0);
        props.next_best = this._nextBest(u, h);
      }
    }
    this._drawLink(u, id, moved);
  };

  // The best other hospital and what switching to it would cost (planner.maps.switch_text).
  WhatIf.prototype._nextBest = function (u, h) {
    var d = this.d, best = -1, bestT = null;
    for (var j = 0; j < this.nH; j++) {
      var t = this.time(u, j, false);
      if (j === h || t === null) { continue; }
      if (bestT === null || t < bestT) { best = j; bestT = t; }
    }
    if (best < 0) { return null; }
    var name = d.hosp.name[best], own = this.time(u, h, false);
    if (own === null) { return name; }
    var seconds = bestT - own;
    if (Math.round(Math.abs(seconds) / 60) === 0) { return fill(d.text.switch_same, {name: name}); }
    var template = seconds > 0 ? d.text.switch_slower : d.text.switch_faster;
    return fill(template, {name: name, minutes: this.f.minutes(Math.abs(seconds), 0)});
  };

  WhatIf.prototype._drawLink = function (u, id, moved) {
    var original = this.linkLayers[id];
    if (original) { original.setStyle(moved ? {opacity: 0} : this.linkStyle[id]); }
    var extra = this.extraLinks[id];
    if (extra) { this.layers.links.removeLayer(extra); delete this.extraLinks[id]; }
    var h = this.cur[u];
    if (!moved || !this.layers.links || h < 0 || this.time(u, h, false) === null) { return; }
    var from = this.unitLayers[id], to = this.hospitalLayers[this.d.hosp.id[h]];
    if (!from || !to) { return; }
    var line = L.polyline([from.getLatLng(), to.getLatLng()], {
      color: this.d.hosp.colour[h], weight: 2, opacity: 0.9, dashArray: "6 4", interactive: false
    });
    this.layers.links.addLayer(line);
    this.extraLinks[id] = line;
  };

  WhatIf.prototype._drawArea = function (a, state) {
    var l = this.areaLayers[String(a)];
    if (!l) { return; }
    var original = this.originalAreas[a], id = String(a), d = this.d;
    var same = state.h === original.h && state.t === original.t;
    var overlay = d.areas.overlay;
    if (same) {
      l.setStyle(this.areaStyle[id]);
      Object.assign(l.feature.properties, this.areaProps[id]);
      return;
    }
    var style = {};
    var colour = state.h >= 0 ? d.hosp.colour[state.h] : d.styles.unreachable;
    if (!overlay) {
      var k = -1;
      d.styles.bins_s.forEach(function (lo, i) { if (state.t !== null && state.t >= lo) { k = i; } });
      if (k < 0) {
        Object.assign(style, {color: "#555555", weight: 0.6, fillOpacity: 0.55}, d.styles.unreachable_area);
      } else {
        style = {fillColor: d.styles.colours[k], color: "#555555", weight: 0.6, dashArray: null, fillOpacity: 0.55};
      }
      l.feature.properties.travel_time = state.t === null ? d.text.unreachable_area : this.f.minutes(state.t, 0);
    }
    if (state.h !== original.h) {
      Object.assign(style, {stroke: true, color: colour, weight: 3, opacity: 1, dashArray: "6 4"});
      if (overlay) { Object.assign(style, {fill: true, fillColor: colour, fillOpacity: 0.3}); }
    } else if (overlay) {
      style = {stroke: false, fill: false};
    }
    l.setStyle(style);
    if (state.h !== original.h && l.bringToFront) { l.bringToFront(); }
  };

  WhatIf.prototype._drawHospitals = function (m) {
    var d = this.d, f = this.f, self = this;
    d.hosp.id.forEach(function (id, j) {
      var l = self.hospitalLayers[id];
      if (!l) { return; }
      l.feature.properties.units = f.number(m.units[j], 0);
      l.feature.properties.population = f.number(m.load[j], 0);
    });
  };

  WhatIf.prototype._show = function (cell, value, text) {
    cell.textContent = text;
    cell.setAttribute("data-value", value === null || !isFinite(value) ? "" : String(value));
  };

  WhatIf.prototype._writeScores = function (m) {
    var f = this.f, self = this;
    Object.keys(this.cells).forEach(function (name) {
      var cell = self.cells[name];
      [[cell.before, self.proposal], [cell.after, m]].forEach(function (pair) {
        var target = pair[0], figures = pair[1], value, text;
        switch (cell.key) {
          case "mean": case "meanPeak":
            value = figures[cell.key] / 60;
            text = f.minutes(figures[cell.key], 1);
            break;
          case "within": case "withinPeak":
            value = figures[cell.key];
            text = f.percent(value, 1);
            break;
          case "load":
            value = figures.load[cell.hospital];
            text = f.number(value, 0);
            break;
          case "ratio":
            value = figures.ratio;
            text = f.number(value, 2);
            break;
          default:
            value = figures[cell.key];
            text = f.number(value, 0);
        }
        self._show(target, value, text);
      });
      cell.after.classList.toggle("changed", cell.after.textContent !== cell.before.textContent);
    });
  };

  // Recompute the figures and redraw what changed since the last update.
  WhatIf.prototype.update = function () {
    var started = performance.now(), d = this.d, self = this;
    var m = this.metrics(this.cur);
    this._writeScores(m);
    var areas = {};
    for (var u = 0; u < this.nU; u++) {
      if (this.cur[u] === this.drawn[u]) { continue; }
      this._drawUnit(u);
      (this.areaOf[u] || []).forEach(function (a) { areas[a] = true; });
    }
    Object.keys(areas).forEach(function (a) {
      self._drawArea(Number(a), self.areaState(d.areas.units[a], self.cur));
    });
    this._drawHospitals(m);
    this.rows.forEach(function (row) {
      var h = self.cur[row.head];
      row.select.value = h >= 0 ? d.hosp.id[h] : "";
      row.row.classList.toggle("moved", row.units.some(function (v) { return self.cur[v] !== self.orig[v]; }));
      row.time.textContent = self.f.minutes(self.meanTime(row.units), 0);
    });
    this.drawn = this.cur.slice();
    this.current = m;
    this.lastUpdateMs = performance.now() - started;
  };

  // -- the edited pairing as a CSV (planner.io.write_csv's format, read by planner score) -------
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  WhatIf.prototype.csv = function () {
    var d = this.d, lines = [["unit_id", "unit_name", "hospital_id", "hospital_name", "pinned"].join(",")];
    for (var u = 0; u < this.nU; u++) {
      var h = this.cur[u];
      var name = d.units.csv[u] !== undefined ? d.units.csv[u] : d.units.name[u];
      var hospital = h < 0 ? "" : (d.hosp.csv[h] !== undefined ? d.hosp.csv[h] : d.hosp.name[h]);
      lines.push([d.units.id[u], name, h < 0 ? "" : d.hosp.id[h], hospital,
                  d.units.fixed[u] !== null ? "True" : "False"].map(csvCell).join(","));
    }
    // A byte-order mark so that spreadsheets read the Vietnamese names as UTF-8.
    return "\ufeff" + lines.join("\n") + "\n";
  };
  WhatIf.prototype.download = function () {
    var blob = new Blob([this.csv()], {type: "text/csv;charset=utf-8"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = this.d.download;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  };
})();
