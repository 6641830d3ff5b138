// Tether shop: live SA dashboard. Polls the JSON of /tether/* every 2 s, fills the table and the
// counters, and keeps the last five minutes of samples in the browser for the two charts. On a node
// of a cluster it lists the nodes and, where /tether/cluster answers (the shop's launcher), shows
// every node's SAs in one table and the counters and charts of all nodes together: behind a
// balancer each of the page's requests may reach another node.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var api = root.getAttribute("data-api");
  var PERIOD = 2000, WINDOW = 5 * 60 * 1000, W = 600, H = 180, PAD_L = 34, PAD_B = 18, PAD_T = 8;
  var SVG = "http://www.w3.org/2000/svg";
  var history = [];
  var note = "";
  // Whether /tether/cluster may answer; a 404 (no launcher around the shop) turns it off.
  var clusterTable = true;
  var statusEl = document.getElementById("status");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function status(text, ok) {
    statusEl.textContent = text;
    statusEl.className = "live " + (ok ? "ok" : "bad");
  }

  function duration(ms) {
    if (ms < 1000) { return ms + " ms"; }
    var s = Math.floor(ms / 1000);
    if (s < 60) { return s + " s"; }
    var m = Math.floor(s / 60);
    if (m < 60) { return m + " m " + String(s % 60).padStart(2, "0") + " s"; }
    return Math.floor(m / 60) + " h " + String(m % 60).padStart(2, "0") + " m";
  }

  function getJson(path) {
    return fetch(api + path, { credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json" } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var why = body && body.error ? body.error : "HTTP " + r.status;
          if (r.status === 401 || r.status === 403) { why = "not authorised; log in again as admin"; }
          var e = new Error(why);
          e.status = r.status;
          throw e;
        }
        return body;
      });
    });
  }

  function flush(params, question, path) {
    if (question && !window.confirm(question)) { return; }
    fetch(api + (path || "/flush"), { method: "POST", credentials: "same-origin",
      headers: { "X-Tether-Flush": "1", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString() })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.error) {
          status("flush failed: " + body.error, false);
          return;
        }
        note = body.sent !== undefined
          ? "asked node " + params.node + " to flush SA " + params.id + " · "
          : "flushed " + body.flushed + " SA(s)" + (params.node ? " on node " + params.node : "")
            + " · ";
        setTimeout(function () { note = ""; }, 6000);
        poll(false);
      })
      .catch(function (e) { status("flush failed: " + e.message, false); });
  }

  function counters(s) {
    var box = document.getElementById("counters");
    var handshakes = s.negotiated + s.reused;
    var items = [
      ["associations", s.associations], ["active", s.active], ["idle", s.idle], ["connections", s.leases],
      ["negotiated", s.negotiated], ["reused", s.reused],
      ["reuse ratio", handshakes ? Math.round(100 * s.reused / handshakes) + " %" : "–"],
      ["deleted", s.deleted], ["flushed", s.flushed], ["refused", s.refused],
      ["handshake failures", s.handshakeFailures]
    ];
    box.replaceChildren();
    items.forEach(function (it) {
      var c = el("div", "counter");
      c.appendChild(el("div", "value", it[1]));
      c.appendChild(el("div", "name", it[0]));
      box.appendChild(c);
    });
    keyValues("by-cause", s.deletedByCause);
    keyValues("by-reason", s.refusedByReason);
  }

  function keyValues(id, map) {
    var body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    Object.keys(map || {}).forEach(function (k) {
      var tr = el("tr");
      tr.appendChild(el("td", "mono", k));
      tr.appendChild(el("td", null, map[k]));
      body.appendChild(tr);
    });
  }

  // list: the SAs; here: the node serving this page in a cluster, else null (no node column).
  function table(list, here) {
    var body = document.querySelector("#sa-table tbody");
    document.getElementById("sa-table").classList.toggle("clustered", !!here);
    document.getElementById("count").textContent = "(" + list.length + ")";
    body.replaceChildren();
    if (list.length === 0) {
      var tr = el("tr"), td = el("td", "empty", "No security associations right now.");
      td.colSpan = 13;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    list.forEach(function (sa) {
      var tr = el("tr");
      // With every node's table, one SA's flush goes through /cluster/flush, which reaches its node
      // whichever node the request lands on.
      var routed = !!(here && sa.node && clusterTable);
      tr.setAttribute("data-id", sa.id);
      if (sa.node) { tr.setAttribute("data-node", sa.node); }
      tr.appendChild(el("td", "mono", sa.id));
      tr.appendChild(el("td", "mono", sa.peer));
      tr.appendChild(el("td", null, sa.protocol));
      tr.appendChild(el("td", "mono", sa.cipherSuite));
      tr.appendChild(el("td", null, sa.policy));
      tr.appendChild(el("td", null, sa.principals.join(", ") || "–"));
      var st = el("td");
      st.appendChild(el("span", "state " + sa.state, sa.state.toLowerCase()));
      tr.appendChild(st);
      tr.appendChild(el("td", "num", sa.references));
      tr.appendChild(el("td", "num", sa.reuses));
      tr.appendChild(el("td", "num", duration(sa.ageMillis)));
      tr.appendChild(el("td", "num", sa.state === "IDLE" ? duration(sa.idleMillis) : "–"));
      tr.appendChild(el("td", "node-col" + (sa.node === here ? " here" : ""), sa.node || ""));
      var actions = el("td");
      var one = el("button", "small secondary", "Flush");
      one.type = "button";
      one.title = "Delete this SA: its sessions can no longer be resumed"
        + (routed ? " (on node " + sa.node + ", which holds it)" : "");
      one.addEventListener("click", function () {
        if (routed) {
          flush({ node: sa.node, id: sa.id }, null, "/cluster/flush");
        } else {
          flush({ id: sa.id });
        }
      });
      var peer = el("button", "small secondary", "Flush peer");
      peer.type = "button";
      peer.title = "Delete every SA of " + sa.peer + (here ? " on every node" : "");
      peer.addEventListener("click", function () { flush({ peer: sa.peer }, "Flush every SA of " + sa.peer + "?"); });
      actions.appendChild(one);
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(peer);
      tr.appendChild(actions);
      body.appendChild(tr);
    });
  }

  // The nodes of the cluster as this node sees them; tables: each node's SA count by name, if known.
  function nodes(cluster, tables) {
    var section = document.getElementById("nodes");
    section.hidden = false;
    var body = document.querySelector("#node-table tbody");
    body.replaceChildren();
    document.getElementById("node-count").textContent = "(" + cluster.liveNodes + " of "
      + cluster.nodes.length + " live" + (cluster.degraded ? "; this node cannot reach Redis" : "") + ")";
    cluster.nodes.forEach(function (n) {
      var tr = el("tr");
      tr.setAttribute("data-node", n.name);
      var name = el("td", "mono", n.name);
      if (n.name === cluster.node) { name.appendChild(el("span", "small", " (this page)")); }
      tr.appendChild(name);
      tr.appendChild(el("td", "mono", n.address || "–"));
      var st = el("td");
      st.appendChild(el("span", "state " + (n.live ? "ACTIVE" : "IDLE"), n.live ? "live" : "not heard"));
      tr.appendChild(st);
      var counted = tables ? tables[n.name] : null;
      tr.appendChild(el("td", "num", counted !== undefined && counted !== null ? counted : n.associations));
      tr.appendChild(el("td", "num", n.name === cluster.node ? "–" : (n.lagMicros / 1000).toFixed(1) + " ms"));
      tr.appendChild(el("td", "num", n.name === cluster.node ? "–" : duration(n.sinceHeardMillis) + " ago"));
      body.appendChild(tr);
    });
  }

  // Every node's SAs from /tether/cluster: a flat list with each SA's node (the newest 500 of each),
  // each node's count, and the counters of all nodes added up (those whose table is missing are
  // left out).
  function merge(c) {
    var all = [], byNode = {}, sum = null, nodes = 0;
    c.nodes.forEach(function (n) {
      if (!n.associations || !n.stats) { return; }
      nodes++;
      byNode[n.name] = n.stats.associations;
      n.associations.forEach(function (sa) { sa.node = n.name; all.push(sa); });
      sum = add(sum, n.stats);
    });
    return { list: all, byNode: byNode, sum: sum, nodes: nodes, here: c.node };
  }

  function add(sum, s) {
    if (!sum) { return JSON.parse(JSON.stringify(s)); }
    Object.keys(s).forEach(function (k) {
      if (typeof s[k] === "number") {
        sum[k] = (sum[k] || 0) + s[k];
      } else if (s[k] && typeof s[k] === "object") {
        sum[k] = add(sum[k] || {}, s[k]);
      }
    });
    return sum;
  }

  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // Draws one chart: each series is {cls, points: [[time, value], ...]} over the last WINDOW.
  function chart(id, series, now) {
    var svg = document.getElementById(id);
    var max = 1;
    series.forEach(function (s) { s.points.forEach(function (p) { max = Math.max(max, p[1]); }); });
    var top = max <= 4 ? 4 : Math.ceil(max / 4) * 4;
    var x = function (t) { return PAD_L + (W - PAD_L - 4) * (1 - (now - t) / WINDOW); };
    var y = function (v) { return PAD_T + (H - PAD_T - PAD_B) * (1 - v / top); };
    svg.replaceChildren();
    [0, top / 2, top].forEach(function (v) {
      svg.appendChild(svgEl("line", { "class": "grid", x1: PAD_L, x2: W - 4, y1: y(v), y2: y(v) }));
      var label = svgEl("text", { "class": "axis", x: PAD_L - 6, y: y(v) + 4, "text-anchor": "end" });
      label.textContent = v;
      svg.appendChild(label);
    });
    [["−5 min", now - WINDOW, "start"], ["−2.5", now - WINDOW / 2, "middle"], ["now", now, "end"]]
      .forEach(function (t) {
        var label = svgEl("text", { "class": "axis", x: x(t[1]), y: H - 4, "text-anchor": t[2] });
        label.textContent = t[0];
        svg.appendChild(label);
      });
    series.forEach(function (s) {
      if (s.points.length === 0) { return; }
      var d = s.points.map(function (p, i) {
        return (i ? "L" : "M") + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1);
      }).join(" ");
      svg.appendChild(svgEl("path", { "class": "series " + s.cls, d: d }));
    });
  }

  function charts() {
    var now = Date.now();
    var sas = { active: [], idle: [] }, hs = { negotiated: [], reused: [] };
    history.forEach(function (h, i) {
      sas.active.push([h.t, h.active]);
      sas.idle.push([h.t, h.idle]);
      if (i > 0) {
        var prev = history[i - 1];
        // A restarted registry starts its counters again at zero: no negative rates.
        hs.negotiated.push([h.t, Math.max(0, h.negotiated - prev.negotiated)]);
        hs.reused.push([h.t, Math.max(0, h.reused - prev.reused)]);
      }
    });
    chart("chart-sas", [{ cls: "idle", points: sas.idle }, { cls: "active", points: sas.active }], now);
    chart("chart-handshakes", [{ cls: "reused", points: hs.reused },
      { cls: "negotiated", points: hs.negotiated }], now);
  }

  var timer = null;
  function poll(schedule) {
    if (schedule !== false && timer) { clearTimeout(timer); }
    Promise.all([getJson("/associations"), getJson("/stats")]).then(function (r) {
      var s = r[1];
      if (!s.cluster || !clusterTable) { return { list: r[0], s: s }; }
      return getJson("/cluster").then(function (c) {
        var m = merge(c);
        return { list: m.list, s: s, byNode: m.byNode, sum: m.sum, nodes: m.nodes, here: m.here };
      }, function (e) {
        if (e.status === 404) { clusterTable = false; }
        return { list: r[0], s: s };
      });
    }).then(function (r) {
      var list = r.list, s = r.s;
      var here = r.here || (s.cluster ? s.cluster.node : null);
      if (here && !r.byNode) { list.forEach(function (sa) { sa.node = here; }); }
      table(list, here);
      if (s.cluster) { nodes(s.cluster, r.byNode); }
      // All nodes' counters when every node's table is known, else this node's.
      var c = r.sum || s;
      counters(c);
      var now = Date.now();
      history.push({ t: now, active: c.active, idle: c.idle, negotiated: c.negotiated, reused: c.reused });
      while (history.length && history[0].t < now - WINDOW) { history.shift(); }
      charts();
      status(note + "live · registry " + s.registry
        + (s.cluster ? " · node " + s.cluster.node + " · " + s.cluster.liveNodes + " live node(s)"
          + (r.sum ? " · counters of " + r.nodes + " node(s)" : " · counters of this node") : "")
        + " · updated " + new Date(now).toLocaleTimeString(), true);
    }).catch(function (e) {
      status(e.message, false);
    }).then(function () {
      if (schedule !== false) { timer = setTimeout(poll, PERIOD); }
    });
  }

  document.getElementById("flush-all").addEventListener("click", function () {
    flush({ all: "true" }, "Flush every security association" + (document.getElementById("nodes").hidden
      ? "" : " on every node") + "? Every client negotiates afresh.");
  });
  poll();
}());
