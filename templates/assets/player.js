/* podkit player helper: seek from chapters and transcript, follow along, #t= deep links.
   The page works without it; this only improves it. No framework, nothing from other hosts. */
(function () {
  "use strict";
  var audio = document.querySelector(".player audio");
  if (!audio) return;
  var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapters li[data-start]"));
  var segments = Array.prototype.slice.call(document.querySelectorAll(".seg[data-start]"));
  var followButton = document.querySelector(".follow");
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var following = true;
  var currentSegment = null;
  var currentChapter = null;

  function parseTime(text) {
    // "12:34", "1:02:03", "754" or "754.5" -> seconds
    if (!text) return null;
    var parts = String(text).split(":").map(Number);
    if (parts.some(isNaN)) return null;
    return parts.reduce(function (total, part) { return total * 60 + part; }, 0);
  }

  function seek(seconds, play) {
    audio.currentTime = seconds;
    update();
    if (play) {
      var started = audio.play();
      if (started && started.catch) started.catch(function () { /* autoplay refused: fine */ });
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.seek[data-start]") : null;
    if (!link) return;
    event.preventDefault();
    following = true;
    if (followButton) followButton.hidden = true;
    seek(parseFloat(link.getAttribute("data-start")), true);
  });

  function findCurrent(items, time) {
    // Items are in time order: binary search for the last one that started.
    var low = 0, high = items.length - 1, found = null;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (parseFloat(items[middle].getAttribute("data-start")) <= time + 0.001) {
        found = items[middle]; low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  function update() {
    var time = audio.currentTime;
    var chapter = findCurrent(chapters, time);
    if (chapter !== currentChapter) {
      if (currentChapter) currentChapter.removeAttribute("aria-current");
      if (chapter) chapter.setAttribute("aria-current", "true");
      currentChapter = chapter;
    }
    var segment = findCurrent(segments, time);
    if (segment && time > parseFloat(segment.getAttribute("data-end")) + 0.5) segment = null;
    if (segment !== currentSegment) {
      if (currentSegment) currentSegment.classList.remove("current");
      if (segment) segment.classList.add("current");
      currentSegment = segment;
      if (segment && following && !audio.paused) keepInView(segment);
    }
  }

  function keepInView(element) {
    var box = element.getBoundingClientRect();
    var top = window.innerHeight * 0.25, bottom = window.innerHeight * 0.75;
    if (box.top >= top && box.bottom <= bottom) return;
    element.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
  }

  // Only the listener's own gestures (wheel, touch, keys) pause following; the script's
  // scrolling fires none of them.
  function pauseFollowing() {
    if (audio.paused || !following) return;
    following = false;
    if (followButton) followButton.hidden = false;
  }
  window.addEventListener("wheel", pauseFollowing, { passive: true });
  window.addEventListener("touchmove", pauseFollowing, { passive: true });
  window.addEventListener("keydown", function (event) {
    if (["PageUp", "PageDown", "ArrowUp", "ArrowDown", "Home", "End", " "].indexOf(event.key) >= 0 &&
        event.target === document.body) pauseFollowing();
  });
  if (followButton) {
    followButton.addEventListener("click", function () {
      following = true;
      followButton.hidden = true;
      if (currentSegment) keepInView(currentSegment);
    });
  }

  audio.addEventListener("timeupdate", update);
  audio.addEventListener("seeked", update);

  function fromHash() {
    var match = /^#t=([0-9:.]+)$/.exec(window.location.hash);
    if (!match) return;
    var seconds = parseTime(match[1]);
    if (seconds === null) return;
    if (audio.readyState >= 1) seek(seconds, false);
    else audio.addEventListener("loadedmetadata", function () { seek(seconds, false); }, { once: true });
    audio.currentTime = seconds;
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  update();
})();
