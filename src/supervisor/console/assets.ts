/**
 * The web console's page, script and styles, kept as strings so they are part
 * of the compiled executable and need no build step or files beside it. Plain
 * HTML, CSS and one script without a framework: pages are hash routes
 * (#/topics, #/group/ID, ...) over the JSON endpoints of api.ts. The text is
 * written with String.raw, so the script's regular expressions keep their
 * backslashes; it must hold no backtick and no dollar-brace. When the broker
 * has security (GET api/session says so) the page first shows a login form,
 * and any 401 brings it back.
 */

/** GET /console/ */
export const INDEX_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tsbroker console</title>
<base href="/console/">
<link rel="stylesheet" href="app.css">
</head>
<body>
<header>
<strong>tsbroker</strong>
<nav>
<a href="#/" data-nav="overview">Overview</a>
<a href="#/topics" data-nav="topics">Topics</a>
<a href="#/records" data-nav="records">Records</a>
<a href="#/groups" data-nav="groups">Groups</a>
<a href="#/config" data-nav="config">Configuration</a>
</nav>
<span id="who"></span>
</header>
<main id="main"></main>
<script src="app.js"></script>
</body>
</html>
`;

/** GET /console/app.css */
export const APP_CSS = String
  .raw`:root { --fg: #1d2330; --muted: #5d6678; --line: #d9dde5; --accent: #2457c5; --bg: #f6f7f9; --danger: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 24px; padding: 10px 20px; background: #1d2330; color: #fff; }
header strong { font-size: 16px; }
nav a { color: #c9d3ea; margin-right: 16px; text-decoration: none; }
nav a.active, nav a:hover { color: #fff; border-bottom: 2px solid #7aa2ff; }
main { padding: 16px 20px; max-width: 1200px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 20px 0 8px; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); margin-bottom: 8px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; }
table.facts thead { display: none; }
pre { margin: 0; white-space: pre-wrap; word-break: break-all; font: 12px/1.35 ui-monospace, monospace; }
a { color: var(--accent); }
form { margin: 8px 0 14px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
input, select, button { font: inherit; padding: 3px 8px; }
button { border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 3px; cursor: pointer; }
button.danger { background: #fff; color: var(--danger); border-color: var(--danger); }
.error { color: var(--danger); font-weight: 600; }
.note { color: var(--muted); }
figure { margin: 0; }
.chart { width: 100%; max-width: 680px; background: #fff; border: 1px solid var(--line); }
.axis { stroke: #9aa3b5; }
.tick { font-size: 11px; fill: var(--muted); }
.line { fill: none; stroke-width: 2; }
.line.in { stroke: #2457c5; }
.line.out { stroke: #d17a00; }
.legend.in { color: #2457c5; }
.legend.out { color: #d17a00; }
.bar { fill: #2457c5; }
#config-filter { margin-bottom: 8px; width: 280px; }
#who { margin-left: auto; color: #c9d3ea; }
#who a { color: #fff; margin-left: 10px; }
`;

/** GET /console/app.js */
export const APP_JS = String.raw`"use strict";
// tsbroker console: hash-routed pages over the JSON endpoints of /console/api/.
// No framework: h() builds elements, and text always goes in as text nodes.
var API = "api/";
var main = document.getElementById("main");
var overviewTimer = null;
// GET api/session's answer: { loginRequired, mechanisms, listener, user, unavailable }.
var session = null;

function h(tag, attrs) {
  var el = document.createElement(tag);
  for (var k in attrs || {}) {
    if (k === "onclick" || k === "onsubmit" || k === "onchange") el[k] = attrs[k];
    else if (attrs[k] !== null && attrs[k] !== undefined) el.setAttribute(k, attrs[k]);
  }
  for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
  return el;
}
function add(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
  el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
}
function svgEl(tag, attrs) {
  var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (var k in attrs) el.setAttribute(k, attrs[k]);
  return el;
}

function api(method, path, body) {
  var init = { method: method, headers: {} };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["content-type"] = "application/json"; }
  return fetch(API + path, init).then(function (r) {
    return r.json().then(function (data) {
      // Not logged in, or the session ended: back to the form (a failed login itself stays on it).
      if (r.status === 401 && path !== "login") { showLogin(data.error); throw loginShown(); }
      if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
      return data;
    });
  });
}

function table(headers, rows, attrs) {
  return h("table", attrs,
    h("thead", null, h("tr", null, headers.map(function (t) { return h("th", null, t); }))),
    h("tbody", null, rows.map(function (row) {
      return h("tr", null, row.map(function (c) { return h("td", null, c); }));
    })));
}

function bytes(n) {
  var units = ["B", "KiB", "MiB", "GiB", "TiB"];
  var i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? Math.round(n) : n.toFixed(1)) + " " + units[i];
}
// Sizes are null when the broker does not tell this user (DescribeLogDirs needs DESCRIBE on the cluster).
function size(n) { return n === null || n === undefined ? "-" : bytes(n); }
function duration(ms) {
  var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), hr = Math.floor(s % 86400 / 3600);
  var m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || hr ? hr + "h " : "") + m + "m " + (s % 60) + "s";
}

// A line chart of series [{name, cls, points: [[x, y]...]}] as SVG.
function lineChart(series, label) {
  var w = 640, hgt = 180, pad = 40;
  var svg = svgEl("svg", { viewBox: "0 0 " + w + " " + hgt, class: "chart", role: "img", "aria-label": label });
  var all = [];
  series.forEach(function (s) { all = all.concat(s.points); });
  var maxY = Math.max(1, Math.max.apply(null, all.map(function (p) { return p[1]; }).concat([0])));
  var minX = Math.min.apply(null, all.map(function (p) { return p[0]; }).concat([Date.now() - 60000]));
  var maxX = Math.max.apply(null, all.map(function (p) { return p[0]; }).concat([minX + 1]));
  function x(v) { return pad + (v - minX) / (maxX - minX) * (w - pad - 10); }
  function y(v) { return hgt - 20 - v / maxY * (hgt - 35); }
  svg.appendChild(svgEl("line", { x1: pad, y1: y(0), x2: w - 10, y2: y(0), class: "axis" }));
  var top = svgEl("text", { x: 2, y: y(maxY) + 4, class: "tick" });
  top.textContent = bytes(maxY) + "/s";
  svg.appendChild(top);
  series.forEach(function (s) {
    var pts = s.points.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); }).join(" ");
    svg.appendChild(svgEl("polyline", { points: pts, class: "line " + s.cls }));
  });
  return h("figure", null, svg, h("figcaption", null, series.map(function (s) {
    return h("span", { class: "legend " + s.cls }, s.name + " ");
  })));
}

// A bar chart of [{label, value}] as SVG (group lag per partition).
function barChart(items, label) {
  var w = 640, barH = 22, hgt = Math.max(1, items.length) * barH + 10, left = 160;
  var svg = svgEl("svg", { viewBox: "0 0 " + w + " " + hgt, class: "chart bars", role: "img", "aria-label": label });
  var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1]));
  items.forEach(function (it, n) {
    var t = svgEl("text", { x: 4, y: n * barH + 20, class: "tick" });
    t.textContent = it.label;
    svg.appendChild(t);
    svg.appendChild(svgEl("rect", {
      x: left, y: n * barH + 6, height: barH - 8, width: Math.max(1, it.value / max * (w - left - 80)), class: "bar",
    }));
    var v = svgEl("text", { x: left + it.value / max * (w - left - 80) + 6, y: n * barH + 20, class: "tick" });
    v.textContent = String(it.value);
    svg.appendChild(v);
  });
  return svg;
}

function page(name, title) {
  main.replaceChildren(h("h1", null, title));
  document.body.setAttribute("data-page", name);
  document.body.removeAttribute("data-loaded");
  document.querySelectorAll("nav a").forEach(function (a) {
    a.classList.toggle("active", a.getAttribute("data-nav") === name);
  });
}
function loaded() { document.body.setAttribute("data-loaded", "true"); }
function loginShown() { var e = new Error("login required"); e.loginShown = true; return e; }
function fail(e) {
  if (e.loginShown) return;
  add(main, h("p", { class: "error", role: "alert" }, e.message));
  loaded();
}

function showOverview() {
  page("overview", "Overview");
  return api("GET", "overview").then(function (o) {
    var c = o.cluster || {};
    add(main, [
      table(["", ""], [
        ["Version", "tsbroker " + o.version + " on " + o.runtime],
        ["Uptime", duration(o.uptimeMs)],
        ["Node id", o.nodeId],
        ["Cluster id", c.clusterId || c.error || ""],
        ["Changes from the console", o.allowChanges ? "allowed" : "not allowed (read-only)"],
        ["Bytes in / out since start", bytes(o.throughput.bytesInTotal) + " / " + bytes(o.throughput.bytesOutTotal)],
      ], { class: "facts" }),
      h("h2", null, "Listeners"),
      table(["Name", "Protocol", "Address"], o.listeners.map(function (l) {
        return [l.name, l.securityProtocol, l.host + ":" + l.port];
      })),
      h("h2", null, "Throughput (last minutes, sampled every 5 s)"),
      lineChart([
        { name: "in", cls: "in", points: o.throughput.samples.map(function (s) { return [s.at, s.bytesInPerSec]; }) },
        { name: "out", cls: "out", points: o.throughput.samples.map(function (s) { return [s.at, s.bytesOutPerSec]; }) },
      ], "bytes per second in and out"),
    ]);
    loaded();
  });
}

function showTopics() {
  page("topics", "Topics");
  return Promise.all([api("GET", "topics"), api("GET", "overview")]).then(function (r) {
    var topics = r[0], allow = r[1].allowChanges;
    if (allow) add(main, createForm());
    else add(main, h("p", { class: "note" }, "Read-only: set tsbroker.console.allow.changes=true to create and delete topics."));
    add(main, table(["Topic", "Partitions", "Size", "Internal", ""], topics.map(function (t) {
      return [
        h("a", { href: "#/topic/" + encodeURIComponent(t.name) }, t.name), t.partitions, size(t.sizeBytes),
        t.internal ? "yes" : "",
        allow && !t.internal ? h("button", { class: "danger", "data-delete": t.name, onclick: function () {
          deleteTopic(t.name);
        } }, "Delete") : "",
      ];
    }), { id: "topics" }));
    loaded();
  });
}
function createForm() {
  var name = h("input", { name: "name", placeholder: "topic name", required: "required" });
  var parts = h("input", { name: "partitions", type: "number", min: "1", value: "1" });
  return h("form", { id: "create-topic", onsubmit: function (e) {
    e.preventDefault();
    if (!confirm("Create topic '" + name.value + "' with " + parts.value + " partition(s)?")) return;
    api("POST", "topics", { name: name.value, partitions: Number(parts.value) })
      .then(showTopics).catch(fail);
  } }, h("label", null, "New topic ", name), h("label", null, " partitions ", parts), h("button", null, "Create"));
}
function deleteTopic(name) {
  if (!confirm("Delete topic '" + name + "' and all its records? This cannot be undone.")) return;
  api("DELETE", "topics/" + encodeURIComponent(name)).then(showTopics).catch(fail);
}

function showTopic(name) {
  page("topic", "Topic " + name);
  return api("GET", "topics/" + encodeURIComponent(name)).then(function (t) {
    add(main, [
      h("p", null, "Topic id " + t.topicId + ", " + size(t.sizeBytes) + " on disk"),
      h("h2", null, "Partitions"),
      table(["Partition", "Leader", "Replicas", "Low offset", "High offset", "Records", "Size", ""], t.partitions.map(function (p) {
        return [p.partition, p.leader, p.replicas.join(","), p.lowOffset, p.highOffset, p.records, size(p.sizeBytes),
          h("a", { href: "#/records?topic=" + encodeURIComponent(name) + "&partition=" + p.partition }, "Browse")];
      }), { id: "partitions" }),
      h("h2", null, "Configs"),
      table(["Key", "Value", "Source"], t.configs.map(function (c) {
        return [c.name, c.isSensitive ? "(hidden)" : c.value, SOURCES[c.source] || c.source];
      })),
    ]);
    loaded();
  });
}
var SOURCES = { 1: "topic", 2: "dynamic broker", 3: "dynamic default", 4: "static broker", 5: "default", 6: "logger" };

function showRecords(params) {
  page("records", "Records");
  var q = new URLSearchParams(params);
  var topic = q.get("topic") || "", partition = q.get("partition") || "0";
  var limit = q.get("limit") || "20", format = q.get("format") || "text";
  return api("GET", "topics").then(function (topics) {
    var select = h("select", { name: "topic" }, topics.map(function (t) {
      var o = h("option", { value: t.name }, t.name);
      if (t.name === topic) o.selected = true;
      return o;
    }));
    var fmt = h("select", { name: "format" }, ["text", "json", "hex"].map(function (f) {
      var o = h("option", { value: f }, f);
      if (f === format) o.selected = true;
      return o;
    }));
    var part = h("input", { name: "partition", type: "number", min: "0", value: partition });
    var lim = h("input", { name: "limit", type: "number", min: "1", max: "500", value: limit });
    add(main, h("form", { id: "records-form", onsubmit: function (e) {
      e.preventDefault();
      location.hash = "#/records?" + new URLSearchParams({
        topic: select.value, partition: part.value, limit: lim.value, format: fmt.value,
      }).toString();
    } }, h("label", null, "Topic ", select), h("label", null, " partition ", part),
      h("label", null, " latest ", lim), h("label", null, " as ", fmt), h("button", null, "Show")));
    if (!topic) { loaded(); return; }
    return api("GET", "topics/" + encodeURIComponent(topic) + "/records?" +
      new URLSearchParams({ partition: partition, limit: limit, format: format }).toString()).then(function (r) {
      add(main, h("p", null, "Offsets " + r.lowOffset + " to " + r.highOffset + ", newest first"));
      add(main, table(["Offset", "Time", "Key", "Value", "Headers"], r.records.map(function (rec) {
        return [rec.offset, new Date(rec.timestamp).toISOString(), rec.key === null ? "null" : rec.key,
          rec.value === null ? h("em", null, "null (tombstone)") : h("pre", null, rec.value),
          rec.headers.map(function (x) { return x.key + "=" + x.value; }).join(", ")];
      }), { id: "records" }));
      loaded();
    });
  });
}

function showGroups() {
  page("groups", "Consumer groups");
  return api("GET", "groups").then(function (groups) {
    add(main, groups.length === 0 ? h("p", null, "No groups yet.") :
      table(["Group", "State", "Type", "Protocol type"], groups.map(function (g) {
        return [h("a", { href: "#/group/" + encodeURIComponent(g.groupId) }, g.groupId), g.state, g.type, g.protocolType];
      }), { id: "groups" }));
    loaded();
  });
}

function showGroup(id) {
  page("group", "Group " + id);
  return api("GET", "groups/" + encodeURIComponent(id)).then(function (g) {
    add(main, [
      table(["", ""], [["State", g.state], ["Type", g.type], ["Protocol", g.protocol],
        ["Total lag", h("span", { id: "total-lag" }, String(g.totalLag))]], { class: "facts" }),
      h("h2", null, "Members"),
      g.members.length === 0 ? h("p", { class: "note" }, "No members: nobody consumes as this group now.") :
      table(["Member", "Client id", "Host", "Assignment"], g.members.map(function (m) {
        return [m.memberId, m.clientId, m.host, m.assignment.map(function (a) { return a.topic + "-" + a.partition; }).join(", ")];
      })),
      h("h2", null, "Lag per partition"),
      barChart(g.offsets.map(function (o) { return { label: o.topic + "-" + o.partition, value: o.lag || 0 }; }), "lag"),
      table(["Topic", "Partition", "Committed", "End", "Lag", "Member"], g.offsets.map(function (o) {
        return [o.topic, o.partition, o.committed === null ? "-" : o.committed, o.end,
          o.lag === null ? "-" : o.lag, o.memberId || ""];
      }), { id: "offsets" }),
    ]);
    loaded();
  });
}

function showConfig() {
  page("config", "Broker configuration");
  return api("GET", "config").then(function (entries) {
    var filter = h("input", { id: "config-filter", placeholder: "filter keys" });
    var body = table(["Key", "Value", "Source", "Read-only"], entries.map(function (c) {
      return [c.name, c.isSensitive ? "(hidden)" : (c.value === null ? "" : c.value), SOURCES[c.source] || c.source,
        c.readOnly ? "yes" : ""];
    }), { id: "config" });
    filter.oninput = function () {
      body.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.hidden = tr.firstChild.textContent.indexOf(filter.value) < 0;
      });
    };
    add(main, [filter, body]);
    loaded();
  });
}

function stopTimer() {
  if (overviewTimer !== null) { clearInterval(overviewTimer); overviewTimer = null; }
}

// The logged-in user and a logout link in the header (nothing when the broker needs no login).
function showUser() {
  var el = document.getElementById("who");
  el.replaceChildren();
  if (!session || !session.user) return;
  add(el, [h("span", { id: "user" }, session.user), h("a", { href: "#/", id: "logout", onclick: function (e) {
    e.preventDefault();
    api("POST", "logout").then(function () { showLogin(""); }).catch(fail);
  } }, "Log out")]);
}

function showLogin(message) {
  stopTimer();
  if (session) session.user = null;
  showUser();
  page("login", "Log in");
  var mechanisms = (session && session.mechanisms) || [];
  var user = h("input", { name: "username", autocomplete: "username", required: "required" });
  var password = h("input", { name: "password", type: "password", autocomplete: "current-password" });
  var mechanism = h("select", { name: "mechanism" }, mechanisms.map(function (m) { return h("option", { value: m }, m); }));
  // Classed "error" only once it says something: an empty error paragraph is no error.
  var error = h("p", { role: "alert", id: "login-error" });
  function say(text) { error.textContent = text; error.className = text ? "error" : ""; }
  say(message && message !== "login required" ? message : "");
  add(main, [
    h("p", { class: "note" }, "This broker checks who its clients are: log in as a Kafka user" +
      (session && session.listener ? " (over listener " + session.listener + ")." : ".")),
    h("form", { id: "login", onsubmit: function (e) {
      e.preventDefault();
      api("POST", "login", { username: user.value, password: password.value, mechanism: mechanism.value })
        .then(function (r) { session.user = r.user; showUser(); route(); })
        .catch(function (err) { password.value = ""; say(err.message); loaded(); });
    } }, h("label", null, "User ", user), h("label", null, " password ", password),
      h("label", null, " mechanism ", mechanism), h("button", null, "Log in")),
    error,
  ]);
  loaded();
}

function route() {
  stopTimer();
  if (session && session.unavailable) { page("login", "Log in"); fail(new Error(session.unavailable)); return; }
  if (session && session.loginRequired && !session.user) { showLogin(""); return; }
  var hash = location.hash.replace(/^#\/?/, "");
  var q = hash.indexOf("?");
  var path = q < 0 ? hash : hash.slice(0, q), params = q < 0 ? "" : hash.slice(q + 1);
  var parts = path.split("/").map(decodeURIComponent);
  var done;
  if (parts[0] === "topics") done = showTopics();
  else if (parts[0] === "topic" && parts[1]) done = showTopic(parts[1]);
  else if (parts[0] === "records") done = showRecords(params);
  else if (parts[0] === "groups") done = showGroups();
  else if (parts[0] === "group" && parts[1]) done = showGroup(parts[1]);
  else if (parts[0] === "config") done = showConfig();
  else {
    done = showOverview();
    overviewTimer = setInterval(function () { if (!document.hidden) showOverview().catch(fail); }, 5000);
  }
  done.catch(fail);
}
window.addEventListener("hashchange", route);
api("GET", "session").then(function (s) { session = s; showUser(); route(); }).catch(fail);
`;
