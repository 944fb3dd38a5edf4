/* moocpack website navigation: the table of contents is written once per package (toc.js) and
 * put into each page's <nav> here, so the package grows linearly with the course. Without
 * JavaScript a page keeps its link to the contents on the home page. */
(function () {
  "use strict";
  function build() {
    var toc = window.moocpackToc;
    var nav = document.querySelector("header.site nav[data-toc]");
    if (!toc || !nav) { return; }
    var current = nav.getAttribute("data-current");
    var list = document.createElement("ul");
    toc.forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.href;
      link.innerHTML = entry.label;  // the package's own escaped text (toc.js), never user input
      if (entry.href === current) { link.setAttribute("aria-current", "page"); }
      item.appendChild(link);
      list.appendChild(item);
    });
    nav.replaceChildren(list);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", build);
  } else {
    build();
  }
}());
