/* podkit player: a bar over the native <audio> (kept when scripts do not run), chapters,
   a transcript that follows without fighting, search, share, resume, lock screen, subscribe.
   No framework, nothing from other hosts. Controls are found by their data-action hooks. */
(function () {
  "use strict";
  var $ = function (selector, root) { return (root || document).querySelector(selector); };
  var $$ = function (selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  };

  function copy(input, status, done) {
    input.select();
    var written = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(input.value) : Promise.reject();
    written.catch(function () { document.execCommand("copy"); }).then(function () {
      if (status) status.textContent = done;
    });
  }

  // Subscribe: a dialog where scripts run, the feed (shown as a page) where they do not.
  var dialog = $("#subscribe");
  $$('[data-action="subscribe"]').forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!dialog || !dialog.showModal) return;
      event.preventDefault();
      dialog.showModal();
    });
  });
  var closeDialog = $('[data-action="close-dialog"]');
  if (closeDialog) closeDialog.addEventListener("click", function () { dialog.close(); });
  var copyFeed = $('[data-action="copy-feed"]');
  if (copyFeed) copyFeed.addEventListener("click", function () {
    copy($("[data-feed-url]"), $(".copied", dialog), copyFeed.textContent + " ✓");
  });

  var audio = $(".player audio");
  var bar = $(".player .bar");
  if (!audio || !bar) return;
  var data = JSON.parse($("#player-data").textContent);
  var words = data.words;
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var store = (function () { try { return window.localStorage; } catch (e) { return null; } })();
  var chapters = $$(".chapters li[data-start]");
  var chapterStarts = chapters.map(function (c) { return parseFloat(c.getAttribute("data-start")); });
  var transcript = $("#transcript");
  var sentences = $$(".seg[data-start]");
  // Parsed once: the time handler only does a binary search over these numbers.
  var sentenceStarts = new Float64Array(sentences.length);
  var sentenceEnds = new Float64Array(sentences.length);
  sentences.forEach(function (s, i) {
    sentenceStarts[i] = parseFloat(s.getAttribute("data-start"));
    sentenceEnds[i] = parseFloat(s.getAttribute("data-end"));
  });
  var control = function (name) { return $('[data-action="' + name + '"]', bar); };
  var playButton = control("play"), speedButton = control("speed"), followButton = control("follow");
  var shareButton = control("share"), resumeButton = control("resume"), helpButton = control("help");
  var track = $(".track", bar), fill = $(".fill", bar);
  var timeLabel = $(".bar-time", bar), chapterLabel = $(".bar-chapter", bar), art = $(".bar-art", bar);
  var cover = art.getAttribute("src");
  var following = true, scripted = false, scriptedTimer = 0;
  var currentSentence = -1, currentChapter = -1, lastSaved = 0;
  var key = "podkit:" + data.guid, speeds = [0.75, 1, 1.25, 1.5, 1.75, 2];

  audio.controls = false;
  bar.hidden = false;

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mm = h ? (m < 10 ? "0" : "") + m : String(m);
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }
  function spoken(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (m ? m + " min " : "") + s + " s";
  }
  function duration() { return isFinite(audio.duration) ? audio.duration : data.duration; }

  function play() {
    var started = audio.play();
    if (started && started.catch) started.catch(function () { /* refused: the button stays */ });
  }
  function seek(seconds, start) {
    audio.currentTime = Math.max(0, Math.min(seconds, duration()));
    update();
    if (start) play();
  }
  function cue(seconds) {
    if (audio.readyState >= 1) seek(seconds, false);
    else audio.addEventListener("loadedmetadata", function () { seek(seconds, false); }, { once: true });
  }

  // The last item whose start is at or before the time (items are in time order).
  function lastStarted(starts, time) {
    var low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (starts[middle] <= time + 0.001) { found = middle; low = middle + 1; } else high = middle - 1;
    }
    return found;
  }

  function update() {
    var time = audio.currentTime, total = duration();
    timeLabel.textContent = clock(time);
    fill.style.width = (total ? (100 * time) / total : 0) + "%";
    track.setAttribute("aria-valuenow", String(Math.floor(time)));
    track.setAttribute("aria-valuetext", spoken(time) + " " + words.of + " " + spoken(total));
    showChapter(lastStarted(chapterStarts, time));
    var index = lastStarted(sentenceStarts, time);
    if (index >= 0 && time > sentenceEnds[index] + 0.5) index = -1;
    if (index !== currentSentence) {
      if (currentSentence >= 0) sentences[currentSentence].classList.remove("current");
      if (index >= 0) sentences[index].classList.add("current");
      currentSentence = index;
      if (index >= 0 && following && !audio.paused) keepInView(sentences[index]);
    }
    if (Math.abs(time - lastSaved) >= 5) savePosition();
  }

  function showChapter(index) {
    if (index === currentChapter) return;
    if (currentChapter >= 0) chapters[currentChapter].removeAttribute("aria-current");
    currentChapter = index;
    var chapter = chapters[index];
    if (!chapter) return;
    chapter.setAttribute("aria-current", "true");
    chapterLabel.textContent = $(".title", chapter).textContent;  // announced politely
    art.setAttribute("src", chapter.getAttribute("data-image") || cover);
    if ("mediaSession" in navigator && window.MediaMetadata) {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: data.title, artist: data.show, album: chapterLabel.textContent,
        artwork: [{ src: data.artwork }]
      });
    }
  }

  // Follow: only while the transcript is on screen; any scroll the script did not start
  // (wheel, keys, scrollbar, touch) turns it off until the listener turns it back on.
  function onScreen(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }
  function keepInView(element, always) {
    if (!always && !onScreen(transcript)) return;
    var box = element.getBoundingClientRect();
    if (box.top >= window.innerHeight * 0.3 && box.bottom <= window.innerHeight * 0.75) return;
    ignoreScrolls(reduceMotion ? 100 : 1000);
    element.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
  }
  // The scroll events of the script's own scrolling, and the tail of a scroll still
  // gliding when the listener turns following back on, are not the listener's.
  function ignoreScrolls(milliseconds) {
    scripted = true;
    clearTimeout(scriptedTimer);
    scriptedTimer = setTimeout(function () { scripted = false; }, milliseconds);
  }
  function setFollowing(on) {
    if (on) ignoreScrolls(600);
    following = on;
    if (followButton) followButton.setAttribute("aria-pressed", String(on));
    if (on && currentSentence >= 0) keepInView(sentences[currentSentence], true);
  }
  function listenerScrolled() { scripted = false; if (following) setFollowing(false); }
  window.addEventListener("scroll", function () { if (!scripted && following) setFollowing(false); }, { passive: true });
  window.addEventListener("wheel", listenerScrolled, { passive: true });
  window.addEventListener("touchmove", listenerScrolled, { passive: true });
  window.addEventListener("keydown", function (event) {
    if (/^(Page|Arrow(Up|Down)|Home|End)/.test(event.key)) listenerScrolled();
  });

  function chapterStep(step) {
    var index = lastStarted(chapterStarts, audio.currentTime);
    if (step < 0 && index >= 0 && audio.currentTime - chapterStarts[index] > 3) step = 0;
    var target = chapterStarts[Math.max(0, Math.min(chapterStarts.length - 1, index + step))];
    if (target !== undefined) seek(target, !audio.paused);
  }
  function setSpeed(rate) {
    audio.playbackRate = rate;
    var label = String(rate).replace(".", document.documentElement.lang.indexOf("fr") === 0 ? "," : ".") + "×";
    speedButton.textContent = label;
    speedButton.setAttribute("aria-label", words.speed + " " + label);
    if (store) store.setItem("podkit:speed", String(rate));
  }
  function toggle(button, panel) {
    var open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    return open;
  }
  var sharePanel = $("#share-panel"), shareUrl = $("[data-share-url]"), fromNow = $("[data-share-from-now]");
  function updateShareUrl() {
    var base = location.href.split("#")[0];
    if (location.protocol !== "file:") base = base.replace(/index\.html$/, "");
    shareUrl.value = fromNow.checked ? base + "#t=" + Math.floor(audio.currentTime) : base;
  }
  var actions = {
    play: function () { if (audio.paused) play(); else audio.pause(); },
    "skip-back": function () { seek(audio.currentTime - 15, false); },
    "skip-forward": function () { seek(audio.currentTime + 30, false); },
    "previous-chapter": function () { chapterStep(-1); },
    "next-chapter": function () { chapterStep(1); },
    speed: function () { setSpeed(speeds[(speeds.indexOf(audio.playbackRate) + 1) % speeds.length]); },
    follow: function () { setFollowing(!following); },
    resume: function () { resumeButton.hidden = true; seek(resumeAt, true); },
    help: function () { toggle(helpButton, $("#shortcuts")); },
    share: function () {
      if (!toggle(shareButton, sharePanel)) return;
      updateShareUrl();
      if (navigator.share) navigator.share({ title: data.title, url: shareUrl.value }).catch(function () {});
      else copy(shareUrl, $(".copied", sharePanel), words.copied);
    },
    "copy-share": function () { copy(shareUrl, $(".copied", sharePanel), words.copied); }
  };
  bar.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (button && actions[button.getAttribute("data-action")]) actions[button.getAttribute("data-action")]();
  });
  fromNow.addEventListener("change", updateShareUrl);

  function playing() {
    var paused = audio.paused;
    playButton.setAttribute("aria-label", paused ? words.play : words.pause);
    playButton.setAttribute("title", paused ? words.play : words.pause);
    document.body.classList.toggle("is-playing", !paused);
    if (paused) savePosition();
  }
  audio.addEventListener("play", playing);
  audio.addEventListener("pause", playing);
  audio.addEventListener("timeupdate", update);
  audio.addEventListener("seeked", update);
  audio.addEventListener("loadedmetadata", update);
  audio.addEventListener("ended", function () { if (store) store.removeItem(key); });

  // The progress bar: a slider for the keyboard, a track for the pointer.
  track.addEventListener("keydown", function (event) {
    var steps = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -60, PageUp: 60 };
    if (event.key in steps) seek(audio.currentTime + steps[event.key], false);
    else if (event.key === "Home") seek(0, false);
    else if (event.key === "End") seek(duration(), false);
    else return;
    event.preventDefault();
    event.stopPropagation();
  });
  function pointerSeek(event) {
    var box = track.getBoundingClientRect();
    seek(((event.clientX - box.left) / box.width) * duration(), false);
  }
  track.addEventListener("pointerdown", function (event) {
    pointerSeek(event);
    track.setPointerCapture(event.pointerId);
    track.addEventListener("pointermove", pointerSeek);
  });
  track.addEventListener("pointerup", function () { track.removeEventListener("pointermove", pointerSeek); });

  // Shortcuts, when focus is not in a field or on a control that uses the key itself.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    if (event.target.closest("input, textarea, select, [contenteditable], [role=slider]")) return;
    var onControl = event.target.closest("button, a, summary, .seg");
    var name = { k: "play", j: "skip-back", l: "skip-forward" }[event.key];
    if (event.key === " " && !onControl) name = "play";
    if (!onControl && event.key === "ArrowLeft") name = "skip-back";
    if (!onControl && event.key === "ArrowRight") name = "skip-forward";
    if (!name) return;
    event.preventDefault();
    actions[name]();
  });

  // Links to a moment (#t=, chapters, paragraphs) cue the audio in the page.
  function timeOf(hash) {
    var match = /^#t=([0-9:.]+)$/.exec(hash);
    if (match) {
      var parts = match[1].split(":").map(Number);
      if (parts.some(isNaN)) return null;
      return parts.reduce(function (total, part) { return total * 60 + part; }, 0);
    }
    var target = /^#(chapter|p)-\d+$/.test(hash) && document.getElementById(hash.slice(1));
    var timed = target && (target.hasAttribute("data-start") ? target : $("[data-start]", target));
    return timed ? parseFloat(timed.getAttribute("data-start")) : null;
  }
  function fromHash() {
    var seconds = timeOf(location.hash);
    if (seconds !== null) cue(seconds);
    return seconds !== null;
  }
  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var link = event.target.closest("a.seek[data-start], .seg[data-start]");
    if (!link) return;
    event.preventDefault();
    seek(parseFloat(link.getAttribute("data-start")), true);
    if (link.classList.contains("seg")) rove(sentences.indexOf(link));
  });
  window.addEventListener("hashchange", fromHash);

  // The transcript is one tab stop: arrows move between sentences, Enter plays from one.
  var roving = -1;
  function rove(index, focus) {
    if (index < 0 || index >= sentences.length) return;
    if (roving >= 0) sentences[roving].setAttribute("tabindex", "-1");
    roving = index;
    sentences[index].setAttribute("tabindex", "0");
    if (focus) sentences[index].focus();
  }
  if (transcript) {
    $$(".ts", transcript).forEach(function (link) { link.setAttribute("tabindex", "-1"); });
    rove(0);
    transcript.addEventListener("keydown", function (event) {
      var index = sentences.indexOf(event.target);
      if (index < 0) return;
      var moves = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
      if (event.key in moves) rove(index + moves[event.key], true);
      else if (event.key === "Home") rove(0, true);
      else if (event.key === "End") rove(sentences.length - 1, true);
      else if (event.key === "Enter" || event.key === " ") seek(sentenceStarts[index], true);
      else return;
      event.preventDefault();
      event.stopPropagation();
    });
    searchTranscript();
  }

  // Search: matches wrapped in <mark>, "n / N", previous and next.
  function searchTranscript() {
    var field = $('input[type="search"]', transcript);
    if (!field) return;
    var count = $(".search-count", transcript), marks = [], at = -1, marked = [];
    var fold = function (text) { return text.toLocaleLowerCase(); };
    function clear() {
      marked.forEach(function (s) { s.textContent = s.textContent; });
      marked = []; marks = []; at = -1;
    }
    function show(index) {
      if (!marks.length) return;
      if (at >= 0) marks[at].classList.remove("here");
      at = (index + marks.length) % marks.length;
      marks[at].classList.add("here");
      setFollowing(false);
      marks[at].scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
      count.textContent = at + 1 + " / " + marks.length;
    }
    function run() {
      clear();
      var query = fold(field.value.trim());
      count.textContent = "";
      if (query.length < 2) return;
      sentences.forEach(function (s) {
        var text = s.textContent, folded = fold(text), from = 0, found = folded.indexOf(query);
        if (found < 0) return;
        s.textContent = "";
        while (found >= 0) {
          s.appendChild(document.createTextNode(text.slice(from, found)));
          var mark = document.createElement("mark");
          mark.textContent = text.slice(found, found + query.length);
          s.appendChild(mark);
          marks.push(mark);
          from = found + query.length;
          found = folded.indexOf(query, from);
        }
        s.appendChild(document.createTextNode(text.slice(from)));
        marked.push(s);
      });
      count.textContent = marks.length ? "1 / " + marks.length : "0 / 0";
      if (marks.length) show(0);
    }
    var timer = 0;
    field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 200); });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); show(at + (event.shiftKey ? -1 : 1)); }
    });
    transcript.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action^='search-']");
      if (button) show(at + (button.getAttribute("data-action") === "search-next" ? 1 : -1));
    });
  }

  // Resume: the position per episode, every few seconds and when the page goes away.
  function savePosition() {
    lastSaved = audio.currentTime;
    if (store && audio.currentTime > 5) store.setItem(key, String(Math.floor(audio.currentTime)));
  }
  window.addEventListener("pagehide", savePosition);
  var resumeAt = store ? parseFloat(store.getItem(key) || "0") : 0;
  var cued = fromHash();
  if (!cued && resumeAt > 5 && resumeAt < data.duration - 10) {
    resumeButton.textContent = words.resume + " " + clock(resumeAt);
    resumeButton.hidden = false;
  }
  var savedSpeed = store ? parseFloat(store.getItem("podkit:speed") || "1") : 1;
  setSpeed(speeds.indexOf(savedSpeed) >= 0 ? savedSpeed : 1);
  audio.addEventListener("ratechange", function () {
    if (audio.playbackRate !== parseFloat(speedButton.textContent.replace(",", "."))) setSpeed(audio.playbackRate);
  });

  if ("mediaSession" in navigator) {
    var handlers = {
      play: play, pause: function () { audio.pause(); },
      seekbackward: actions["skip-back"], seekforward: actions["skip-forward"],
      previoustrack: actions["previous-chapter"], nexttrack: actions["next-chapter"],
      seekto: function (details) { seek(details.seekTime, false); }
    };
    Object.keys(handlers).forEach(function (name) {
      try { navigator.mediaSession.setActionHandler(name, handlers[name]); } catch (e) { /* unsupported */ }
    });
  }
  update();
  playing();
})();
