/* episode-renderer listen page: the transcript follows the audio, chapters and lines seek.
   Reads only the page's data-start / data-end attributes; marks the line being heard with
   aria-current="true" (chapters: "step"). Without this script every time is a plain link. */
(function () {
  "use strict";
  var audio = document.getElementById("player");
  if (!audio) return;
  document.documentElement.classList.add("js");

  var transcript = document.getElementById("transcript");
  var segments = transcript ? [].slice.call(transcript.querySelectorAll("[data-start][data-end]")) : [];
  var chapters = [].slice.call(document.querySelectorAll(".chapters [data-start]"));
  var follow = document.getElementById("follow");
  var bar = document.querySelector(".player");
  var time = function (el, name) { return parseFloat(el.getAttribute(name)); };
  var starts = segments.map(function (el) { return time(el, "data-start"); });
  var ends = segments.map(function (el) { return time(el, "data-end"); });
  var chapterStarts = chapters.map(function (el) { return time(el, "data-start"); });
  var smooth = !(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches);
  var current = null, chapter = null, userScrolledAt = 0, frame = 0;

  if (follow) follow.closest(".follow").hidden = false;

  /* Index of the last start at or before t (starts are sorted), or -1. */
  function lastAtOrBefore(list, t) {
    var low = 0, high = list.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (list[mid] <= t) { found = mid; low = mid + 1; } else { high = mid - 1; }
    }
    return found;
  }

  /* The segment being heard: the latest one started and not yet ended (an interruption wins). */
  function segmentAt(t) {
    var i = lastAtOrBefore(starts, t);
    for (var k = i; k >= 0 && k > i - 4; k--) {
      if (t < ends[k]) return segments[k];
    }
    return null;
  }

  function keepInView(el) {
    if (!follow || !follow.checked || Date.now() - userScrolledAt < 4000) return;
    var box = el.getBoundingClientRect();
    var top = bar ? bar.getBoundingClientRect().bottom : 0;
    if (box.top < top || box.bottom > window.innerHeight) {
      el.scrollIntoView({ block: "center", behavior: smooth ? "smooth" : "auto" });
    }
  }

  function update() {
    var t = audio.currentTime;
    var segment = segmentAt(t);
    if (segment !== current) {
      if (current) current.removeAttribute("aria-current");
      if (segment) { segment.setAttribute("aria-current", "true"); keepInView(segment); }
      current = segment;
    }
    var next = chapters[lastAtOrBefore(chapterStarts, t)] || null;
    if (next !== chapter) {
      if (chapter) chapter.removeAttribute("aria-current");
      if (next) next.setAttribute("aria-current", "step");
      chapter = next;
    }
  }

  /* timeupdate comes four times a second; while playing, follow every frame instead. */
  function tick() {
    update();
    frame = audio.paused ? 0 : requestAnimationFrame(tick);
  }

  function seek(t) {
    audio.currentTime = t;
    userScrolledAt = 0;
    update();
    if (audio.paused) {
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () { /* autoplay refused: stay paused */ });
    }
  }

  ["timeupdate", "seeked", "seeking", "loadedmetadata", "pause"].forEach(function (name) {
    audio.addEventListener(name, update);
  });
  audio.addEventListener("play", function () { if (!frame) frame = requestAnimationFrame(tick); });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var target = event.target.closest ? event.target.closest("[data-start]") : null;
    if (!target || !(target.closest("#transcript") || target.closest(".chapters"))) return;
    var selected = window.getSelection ? String(window.getSelection()) : "";
    if (selected && !event.target.closest("a")) return;  /* selecting words to copy is not a seek */
    event.preventDefault();
    seek(time(target, "data-start"));
  });

  ["wheel", "touchmove"].forEach(function (name) {
    window.addEventListener(name, function () { userScrolledAt = Date.now(); }, { passive: true });
  });
  window.addEventListener("keydown", function (event) {
    if (/^(PageUp|PageDown|ArrowUp|ArrowDown|Home|End|Tab)$/.test(event.key)) userScrolledAt = Date.now();
  });

  /* page.html#t=90 opens the episode at 1:30 (a link to share a moment). */
  function fromAddress() {
    var start = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (start) audio.currentTime = parseFloat(start[1]);
    update();
  }
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
})();
