/* moocpack cmi5 runtime: connects a unit page (one assignable unit, AU) to a cmi5 LMS and its
 * learning record store (LRS), as the cmi5 specification's AU rules say (sections 8 to 11).
 * Reads its settings from <script type="application/json" id="moocpack-sco"> (the exporter adds
 * each question's xAPI activity and each competence's); follows the page's quizzes through the
 * moocpack:answer / moocpack:quiz-finished events (quiz.js), as the SCORM runtime does.
 *
 * Launch: the query string's endpoint, fetch, actor, registration and activityId; the token from
 * a POST to fetch; the LMS.LaunchData state document (context template, launch mode, masteryScore,
 * returnURL). Statements, each with the context template: initialized first; answered for every
 * answer (cmi5 allowed: the interaction, response, result, the question's competences); completed,
 * passed or failed as the unit's state allows (cmi5 defined, at most once each per registration
 * but failed); terminated last. The learner's answers are a state document of the AU's, so a
 * relaunch resumes. With no LMS the page still works, says it is not connected, and keeps nothing. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("moocpack-sco").textContent);
  var VERB = "http://adlnet.gov/expapi/verbs/";
  var CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  var STATE_ID = "moocpack";  // the AU's own state document: answers, finished quizzes, what was sent
  var launch = null;  // query-string parameters
  var auth = "";
  var launchData = null;
  var active = false;
  var writable = true;
  var terminated = false;
  var started = Date.now();
  var queue = [];  // statements not yet stored, oldest first
  var sending = false;
  // a: question position -> [response, score]; f: finished quizzes; c: 1 once the end was reached;
  // s: cmi5 defined statements already sent in this registration (completed, passed).
  var state = { a: {}, f: [], c: 0, s: {} };
  var position = {};
  config.order.forEach(function (id, k) { position[id] = String(k); });

  function showStatus(key) {
    var line = document.getElementById("lms-status");
    if (line) { line.textContent = config.messages[key]; }
  }

  // ---- xAPI requests ----
  function query(params) {
    return Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
  }
  function endpoint(path) {
    var base = launch.endpoint;
    return base + (base.charAt(base.length - 1) === "/" ? "" : "/") + path;
  }
  function request(method, path, body, keepalive) {
    var headers = { "Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(endpoint(path), {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
      keepalive: !!keepalive, cache: "no-store", credentials: "omit"
    });
  }
  function stateParams(stateId) {
    return { stateId: stateId, activityId: launch.activityId, agent: JSON.stringify(launch.actor),
             registration: launch.registration };
  }
  function readState(stateId) {
    return request("GET", "activities/state?" + query(stateParams(stateId))).then(function (response) {
      if (response.status === 404) { return null; }
      if (!response.ok) { throw new Error("state " + stateId + ": HTTP " + response.status); }
      return response.json();
    });
  }
  function saveState(keepalive) {
    // POST, which merges the document's top-level properties (all of ours, each time): a PUT over
    // an existing document needs its ETag in xAPI 2.0, and nothing else writes this document.
    if (!active || !writable) { return; }
    request("POST", "activities/state?" + query(stateParams(STATE_ID)), state, keepalive).catch(function () {});
  }

  // ---- statements ----
  function uuid() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  function duration(ms) {
    var seconds = Math.max(0, ms) / 1000;
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    return "PT" + h + "H" + m + "M" + (seconds - h * 3600 - m * 60).toFixed(2) + "S";
  }
  function context(categories, extra) {
    // The LMS's context template, never overwritten (cmi5 10.2.1), plus the registration and, for
    // cmi5 defined statements, their categories.
    var c = JSON.parse(JSON.stringify(launchData.contextTemplate || {}));
    c.registration = launch.registration;
    c.contextActivities = c.contextActivities || {};
    if (categories.length) {
      c.contextActivities.category = (c.contextActivities.category || []).concat(
        categories.map(function (id) { return { id: id }; }));
    }
    Object.keys(extra || {}).forEach(function (list) {
      c.contextActivities[list] = (c.contextActivities[list] || []).concat(extra[list]);
    });
    return c;
  }
  function statement(verb, object, ctx, result) {
    var s = { id: uuid(), actor: launch.actor, verb: { id: VERB + verb, display: { "en-US": verb } },
              object: object, context: ctx, timestamp: new Date().toISOString() };
    if (result) { s.result = result; }
    return s;
  }
  function send(s, keepalive) {
    if (terminated) { return; }  // terminated is the session's last statement (cmi5 9.3.8)
    queue.push(s);
    if (keepalive) { flush(true); } else if (!sending) { next(); }
  }
  function next() {
    // One at a time, in order, so that the LRS stores them as they happened.
    if (!queue.length) { sending = false; return; }
    sending = true;
    request("POST", "statements", queue[0], true).then(function (response) {
      if (response.ok || response.status === 409) { queue.shift(); }
      else { queue.length = 0; showStatus("not_connected"); }
    }, function () { queue.length = 0; showStatus("not_connected"); }).then(next);
  }
  function flush(keepalive) {
    // The page is going: whatever is waiting goes now, in one request that outlives the page.
    if (!queue.length) { return; }
    var rest = sending ? queue.slice(1) : queue.slice();
    if (!rest.length) { return; }
    queue.length = sending ? 1 : 0;
    request("POST", "statements", rest, keepalive).catch(function () {});
  }
  function auObject() { return { id: launch.activityId, objectType: "Activity" }; }
  function defined(verb, result, moveOn, extensions) {
    var ctx = context(moveOn ? [CMI5, MOVEON] : [CMI5]);
    if (extensions) {
      ctx.extensions = ctx.extensions || {};
      Object.keys(extensions).forEach(function (k) { ctx.extensions[k] = extensions[k]; });
    }
    return statement(verb, auObject(), ctx, result);
  }

  // ---- answers ----
  function responseText(question, response) {
    switch (question.type) {
      case "true_false": case "single_choice": case "likert": return String(response);
      case "multiple_response": return response.join("[,]");
      case "matching":
        return question.pairs.map(function (pair, i) {
          return response[i] === null || response[i] === undefined ? null : pair.id + "[.]t" + response[i];
        }).filter(function (x) { return x !== null; }).join("[,]");
      default: return typeof response === "string" ? response : JSON.stringify(response);
    }
  }
  function answered(detail) {
    var question = config.questions[detail.question];
    var result = { response: responseText(question, detail.response), duration: duration(detail.latencyMs) };
    if (detail.correct !== null && detail.correct !== undefined) { result.success = !!detail.correct; }
    if (detail.graded && question.points > 0) {
      var raw = detail.score || 0;
      result.score = { raw: raw, min: 0, max: question.points, scaled: Math.round(raw / question.points * 10000) / 10000 };
    }
    var others = (question.competences || []).map(function (cid) { return config.competences[cid]; })
      .filter(function (x) { return x; });
    var ctx = context([], { parent: [auObject()], other: others });
    return statement("answered", question.activity, ctx, result);
  }

  // ---- completion and success ----
  function results() {
    var out = { score: 0, max: 0, answered: 0, total: config.order.length };
    config.order.forEach(function (id) {
      var answer = state.a[position[id]];
      if (answer) { out.answered += 1; }
      if (config.questions[id].graded) { out.max += config.questions[id].points; out.score += answer ? answer[1] : 0; }
    });
    return out;
  }
  function report() {
    // Completion, once per registration; only in Normal mode (cmi5 10.2.2), as are pass and fail.
    if (!active || !writable || state.s.completed) { return; }
    var r = results();
    var complete = r.max > 0 ? quizzesDone() : (state.c === 1 || (r.total > 0 && r.answered === r.total));
    if (complete) {
      state.s.completed = 1;
      send(defined("completed", { completion: true, duration: duration(Date.now() - started) }, true));
    }
  }
  function quizzesDone() {
    return config.gradedQuizzes.every(function (id) { return state.f.indexOf(id) >= 0; });
  }
  function judge() {
    // Each time the learner finishes the unit's graded quizzes: passed (once per registration) or
    // failed (again after another attempt).
    var r = results();
    if (!active || !writable || state.s.passed || r.max <= 0 || !quizzesDone()) { return; }
    var scaled = Math.round(r.score / r.max * 10000) / 10000;
    // The LMS's masteryScore decides when it gives one (cmi5 10.2.4), else the quiz's pass mark.
    var mastery = typeof launchData.masteryScore === "number" ? launchData.masteryScore : null;
    var passed = mastery !== null ? scaled >= mastery : scaled * 100 >= config.passMark - 1e-9;
    var result = { success: passed, score: { scaled: scaled, raw: r.score, min: 0, max: r.max },
                   duration: duration(Date.now() - started) };
    var extensions = null;
    if (mastery !== null) { extensions = {}; extensions[MASTERY] = mastery; }
    if (passed) { state.s.passed = 1; }
    send(defined(passed ? "passed" : "failed", result, true, extensions));
  }

  function terminate(keepalive) {
    if (!active || terminated) { return; }
    report();
    saveState(keepalive);
    send(defined("terminated", { duration: duration(Date.now() - started) }, false), keepalive);
    terminated = true;
    active = false;
  }

  function exit() {
    // The learner's "Save and exit": the session ends, then the LMS's returnURL, if it gave one.
    terminate(false);
    var back = launchData && launchData.returnURL;
    var wait = window.setInterval(function () {
      if (queue.length) { return; }
      window.clearInterval(wait);
      if (back) { window.location.assign(back); }
    }, 50);
  }

  function onAnswer(event) {
    var d = event.detail;
    if (!config.questions[d.question] || !active) { return; }
    if (writable) { state.a[position[d.question]] = [d.response, d.score || 0]; }
    send(answered(d));
    report();
    saveState(false);
  }

  function onFinished(event) {
    if (!active) { return; }
    if (state.f.indexOf(event.detail.quiz) < 0) { state.f.push(event.detail.quiz); }
    report();
    judge();
    saveState(false);
  }

  function watchTheEnd() {
    var end = document.getElementById("end-of-unit");
    if (!end || !("IntersectionObserver" in window)) { return; }
    new IntersectionObserver(function (entries) {
      if (active && !state.c && entries.some(function (e) { return e.isIntersecting; })) {
        state.c = 1;
        report();
        saveState(false);
      }
    }).observe(end);
  }

  function token() {
    // The fetch URL answers once per session (cmi5 8.2): a reload of the page keeps the token.
    var key = "moocpack-cmi5:" + launch.fetch;
    var kept = null;
    try { kept = window.sessionStorage.getItem(key); } catch (e) { kept = null; }
    if (kept) { return Promise.resolve(kept); }
    return fetch(launch.fetch, { method: "POST", cache: "no-store", credentials: "omit" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!body || !body["auth-token"]) { throw new Error("fetch: no auth-token"); }
        try { window.sessionStorage.setItem(key, body["auth-token"]); } catch (e) { /* not kept */ }
        return body["auth-token"];
      });
  }

  function start() {
    var params = new URLSearchParams(window.location.search);
    var names = ["endpoint", "fetch", "actor", "registration", "activityId"];
    var button = document.getElementById("lms-exit");
    if (names.some(function (name) { return !params.get(name); })) {
      showStatus("not_connected");
      if (button) { button.hidden = true; }
      return;
    }
    launch = {};
    names.forEach(function (name) { launch[name] = params.get(name); });
    try { launch.actor = JSON.parse(launch.actor); } catch (e) { showStatus("not_connected"); return; }
    token().then(function (value) {
      auth = value;
      return Promise.all([readState("LMS.LaunchData"), readState(STATE_ID)]);
    }).then(function (found) {
      if (!found[0] || !found[0].contextTemplate) { throw new Error("no LMS.LaunchData"); }
      launchData = found[0];
      writable = launchData.launchMode === "Normal";
      if (found[1] && found[1].a) { state = found[1]; state.s = state.s || {}; }
      active = true;
      started = Date.now();
      send(defined("initialized", null, false));
      showStatus("connected");
      Object.keys(state.a).forEach(function (k) {
        var qid = config.order[Number(k)];
        if (qid) { window.moocpack.restore(config.questions[qid].quiz, qid, state.a[k][0]); }
      });
      document.addEventListener("moocpack:answer", onAnswer);
      document.addEventListener("moocpack:quiz-finished", onFinished);
      watchTheEnd();
      if (button) { button.addEventListener("click", exit); }
    }).catch(function () {
      active = false;
      showStatus("not_connected");
    });
  }

  window.addEventListener("pagehide", function () { terminate(true); });
  window.moocpackCmi5 = { terminate: exit, state: function () { return state; }, pending: function () { return queue.length; } };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setTimeout(start, 0); });
  } else {
    setTimeout(start, 0);
  }
}());
