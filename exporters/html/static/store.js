/* moocpack website: a learner's answers kept in this browser (localStorage), per course, version
 * and language, and put back when the page is opened again. The website has no server to send
 * them to; SCORM packages keep them in the LMS instead and do not load this script. Each quiz says
 * which of the two is true in this browser (some refuse storage: private windows, strict settings). */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="moocpack-store"]');
  if (!meta) { return; }
  var key = "moocpack:" + meta.getAttribute("content");
  var storage = null;
  try {
    storage = window.localStorage;
    storage.setItem(key + ":probe", "1");
    storage.removeItem(key + ":probe");
  } catch (e) { storage = null; }

  function load() {
    try {
      var data = JSON.parse(storage.getItem(key) || "{}");
      return data && typeof data === "object" && !Array.isArray(data) ? data : {};
    } catch (e) { return {}; }
  }

  function save(data) {
    try { storage.setItem(key, JSON.stringify(data)); } catch (e) { /* full: the answer stays on the page */ }
  }

  function note(quiz, text) {
    var paragraph = document.createElement("p");
    paragraph.className = "hint store-note";
    paragraph.textContent = text;
    var heading = quiz.section.querySelector("h2");
    heading.parentNode.insertBefore(paragraph, heading.nextSibling);
  }

  function start() {
    var quizzes = window.moocpack.quizzes;
    Object.keys(quizzes).forEach(function (id) {
      var messages = quizzes[id].messages;
      note(quizzes[id], storage ? messages.kept_in_browser : messages.not_kept_in_browser);
    });
    if (!storage) { return; }
    var saved = load();
    Object.keys(saved).forEach(function (quizId) {
      var answers = saved[quizId];
      if (!quizzes[quizId] || !answers || typeof answers !== "object") { return; }
      Object.keys(answers).forEach(function (questionId) {
        window.moocpack.restore(quizId, questionId, answers[questionId]);
      });
    });
    document.addEventListener("moocpack:answer", function (event) {
      var detail = event.detail;
      var data = load();
      data[detail.quiz] = data[detail.quiz] && typeof data[detail.quiz] === "object" ? data[detail.quiz] : {};
      data[detail.quiz][detail.question] = detail.response;
      save(data);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("moocpack:ready", start);
  } else {
    start();
  }
}());
