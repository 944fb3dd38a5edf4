/* moocpack in-page quizzes. No dependencies, no network. Every learner-facing word comes from the
 * page (course text) or from the quiz data's `messages` (the course language's interface strings).
 * Other scripts (the SCORM runtime) follow along through DOM events:
 *   moocpack:answer         detail {quiz, question, type, response, correct, score, points, graded, competences, latencyMs}
 *   moocpack:quiz-finished  detail {quiz, score, max, scaled, passed, graded}
 * and can put answers back with window.moocpack.restore(quizId, questionId, response). */
(function () {
  "use strict";

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  /* A message given per plural category ({one: …, other: …}): the form for `count` in the page's
   * language, by the browser's own CLDR rules. */
  function plural(message, count) {
    if (typeof message !== "object" || message === null) { return message; }
    var category = "other";
    try { category = new Intl.PluralRules(document.documentElement.lang || "en").select(count); } catch (e) { /* old browser */ }
    return message[category] || message.other;
  }

  function normalise(text, caseSensitive) {
    var value = String(text || "").replace(/\s+/g, " ").trim();
    return caseSensitive ? value : value.toLocaleLowerCase();
  }

  function Quiz(section) {
    this.section = section;
    this.data = JSON.parse(section.querySelector("script.quiz-data").textContent);
    this.messages = this.data.messages || {};
    this.results = {};
    this.tries = {};  // question id -> wrong tries so far
    this.revealed = {};  // question id -> its explanation is shown
    this.shownAt = Date.now();
    var self = this;
    this.data.questions.forEach(function (question) {
      var field = self.field(question.id);
      field.querySelector("button.check").addEventListener("click", function () { self.check(question); });
    });
    var finish = section.querySelector("button.finish");
    if (finish) {
      finish.addEventListener("click", function () { self.finish(); });
    }
  }

  Quiz.prototype.field = function (questionId) {
    return this.section.querySelector('fieldset[data-question="' + questionId.replace(/"/g, "") + '"]');
  };

  Quiz.prototype.question = function (questionId) {
    return this.data.questions.filter(function (q) { return q.id === questionId; })[0];
  };

  /* A question kind a plug-in adds (moocpack.kinds): its script registers it here. */
  function plugin(question) {
    var kinds = window.moocpackKinds || {};
    return Object.prototype.hasOwnProperty.call(kinds, question.type) ? kinds[question.type] : null;
  }

  Quiz.prototype.response = function (question) {
    var field = this.field(question.id);
    if (plugin(question)) { return plugin(question).response(field, question); }
    switch (question.type) {
      case "multiple_response":
        return Array.prototype.map.call(field.querySelectorAll("input:checked"), function (i) { return i.value; });
      case "matching":
        return Array.prototype.map.call(field.querySelectorAll("select"), function (s) {
          return s.value === "" ? null : Number(s.value);
        });
      case "short_text":
        return field.querySelector("input[type=text]").value;
      case "essay":
        return field.querySelector("textarea").value;
      default:
        var chosen = field.querySelector("input:checked");
        return chosen ? chosen.value : null;
    }
  };

  Quiz.prototype.isEmpty = function (question, response) {
    if (response === null || response === undefined) { return true; }
    if (question.type === "matching") { return response.every(function (r) { return r === null; }); }
    if (Array.isArray(response)) { return response.length === 0; }
    return String(response).trim() === "";
  };

  /* Fraction of the points earned, or null for questions that have no right answer. */
  Quiz.prototype.mark = function (question, response) {
    // A discussion question (ungraded, every option accepted) has no right answer to announce.
    if (!question.graded && question.options && question.options.length &&
        question.options.every(function (o) { return o.correct; })) { return null; }
    if (plugin(question)) { return plugin(question).mark(question, response); }
    switch (question.type) {
      case "single_choice":
      case "true_false":
        return question.options.some(function (o) { return o.correct && o.id === response; }) ? 1 : 0;
      case "multiple_response":
        var wanted = question.options.filter(function (o) { return o.correct; }).map(function (o) { return o.id; });
        var given = (response || []).slice().sort();
        return wanted.sort().join("\u0000") === given.join("\u0000") ? 1 : 0;
      case "matching":
        var right = question.pairs.filter(function (pair, i) { return response[i] === pair.answer; }).length;
        return right / question.pairs.length;
      case "short_text":
        var answer = normalise(response, question.caseSensitive);
        return question.answers.some(function (a) { return normalise(a, question.caseSensitive) === answer; }) ? 1 : 0;
      default:
        return null;
    }
  };

  Quiz.prototype.check = function (question, silent) {
    var self = this;
    var field = this.field(question.id);
    var response = this.response(question);
    if (this.isEmpty(question, response)) { return null; }
    var fraction = this.mark(question, response);
    var verdict = field.querySelector(".verdict");
    var texts = field.querySelector(".feedback-texts");
    field.classList.remove("is-correct", "is-incorrect", "is-answered");
    Array.prototype.forEach.call(field.querySelectorAll(".option-feedback-holder"), function (el) { el.hidden = true; });
    var reveal = field.querySelector("button.reveal");
    if (reveal) { reveal.remove(); }
    // A wrong answer gives the answer away if its explanation shows at once: the learner tries
    // again first (the quiz's `max_attempts` tries, or until right or asking for it when 0), as
    // Moodle's interactive mode and Open edX's attempts do. A restored answer shows it all.
    var retry = false;
    if (fraction !== null && fraction < 1 && !silent && !this.revealed[question.id]) {
      this.tries[question.id] = (this.tries[question.id] || 0) + 1;
      var limit = this.data.tries || 0;
      retry = limit === 0 || this.tries[question.id] < limit;
    }
    if (fraction === null) {
      field.classList.add("is-answered");
      verdict.textContent = this.messages.answered;
    } else if (fraction === 1) {
      field.classList.add("is-correct");
      verdict.textContent = this.messages.correct;
    } else if (retry) {
      field.classList.add("is-incorrect");
      var left = (this.data.tries || 0) - this.tries[question.id];
      verdict.textContent = this.messages.incorrect +
        (left > 0 ? " " + format(plural(this.messages.tries_left, left), { n: left }) : "");
      if (texts) { texts.hidden = true; }
      reveal = document.createElement("button");
      reveal.type = "button";
      reveal.className = "reveal";
      reveal.textContent = this.messages.show_answer;
      reveal.addEventListener("click", function () {
        self.revealed[question.id] = true;
        self.check(question, true);
      });
      verdict.parentNode.insertBefore(reveal, verdict.nextSibling);
    } else {
      field.classList.add("is-incorrect");
      verdict.textContent = this.messages.incorrect_final;
    }
    if (retry) {
      return this.record(question, response, fraction, silent);
    }
    this.revealed[question.id] = true;
    var chosen = Array.isArray(response) ? response : [response];
    chosen.forEach(function (id) {
      var holder = field.querySelector('.option-feedback-holder[data-option="' + String(id).replace(/"/g, "") + '"]');
      if (holder) { holder.hidden = false; }
    });
    if (texts) {
      texts.hidden = false;
      var whenRight = texts.querySelector(".when-correct");
      var whenWrong = texts.querySelector(".when-incorrect");
      if (whenRight) { whenRight.hidden = fraction !== 1; }
      if (whenWrong) { whenWrong.hidden = fraction === 1 || fraction === null; }
    }
    return this.record(question, response, fraction, silent);
  };

  /* The answer as it stands (the last try counts, as in Open edX), told to other runtimes. */
  Quiz.prototype.record = function (question, response, fraction, silent) {
    var result = {
      quiz: this.data.id, question: question.id, type: question.type, response: response,
      correct: fraction === null ? null : fraction === 1, score: fraction === null ? null : fraction * question.points,
      points: question.points, graded: question.graded && this.data.graded, competences: question.competences,
      latencyMs: Date.now() - this.shownAt
    };
    this.results[question.id] = result;
    if (!silent) {
      document.dispatchEvent(new CustomEvent("moocpack:answer", { detail: result }));
    }
    return result;
  };

  Quiz.prototype.summary = function () {
    var self = this;
    var score = 0;
    var max = 0;
    this.data.questions.forEach(function (question) {
      if (!question.graded || !self.data.graded) { return; }
      max += question.points;
      var result = self.results[question.id];
      if (result && result.score) { score += result.score; }
    });
    var scaled = max > 0 ? score / max : 1;
    return { quiz: this.data.id, score: Math.round(score * 100) / 100, max: max,
             scaled: Math.round(scaled * 10000) / 10000, passed: scaled * 100 >= this.data.passMark - 1e-9,
             graded: this.data.graded };
  };

  /* The numbers (as the page shows them) of the graded questions with no answer at all. */
  Quiz.prototype.unanswered = function () {
    var self = this;
    var numbers = [];
    this.data.questions.forEach(function (question, index) {
      if (question.graded && !self.results[question.id] && self.isEmpty(question, self.response(question))) {
        numbers.push(index + 1);
      }
    });
    return numbers;
  };

  Quiz.prototype.finish = function (silent) {
    var self = this;
    var out = this.section.querySelector(".quiz-result");
    if (!silent && !this.warned) {
      // Scoring a question nobody answered as wrong, without a word, is no way to end a quiz:
      // the first Finish names them; a second one scores the quiz as it is.
      var missing = this.unanswered();
      if (missing.length) {
        this.warned = true;
        if (out) {
          out.textContent = format(plural(this.messages.unanswered, missing.length),
                                   { count: missing.length, list: missing.join(", ") });
        }
        return null;
      }
    }
    // Finished: every question is final, with its explanation, whatever tries were left.
    this.data.questions.forEach(function (question) {
      var pending = !self.revealed[question.id];
      self.revealed[question.id] = true;
      if (!self.results[question.id]) {
        self.check(question, silent);
      } else if (pending) {
        self.check(question, true);
      }
    });
    var summary = this.summary();
    if (out) {
      out.textContent = format(this.messages.score, { score: summary.score, max: summary.max }) + " " +
        (summary.passed ? this.messages.passed : format(this.messages.not_passed, { pass_mark: this.data.passMark }));
    }
    if (!silent) {
      document.dispatchEvent(new CustomEvent("moocpack:quiz-finished", { detail: summary }));
    }
    return summary;
  };

  /* Put a saved response back into the form and show its feedback, without firing events. */
  Quiz.prototype.restore = function (questionId, response) {
    var question = this.question(questionId);
    if (!question) { return; }
    var field = this.field(questionId);
    if (plugin(question)) { plugin(question).restore(field, response, question); this.check(question, true); return; }
    switch (question.type) {
      case "multiple_response":
        Array.prototype.forEach.call(field.querySelectorAll("input"), function (i) {
          i.checked = (response || []).indexOf(i.value) >= 0;
        });
        break;
      case "matching":
        Array.prototype.forEach.call(field.querySelectorAll("select"), function (s, i) {
          s.value = response && response[i] !== null && response[i] !== undefined ? String(response[i]) : "";
        });
        break;
      case "short_text":
        field.querySelector("input[type=text]").value = response || "";
        break;
      case "essay":
        field.querySelector("textarea").value = response || "";
        break;
      default:
        Array.prototype.forEach.call(field.querySelectorAll("input"), function (i) { i.checked = i.value === response; });
    }
    this.check(question, true);
  };

  var quizzes = {};
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("section.quiz"), function (section) {
      var quiz = new Quiz(section);
      quizzes[quiz.data.id] = quiz;
    });
    Array.prototype.forEach.call(document.querySelectorAll("button.print"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.dispatchEvent(new CustomEvent("moocpack:ready", { detail: { quizzes: Object.keys(quizzes) } }));
  }

  window.moocpack = {
    quizzes: quizzes,
    restore: function (quizId, questionId, response) {
      if (quizzes[quizId]) { quizzes[quizId].restore(questionId, response); }
    },
    format: format
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
