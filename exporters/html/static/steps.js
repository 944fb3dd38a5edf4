/* moocpack website: a unit read one part at a time. Each top-level section of the unit (its
 * introduction, outcomes, pages, activities, case, quizzes …) gets a screen of its own, with a
 * contents list of the unit at the top, previous/next at the bottom, and the learner's progress:
 * parts seen and quizzes passed, kept in this browser like the answers (store.js). Links to an
 * element of another part (#quiz-…) open that part. Without JavaScript, or when printing, the
 * unit is one page as before. */
(function () {
  "use strict";
  function start() {
    var main = document.querySelector("main");
    var config = document.querySelector('script.unit-steps[type="application/json"]');
    if (!main || !config) { return; }
    var messages = JSON.parse(config.textContent);
    var sections = Array.prototype.filter.call(main.children, function (el) { return el.tagName === "SECTION"; });
    if (sections.length < 2) { return; }
    sections.forEach(function (section, index) {
      if (!section.id) { section.id = "part-" + (index + 1); }
    });
    var meta = document.querySelector('meta[name="moocpack-store"]');
    var key = meta ? "moocpack:" + meta.getAttribute("content") + ":progress:" + location.pathname.split("/").pop() : null;
    var progress = { seen: [], passed: [] };
    function load() {
      try {
        var data = key && JSON.parse(window.localStorage.getItem(key) || "{}");
        if (data && Array.isArray(data.seen) && Array.isArray(data.passed)) { progress = data; }
      } catch (e) { /* no storage: progress lasts while the page is open */ }
    }
    function save() {
      try { if (key) { window.localStorage.setItem(key, JSON.stringify(progress)); } } catch (e) { /* as above */ }
    }
    function heading(section) {
      var h = section.querySelector("h2, h3");
      return h ? h.textContent.trim() : section.id;
    }
    var format = window.moocpack.format;  // quiz.js's, loaded before this script

    // The contents of the unit and the progress line, before its first part.
    var contents = document.createElement("nav");
    contents.className = "unit-steps";
    contents.setAttribute("aria-label", messages.on_this_page);
    var status = document.createElement("p");
    status.className = "step-progress";
    status.setAttribute("role", "status");
    var list = document.createElement("ol");
    var links = sections.map(function (section) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + section.id;
      link.textContent = heading(section);
      item.appendChild(link);
      list.appendChild(item);
      return link;
    });
    contents.appendChild(status);
    contents.appendChild(list);
    main.insertBefore(contents, sections[0]);

    // Previous and next at the end of each part.
    sections.forEach(function (section, index) {
      var pager = document.createElement("nav");
      pager.className = "step-pager";
      pager.setAttribute("aria-label", messages.on_this_page);
      [[index - 1, "prev", "← " + messages.previous + ": "], [index + 1, "next", messages.next + ": "]].forEach(function (spec) {
        var target = sections[spec[0]];
        if (!target) { return; }
        var link = document.createElement("a");
        link.href = "#" + target.id;
        link.rel = spec[1];
        link.textContent = spec[2] + heading(target) + (spec[1] === "next" ? " →" : "");
        pager.appendChild(link);
      });
      section.appendChild(pager);
    });

    var quizzes = sections.filter(function (s) { return s.classList.contains("quiz") && s.querySelector("button.finish"); });
    var current = -1;
    function show(index, focus) {
      current = index;
      sections.forEach(function (section, i) { section.hidden = i !== index; });
      links.forEach(function (link, i) {
        if (i === index) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
      });
      if (progress.seen.indexOf(sections[index].id) < 0) { progress.seen.push(sections[index].id); save(); }
      update();
      if (focus) {
        var title = sections[index].querySelector("h2, h3");
        title.setAttribute("tabindex", "-1");
        title.focus();
      }
    }
    function update() {
      links.forEach(function (link, i) {
        link.classList.toggle("seen", progress.seen.indexOf(sections[i].id) >= 0);
      });
      var text = format(messages.step_progress, { n: current + 1, total: sections.length });
      if (quizzes.length) {
        var passed = quizzes.filter(function (q) { return progress.passed.indexOf(q.id) >= 0; }).length;
        text += " · " + format(messages.quizzes_passed, { passed: passed, total: quizzes.length });
      }
      status.textContent = text;
    }
    function target() {
      var id = decodeURIComponent(location.hash.slice(1));
      var element = id && document.getElementById(id);
      if (!element) { return null; }
      for (var i = 0; i < sections.length; i += 1) {
        if (sections[i] === element || sections[i].contains(element)) { return [i, element]; }
      }
      return null;
    }
    function follow(focus) {
      var found = target();
      if (!found) { return false; }
      show(found[0], focus && found[1] === sections[found[0]]);
      if (found[1] !== sections[found[0]]) { found[1].scrollIntoView(); } else { window.scrollTo(0, main.offsetTop); }
      return true;
    }
    document.addEventListener("moocpack:quiz-finished", function (event) {
      var id = event.detail.quiz;
      if (event.detail.passed && progress.passed.indexOf(id) < 0) { progress.passed.push(id); save(); }
      if (!event.detail.passed && progress.passed.indexOf(id) >= 0) { progress.passed.splice(progress.passed.indexOf(id), 1); save(); }
      update();
    });
    window.addEventListener("hashchange", function () { follow(true); });
    window.addEventListener("beforeprint", function () { sections.forEach(function (s) { s.hidden = false; }); });
    window.addEventListener("afterprint", function () { show(current, false); });
    load();
    if (!follow(false)) { show(0, false); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
