/* moocpack SCORM runtime: connects a unit page (one SCO) to the LMS.
 * Reads its settings from <script type="application/json" id="moocpack-sco">; follows the page's
 * quizzes through the moocpack:answer / moocpack:quiz-finished events (quiz.js). Works for SCORM 1.2
 * (window.API) and SCORM 2004 (window.API_1484_11). With no LMS the page still works, says it is
 * not connected, and keeps nothing. */
(function () {
  "use strict";
  var version = "";  // the exporter writes "1.2" or "2004" here
  var config = JSON.parse(document.getElementById("moocpack-sco").textContent);
  var v12 = version === "1.2";
  var SUSPEND_LIMIT = v12 ? 4096 : 64000;
  var api = null;
  var active = false;
  var finished = false;
  var writable = true;
  var started = Date.now();
  // Compact, so that even a large unit fits SCORM 1.2's 4,096 characters: questions are keyed by
  // their position in config.order; a = [response, score], i = interaction index, f = finished
  // quizzes, c = 1 once the learner reached the end of the unit.
  var state = { a: {}, i: {}, f: [], c: 0 };
  var position = {};
  config.order.forEach(function (id, k) { position[id] = String(k); });
  var objectiveIndex = {};
  var location = "";
  var restoredShort = {};  // position -> characters kept, for reflections that came back shortened

  // ---- API discovery: the standard walk up the parents, then the opener and its parents ----
  var apiWindow = null;  // the window whose API we use: where the LMS is recognised
  function search(win, name) {
    for (var depth = 0; win && depth < 12; depth += 1) {
      try {
        if (win[name]) { apiWindow = win; return win[name]; }
      } catch (e) { /* cross-origin frame: keep walking */ }
      try {
        if (!win.parent || win.parent === win) { break; }
        win = win.parent;
      } catch (e) { break; }
    }
    return null;
  }
  function findApi() {
    var name = v12 ? "API" : "API_1484_11";
    var found = search(window, name);
    if (!found && window.opener) {
      try { found = search(window.opener, name); } catch (e) { found = null; }
    }
    return found;
  }

  // Moodle's SCORM player, recognised by what its page defines: its player module (M.mod_scorm,
  // mod/scorm/module.js) and the constructor of its 2004 API (SCORMapi1_3, datamodels/scorm_13.js).
  // Only there does the SCO bend the standard (see onPageHide); every other LMS gets the RTE as
  // written.
  function moodlePlayer() {
    try {
      var w = apiWindow;
      return !!(w && ((w.M && w.M.mod_scorm) || typeof w.SCORMapi1_3 === "function"));
    } catch (e) { return false; }
  }

  // ---- thin wrappers so the rest reads the same for both versions ----
  function get(element) {
    if (!active) { return ""; }
    var value = v12 ? api.LMSGetValue(element) : api.GetValue(element);
    return value === null || value === undefined ? "" : String(value);
  }
  function set(element, value) {
    if (!active) { return false; }
    var ok = v12 ? api.LMSSetValue(element, String(value)) : api.SetValue(element, String(value));
    return ok === true || ok === "true";
  }
  function commit() {
    if (active) { return v12 ? api.LMSCommit("") : api.Commit(""); }
    return false;
  }

  function pad(n, width) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }
  function duration(ms) {
    var seconds = Math.max(0, ms) / 1000;
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds - h * 3600 - m * 60;
    if (v12) { return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(s.toFixed(2), 5); }
    return "PT" + h + "H" + m + "M" + s.toFixed(2) + "S";
  }
  function timestamp(date) {
    if (v12) { return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2); }
    return date.getFullYear() + "-" + pad(date.getMonth() + 1, 2) + "-" + pad(date.getDate(), 2) + "T" +
      pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  // ---- status line, in the course's language ----
  function showStatus(key) {
    var line = document.getElementById("lms-status");
    if (line) { line.textContent = config.messages[key]; }
  }

  // ---- interactions: the response formats of each version ----
  var LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";
  function interactionType(question) {
    switch (question.type) {
      case "true_false": return "true-false";
      case "single_choice": case "multiple_response": return "choice";
      case "matching": return "matching";
      case "likert": return "likert";
      case "short_text": return "fill-in";
      default: return v12 ? "fill-in" : "long-fill-in";
    }
  }
  function optionToken(question, optionId) {
    if (!v12) { return optionId; }
    for (var i = 0; i < question.options.length; i += 1) {
      if (question.options[i].id === optionId) { return LETTERS.charAt(i); }
    }
    return "";
  }
  function responseText(question, response) {
    switch (question.type) {
      case "true_false":
        if (v12) { return response === "true" ? "t" : "f"; }
        return response;
      case "single_choice": case "likert":
        return optionToken(question, response);
      case "multiple_response":
        return response.map(function (id) { return optionToken(question, id); }).join(v12 ? "," : "[,]");
      case "matching":
        return question.pairs.map(function (pair, i) {
          if (response[i] === null || response[i] === undefined) { return null; }
          return v12 ? LETTERS.charAt(i) + "." + LETTERS.charAt(response[i]) : pair.id + "[.]t" + response[i];
        }).filter(function (x) { return x !== null; }).join(v12 ? "," : "[,]");
      default:
        var text = String(response || "");
        return v12 ? text.slice(0, 255) : text.slice(0, 4000);
    }
  }
  function correctPattern(question) {
    switch (question.type) {
      case "true_false":
        var right = question.options.filter(function (o) { return o.correct; })[0].id;
        return v12 ? (right === "true" ? "t" : "f") : right;
      case "single_choice": case "multiple_response":
        return question.options.filter(function (o) { return o.correct; })
          .map(function (o) { return optionToken(question, o.id); }).join(v12 ? "," : "[,]");
      case "matching":
        return question.pairs.map(function (pair, i) {
          return v12 ? LETTERS.charAt(i) + "." + LETTERS.charAt(pair.answer) : pair.id + "[.]t" + pair.answer;
        }).join(v12 ? "," : "[,]");
      case "short_text":
        return v12 ? question.answers[0] : "{case_matters=" + (question.caseSensitive ? "true" : "false") + "}" +
          question.answers[0];
      default:
        return null;
    }
  }

  function record(detail) {
    var question = config.questions[detail.question];
    if (!question || !active) { return; }
    var key = position[detail.question];
    var n = state.i[key];
    if (n === undefined) {
      n = parseInt(get("cmi.interactions._count"), 10);
      if (isNaN(n)) { n = Object.keys(state.i).length; }
      state.i[key] = n;
    }
    var base = "cmi.interactions." + n + ".";
    set(base + "id", v12 ? question.id12 : question.uri);
    set(base + "type", interactionType(question));
    (question.competences || []).forEach(function (cid, k) { set(base + "objectives." + k + ".id", cid); });
    set(base + (v12 ? "time" : "timestamp"), timestamp(new Date()));
    var pattern = correctPattern(question);
    if (pattern !== null) { set(base + "correct_responses.0.pattern", pattern); }
    set(base + "weighting", detail.graded ? question.points : 0);
    set(base + (v12 ? "student_response" : "learner_response"), responseText(question, detail.response));
    set(base + "result", detail.correct === null ? "neutral" : (detail.correct ? "correct" : (v12 ? "wrong" : "incorrect")));
    set(base + "latency", duration(detail.latencyMs));
    if (!v12 && question.description) { set(base + "description", question.description); }
  }

  // ---- scores, objectives and status ----
  function results() {
    var out = { score: 0, max: 0, answered: 0, total: 0, byCompetence: {} };
    config.order.forEach(function (id) {
      var question = config.questions[id];
      var answer = state.a[position[id]];
      var earned = answer ? answer[1] : 0;
      out.total += 1;
      if (answer) { out.answered += 1; }
      if (question.graded) { out.max += question.points; out.score += earned; }
      // Every question counts for the completion of its competences (reflections and
      // self-assessments too); only graded ones give them a score and pass or fail.
      (question.competences || []).forEach(function (cid) {
        var c = out.byCompetence[cid] || (out.byCompetence[cid] = { score: 0, max: 0, answered: 0, total: 0 });
        c.total += 1;
        if (answer) { c.answered += 1; }
        if (question.graded) { c.max += question.points; c.score += earned; }
      });
    });
    return out;
  }

  function objective(cid) {
    if (objectiveIndex[cid] !== undefined) { return objectiveIndex[cid]; }
    var n = parseInt(get("cmi.objectives._count"), 10);
    if (isNaN(n)) { n = Object.keys(objectiveIndex).length; }
    objectiveIndex[cid] = n;
    set("cmi.objectives." + n + ".id", cid);
    return n;
  }

  function report() {
    if (!active || !writable) { return; }
    var r = results();
    var graded = r.max > 0;
    var scaled = graded ? r.score / r.max : null;
    var allGradedDone = config.gradedQuizzes.every(function (id) { return state.f.indexOf(id) >= 0; });
    // A unit with a graded quiz is complete when its quizzes are finished; any other unit when
    // the learner reached its end or answered everything in it.
    var complete = graded ? allGradedDone : (state.c === 1 || (r.total > 0 && r.answered === r.total));
    var passed = scaled !== null && scaled * 100 >= config.passMark - 1e-9;
    if (graded) {
      // Both versions report raw on 0-100: LMS gradebooks (Moodle's among them) read raw only.
      var percent = Math.round(scaled * 10000) / 100;
      set(v12 ? "cmi.core.score.min" : "cmi.score.min", 0);
      set(v12 ? "cmi.core.score.max" : "cmi.score.max", 100);
      set(v12 ? "cmi.core.score.raw" : "cmi.score.raw", percent);
      if (!v12) { set("cmi.score.scaled", Math.round(percent * 100) / 10000); }
    }
    Object.keys(r.byCompetence).forEach(function (cid) {
      var c = r.byCompetence[cid];
      var n = objective(cid);
      var scored = c.max > 0;
      var percent = scored ? Math.round(c.score / c.max * 10000) / 100 : 0;
      var done = c.answered === c.total;
      var success = percent >= config.passMark - 1e-9 ? "passed" : "failed";
      var base = "cmi.objectives." + n + ".";
      if (v12) {
        if (scored) { set(base + "score.min", 0); set(base + "score.max", 100); set(base + "score.raw", percent); }
        if (done) { set(base + "status", scored ? success : "completed"); }
        else if (c.answered) { set(base + "status", "incomplete"); }
      } else {
        if (scored) {
          set(base + "score.scaled", Math.round(percent * 100) / 10000);
          set(base + "score.raw", percent); set(base + "score.min", 0); set(base + "score.max", 100);
        }
        set(base + "progress_measure", Math.round(c.answered / c.total * 10000) / 10000);
        set(base + "completion_status", done ? "completed" : "incomplete");
        if (done && scored) { set(base + "success_status", success); }
      }
    });
    if (v12) {
      var status = "incomplete";
      if (graded && allGradedDone) { status = passed ? "passed" : "failed"; }
      else if (!graded && complete) { status = "completed"; }
      set("cmi.core.lesson_status", status);
    } else {
      set("cmi.progress_measure", complete ? 1 : Math.round((r.total ? r.answered / r.total : 0) * 10000) / 10000);
      set("cmi.completion_status", complete ? "completed" : "incomplete");
      if (graded && allGradedDone) { set("cmi.success_status", passed ? "passed" : "failed"); }
    }
  }

  // ---- bookmark: location and compact suspend data ----
  function essayKeys(copy) {
    return Object.keys(copy.a).filter(function (k) {
      return config.questions[config.order[Number(k)]].type === "essay";
    });
  }
  function fitted() {
    // The whole state when it fits (SCORM 1.2 allows 4,096 characters and an LMS may refuse
    // more). Otherwise reflections share what is left, the shortest kept whole, and the saved
    // copy lists what was shortened (t) so the page can say so; as a last resort the interaction
    // indexes go. The learner's page keeps every answer in full while it is open.
    var data = JSON.stringify(state);
    if (data.length <= SUSPEND_LIMIT) { shortened({}); return data; }
    var copy = JSON.parse(data);
    var keys = essayKeys(copy);
    var texts = {};
    keys.forEach(function (k) { texts[k] = String(copy.a[k][0] || ""); });
    copy.t = keys.slice();  // room for the list of shortened answers, at its longest
    for (var attempt = 0; attempt < 2; attempt += 1) {
      keys.forEach(function (k) { copy.a[k][0] = ""; });
      var budget = SUSPEND_LIMIT - JSON.stringify(copy).length - 8 * keys.length;
      var allowed = share(keys.map(function (k) { return JSON.stringify(texts[k]).length - 2; }), Math.max(0, budget));
      var cut = {};
      keys.forEach(function (k, i) {
        // At least one character, so that the answer still counts as given on resume.
        copy.a[k][0] = clip(texts[k], Math.max(allowed[i], Math.min(1, texts[k].length)));
        if (copy.a[k][0].length < texts[k].length) { cut[k] = copy.a[k][0].length; }
      });
      copy.t = Object.keys(cut);
      data = JSON.stringify(copy);
      if (data.length <= SUSPEND_LIMIT) { shortened(cut); return data; }
      copy.i = {};
    }
    return null;
  }
  function share(lengths, budget) {
    // Water-filling: every text gets the same allowance, short ones keep all theirs.
    var allowed = lengths.map(function () { return 0; });
    var open = lengths.map(function (_, i) { return i; });
    while (open.length && budget > 0) {
      var each = Math.floor(budget / open.length);
      if (each === 0) { break; }
      open = open.filter(function (i) {
        var take = Math.min(each, lengths[i] - allowed[i]);
        allowed[i] += take;
        budget -= take;
        return allowed[i] < lengths[i];
      });
    }
    return allowed;
  }
  function clip(text, jsonLength) {
    // The longest start of `text` whose JSON form has at most jsonLength characters.
    var low = Math.min(1, text.length), high = text.length;
    while (low < high) {
      var mid = Math.ceil((low + high) / 2);
      if (JSON.stringify(text.slice(0, mid)).length - 2 <= jsonLength) { low = mid; } else { high = mid - 1; }
    }
    return text.slice(0, low);
  }
  function shortened(cut) {
    // Says under each reflection whether the platform keeps only part of it (or, after a
    // resume, kept only part of it, until the learner answers again).
    Object.keys(restoredShort).forEach(function (k) { if (cut[k] === undefined) { cut[k] = restoredShort[k]; } });
    config.order.forEach(function (id, k) {
      if (config.questions[id].type !== "essay") { return; }
      var field = document.querySelector('fieldset[data-question="' + id.replace(/"/g, "") + '"]');
      if (!field) { return; }
      var note = field.querySelector(".lms-shortened");
      if (cut[String(k)] === undefined) { if (note) { note.remove(); } return; }
      if (!note) {
        note = document.createElement("p");
        note.className = "lms-shortened";
        note.setAttribute("role", "note");
        field.appendChild(note);
      }
      note.textContent = window.moocpack.format(config.messages.answer_shortened, { kept: cut[String(k)] });
    });
  }

  function save() {
    if (!active) { return; }
    var data = fitted();
    if (data !== null) { set("cmi.suspend_data", data); }
    if (location) { set(v12 ? "cmi.core.lesson_location" : "cmi.location", location); }
  }

  function incomplete() {
    var status = v12 ? get("cmi.core.lesson_status") : get("cmi.completion_status");
    return !(status === "completed" || status === "passed" || status === "failed");
  }

  function terminate(keepOpen) {
    if (!active || finished) { return; }
    finished = true;
    save();
    set(v12 ? "cmi.core.session_time" : "cmi.session_time", duration(Date.now() - started));
    set(v12 ? "cmi.core.exit" : "cmi.exit", incomplete() ? "suspend" : (v12 ? "" : "normal"));
    commit();
    if (keepOpen !== true) {
      if (v12) { api.LMSFinish(""); } else { api.Terminate(""); }
    }
    active = false;
  }

  // Whether the LMS page that holds this SCO's frame is going away too (the learner leaves) or
  // stays (the LMS is switching SCOs). Only a same-origin LMS page can be watched.
  var lmsPage = { watched: false, leaving: false };
  var moodle = false;  // launched by Moodle's SCORM player (moodlePlayer)
  function watchLmsPage() {
    try {
      if (window.parent && window.parent !== window) {
        window.parent.addEventListener("pagehide", function () { lmsPage.leaving = true; });
        lmsPage.watched = true;
      }
    } catch (e) { lmsPage.watched = false; }
  }

  function onPageHide() {
    // The SCORM 2004 RTE: every SCO commits and calls Terminate when it goes, so that the LMS
    // processes cmi.exit ("suspend": the next launch resumes). One exception, where recognised:
    // Moodle's player keeps a single 2004 API object for every SCO and refuses to initialise the
    // next SCO once one has called Terminate (error 104, "Content Instance Terminated"). There,
    // when the LMS page stays while this frame goes (Moodle is launching another SCO), everything
    // is saved and committed but the session is left open for the next SCO. (The LMS page's
    // pagehide comes before its frames'.) SCORM 1.2 APIs initialise again after LMSFinish, so 1.2
    // always finishes.
    terminate(!v12 && moodle && lmsPage.watched && !lmsPage.leaving);
  }

  function onBeforeUnload() {
    // Not yet the end (a frame switch and a real exit look alike here): make sure it is stored.
    if (active && !finished) { save(); commit(); }
  }

  function onAnswer(event) {
    var d = event.detail;
    if (!config.questions[d.question]) { return; }
    state.a[position[d.question]] = [d.response, d.score || 0];
    delete restoredShort[position[d.question]];
    location = d.quiz;
    record(d);
    report();
    save();
    commit();
  }

  function onFinished(event) {
    if (state.f.indexOf(event.detail.quiz) < 0) { state.f.push(event.detail.quiz); }
    report();
    save();
    commit();
  }

  function trackLocation() {
    // The bookmark is the section the learner is reading: the last one whose top has passed the
    // upper third of the window (sections can be taller than the window).
    var pending = false;
    function update() {
      pending = false;
      var mark = window.innerHeight / 3;
      Array.prototype.forEach.call(document.querySelectorAll("main section[id]"), function (el) {
        if (el.getBoundingClientRect().top <= mark) { location = el.id; }
      });
    }
    window.addEventListener("scroll", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    }, { passive: true });
    var end = document.getElementById("end-of-unit");
    if (end && "IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; }) && !state.c) {
          state.c = 1;
          report();
          save();
        }
      }).observe(end);
    }
  }

  function start() {
    watchLmsPage();
    api = findApi();
    var button = document.getElementById("lms-exit");
    if (!api) {
      showStatus("not_connected");
      if (button) { button.hidden = true; }
      return;
    }
    moodle = moodlePlayer();
    var ok = v12 ? api.LMSInitialize("") : api.Initialize("");
    active = ok === true || ok === "true";
    if (!active && !v12 && moodle && String(api.GetLastError()) === "103") {
      // "Already initialized": Moodle's player keeps one API for every SCO of a package and
      // points it at the SCO it launches; the session the last SCO left open is ours.
      active = true;
    }
    if (!active) { showStatus("not_connected"); return; }
    showStatus("connected");
    var mode = get(v12 ? "cmi.core.lesson_mode" : "cmi.mode") || "normal";
    writable = mode === "normal";
    var entry = get(v12 ? "cmi.core.entry" : "cmi.entry");
    var saved = get("cmi.suspend_data");
    if (saved && (entry === "resume" || entry === "")) {
      try {
        var restored = JSON.parse(saved);
        if (restored && restored.a) { state = restored; }
      } catch (e) { state = { a: {}, i: {}, f: [], c: 0 }; }
    }
    if (!v12) {
      var count = parseInt(get("cmi.objectives._count"), 10) || 0;
      for (var n = 0; n < count; n += 1) { objectiveIndex[get("cmi.objectives." + n + ".id")] = n; }
    }
    Object.keys(state.a).forEach(function (k) {
      var qid = config.order[Number(k)];
      if (qid) { window.moocpack.restore(config.questions[qid].quiz, qid, state.a[k][0]); }
    });
    if (state.t) {
      state.t.forEach(function (k) { if (state.a[k]) { restoredShort[k] = String(state.a[k][0]).length; } });
      shortened({});
      delete state.t;
    }
    location = get(v12 ? "cmi.core.lesson_location" : "cmi.location");
    if (location && document.getElementById(location)) {
      document.getElementById(location).scrollIntoView();
    }
    if (writable && incomplete()) {
      if (v12 && get("cmi.core.lesson_status") === "not attempted") { set("cmi.core.lesson_status", "incomplete"); }
      if (!v12 && get("cmi.completion_status") !== "completed") { set("cmi.completion_status", "incomplete"); }
    }
    set(v12 ? "cmi.core.exit" : "cmi.exit", "suspend");
    commit();
    document.addEventListener("moocpack:answer", onAnswer);
    document.addEventListener("moocpack:quiz-finished", onFinished);
    trackLocation();
    if (button) { button.addEventListener("click", function () { terminate(false); }); }
  }

  window.addEventListener("pagehide", onPageHide);
  window.addEventListener("beforeunload", onBeforeUnload);
  window.moocpackScorm = { terminate: terminate, state: function () { return state; } };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setTimeout(start, 0); });
  } else {
    setTimeout(start, 0);
  }
}());
