"use strict";
// The studio page: the cue sheet, hearing lines clip by clip, edits, the cast form and the render.
const TOKEN = document.querySelector('meta[name="studio-token"]').content;
if (location.search.includes("token=")) history.replaceState(null, "", location.pathname);  // keep it out of history
const $ = (id) => document.getElementById(id);
const state = { sheet: null, cast: null, edits: new Map(), queue: [], request: null, polling: null };
window.studioTimings = [];  // click to first sound, per heard line (the bench reads them)

async function api(path, body) {
  const headers = { "X-Studio-Token": TOKEN };
  const options = body === undefined ? { headers } :
    { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  let data;
  try { data = await response.json(); } catch { data = { error: `the studio answered ${response.status}.` }; }
  if (!response.ok) throw new Error(data.error || `the studio answered ${response.status}.`);
  return data;
}
function say(text) { $("status").textContent = text; }
function fail(error) { $("error").hidden = false; $("error").textContent = error.message || String(error); }
function clearError() { $("error").hidden = true; $("error").textContent = ""; }
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// --- the cue sheet -----------------------------------------------------------------------------
function renderSheet(sheet) {
  state.sheet = sheet;
  $("title").textContent = sheet.title || sheet.file;
  document.title = `Studio: ${sheet.title || sheet.file}`;
  $("episode").replaceChildren(...sheet.episodes.map((name) => el("option", { value: name, textContent: name,
    selected: name === sheet.file })));
  $("general").replaceChildren(...sheet.warnings.map((w) => el("li", { textContent: w })));
  $("sheet").replaceChildren(...sheet.events.map(eventItem));
  updateSave();
  setWarm(sheet.warm);
  showRender(sheet.render);
}

function eventItem(ev) {
  const li = el("li", { id: `ev${ev.index}`, className: `ev kind-${ev.kind}`, tabIndex: -1 });
  li.dataset.index = ev.index;
  li.dataset.line = ev.line;
  if (ev.color) {
    li.style.setProperty("--swatch", ev.swatch);
    li.style.setProperty("--name", ev.color);
    li.style.setProperty("--name-dark", ev.color_dark);
  }
  const words = ev.kind === "vocal" ? ev.became : ev.text;
  const body = el("div", { className: "body" }, el("span", { className: "said", textContent: words }));
  if (ev.became && ev.kind !== "vocal") body.append(el("span", { className: "became", textContent: ev.became }));
  const edit = state.edits.get(ev.index);
  if (edit) body.append(el("span", { className: "edited", textContent: `edited (not saved): ${edit.new}` }));
  for (const w of ev.warnings) body.append(el("span", { className: "warn", textContent: `warning: ${w}` }));
  const tools = el("div", { className: "tools" });
  const who = ev.speaker || ev.kind;
  if (ev.voiced) {
    tools.append(el("button", { type: "button", className: "say", textContent: "Hear",
      ariaLabel: `Hear line ${ev.line}, ${who}`, onclick: () => hear(ev.index) }));
  }
  if (ev.edit) {
    tools.append(el("button", { type: "button", className: "edit", textContent: "Edit",
      ariaLabel: `Edit line ${ev.line}, ${who}`, onclick: () => startEdit(li, ev) }));
  }
  li.append(el("span", { className: "num", textContent: ev.line }), el("span", { className: "who", textContent: who }),
    body, tools);
  return li;
}

function updateSave() {
  $("save").disabled = state.edits.size === 0;
  $("save").textContent = state.edits.size ? `Save script (${state.edits.size} edit${state.edits.size > 1 ? "s" : ""})` : "Save script";
}

function startEdit(li, ev) {
  const body = li.querySelector(".body");
  const input = el("input", { className: "words", value: state.edits.get(ev.index)?.new ?? ev.edit,
    ariaLabel: `Words of line ${ev.line}` });
  const keep = () => {
    if (input.value !== ev.edit) state.edits.set(ev.index, { line: ev.line, old: ev.edit, new: input.value });
    else state.edits.delete(ev.index);
    li.replaceWith(eventItem(ev));
    updateSave();
    $(`ev${ev.index}`).querySelector("button")?.focus();
  };
  const cancel = () => { li.replaceWith(eventItem(ev)); $(`ev${ev.index}`).querySelector("button")?.focus(); };
  const bar = el("div", { className: "tools" },
    el("button", { type: "button", className: "hear-edit", textContent: "Hear edit", onclick: () => hear(ev.index, input.value) }),
    el("button", { type: "button", className: "keep", textContent: "Keep", onclick: keep }),
    el("button", { type: "button", textContent: "Cancel", onclick: cancel }));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); hear(ev.index, input.value); }
    if (e.key === "Escape") { e.preventDefault(); cancel(); }
  });
  body.replaceChildren(input, bar);
  input.focus();
}

async function saveScript() {
  if (!state.edits.size) return;
  clearError();
  try {
    const sheet = await api("/api/save", { edits: [...state.edits.values()], digest: state.sheet.digest });
    state.edits.clear();
    renderSheet(sheet);
    say(`Saved ${sheet.file} (the previous version is in .studio-backups/).`);
  } catch (error) { fail(error); }
}

// --- hearing -----------------------------------------------------------------------------------
async function hear(index, text, delivery) {
  const clickedAt = performance.now();
  clearError();
  const ev = state.sheet.events[index];
  document.querySelectorAll(".ev.current").forEach((n) => n.classList.remove("current"));
  $(`ev${index}`)?.classList.add("current");
  const body = { index };
  if (text !== undefined) body.text = text;
  if (delivery !== undefined) body.delivery = delivery;
  try {
    const { parts } = await api("/api/hear", body);
    play(parts, clickedAt, `Line ${ev.line}, ${ev.speaker || ev.kind}`);
  } catch (error) { fail(error); }
}

function play(parts, clickedAt, label) {
  state.queue = parts.slice();
  state.request = { clickedAt, label, first: true, cached: parts.every((p) => p.cached) };
  next();
}

function next() {
  const part = state.queue.shift();
  if (!part) return;
  const player = $("player");
  player.src = `/api/clip/${part.id}`;
  $("now").textContent = `${state.request.label}: ${part.text}`;
  player.play().catch(() => {});
}

function setupPlayer() {
  const player = $("player");
  player.addEventListener("ended", next);
  player.addEventListener("playing", () => {
    const request = state.request;
    if (request && request.first) {
      request.first = false;
      window.studioTimings.push({ label: request.label, cached: request.cached, ms: performance.now() - request.clickedAt,
        src: player.currentSrc });
    }
  });
  player.addEventListener("error", async () => {
    if (!player.getAttribute("src")) return;
    try { await api(new URL(player.src).pathname); fail(new Error("that clip could not be played: click the line again.")); }
    catch (error) { fail(error); }  // the studio's own words for why (a voice that gave no audio, ...)
  });
}

// --- keyboard ----------------------------------------------------------------------------------
function setupKeys() {
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); saveScript(); return; }
    if (e.target.matches("input, select, textarea")) return;
    const item = e.target.closest?.(".ev");
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const items = [...document.querySelectorAll(".ev")];
      const at = item ? items.indexOf(item) : -1;
      const to = items[Math.max(0, Math.min(items.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)))];
      if (to) { e.preventDefault(); (to.querySelector("button.say") || to).focus(); }
    } else if (e.key === "e" && item) {
      item.querySelector("button.edit")?.click();
    } else if (e.key === "Enter" && item && e.target === item) {
      item.querySelector("button.say")?.click();
    } else if (e.key === "Escape") {
      $("player").pause();
      state.queue = [];
    }
  });
}

// --- the cast ----------------------------------------------------------------------------------
async function loadCast() {
  const cast = await api("/api/cast");
  state.cast = cast;
  $("cast-file").textContent = cast.editable ? `Saving writes ${cast.file}.` : `${cast.file} is outside the project: read only.`;
  $("save-cast").disabled = !cast.editable;
  const chosen = $("character").value;
  const order = [...cast.characters].sort((a, b) => (b.in_episode - a.in_episode));
  $("character").replaceChildren(...order.map((c) => el("option", { value: c.name,
    textContent: c.in_episode ? c.name : `${c.name} (not in this episode)`, selected: c.name === chosen })));
  const voices = cast.voices.map((v) => el("option", { value: v.name, textContent: `${v.name} (${v.accent} ${v.gender})` }));
  $("voice").replaceChildren(el("option", { value: "", textContent: "as the cast has it" }), ...voices);
  $("prosody").replaceChildren(el("option", { value: "", textContent: "unchanged" }), ...voices.map((o) => o.cloneNode(true)));
  $("voice-list").replaceChildren(...cast.voices.map((v) => el("li", {},
    el("span", { textContent: `${v.name} (${v.accent} ${v.gender})` }),
    el("span", {},
      el("button", { type: "button", textContent: "Hear", ariaLabel: `Hear ${v.name}`, onclick: () => audition(v.name) }),
      el("button", { type: "button", textContent: "Choose", ariaLabel: `Choose ${v.name}`,
        onclick: () => { $("voice").value = v.name; $("blend").value = ""; $("voice").focus(); } })))));
  fillCharacter();
}

function character() { return state.cast.characters.find((c) => c.name === $("character").value); }

function fillCharacter() {
  const c = character();
  if (!c) return;
  $("voice").value = c.engine === "kokoro" && !c.voice.includes("*") ? (c.voice || "") : "";
  $("blend").value = c.engine === "kokoro" && c.voice.includes("*") ? c.voice : "";
  $("speed").value = c.speed;
  $("pitch").value = c.pitch;
  $("gain").value = c.gain_db;
  $("delivery").replaceChildren(el("option", { value: "", textContent: "none: the character's own settings" }),
    ...c.deliveries.map((d) => el("option", { value: d, textContent: d })));
}

function chosenVoice() { return $("blend").value.trim() || $("voice").value; }

function castChanges() {
  const c = character();
  const settings = {};
  const voice = chosenVoice();
  if (voice && (c.engine !== "kokoro" || voice !== c.voice)) {
    if (c.engine !== "kokoro") settings.engine = "kokoro";
    settings.voice = voice;
  }
  for (const [id, key] of [["speed", "speed"], ["pitch", "pitch"], ["gain", "gain_db"]]) {
    const value = Number($(id).value);
    if ($(id).value !== "" && Math.abs(value - c[key]) > 1e-9) settings[key] = value;
  }
  return settings;
}

async function saveCast(event) {
  event.preventDefault();
  clearError();
  const c = character();
  try {
    const settings = castChanges();
    if (Object.keys(settings).length) {
      await api("/api/cast", { character: c.name, settings, digest: state.cast.digest });
      await loadCast();
    }
    const delivery = $("delivery").value;
    const recipe = {};
    if (delivery && $("prosody").value) recipe.prosody = $("prosody").value;
    if (delivery && $("amount").value !== "") recipe.amount = Number($("amount").value);
    if (delivery && Object.keys(recipe).length) {
      await api("/api/cast", { character: c.name, settings: recipe, delivery, digest: state.cast.digest });
      await loadCast();
    }
    renderSheet(await api("/api/episode"));
    say(`Saved ${c.name} to ${state.cast.file} (the previous version is in .studio-backups/).`);
  } catch (error) { fail(error); }
}

async function audition(named) {
  clearError();
  const c = character();
  const voice = typeof named === "string" ? named : chosenVoice();
  if (!voice) { fail(new Error("choose a Kokoro voice (or type a blend) to audition.")); return; }
  const clickedAt = performance.now();
  try {
    const { parts } = await api("/api/audition", { character: c.name, voice });
    play(parts, clickedAt, `${c.name} as ${voice}`);
  } catch (error) { fail(error); }
}

function hearCharacter() {
  const name = $("character").value;
  const ev = state.sheet.events.find((e) => e.voiced && e.speaker.split(" & ").includes(name));
  if (ev) hear(ev.index, undefined, $("delivery").value || undefined);
  else fail(new Error(`${name} says nothing in this episode.`));
}

// --- rendering ---------------------------------------------------------------------------------
function setWarm(warm) { $("warm").textContent = warm ? "Voices ready" : "Loading voices…"; }

function showRender(render) {
  if (!render) return;
  const running = render.status === "running";
  $("progress").value = render.total ? render.done / render.total : (render.status === "done" ? 1 : 0);
  const count = render.total ? ` ${render.done}/${render.total} lines` : "";
  $("render-state").textContent = running ? `${render.target}: ${render.stage}${count}${render.who ? ` (${render.who})` : ""}`
    : `${render.target}: ${render.message}`;
  $("cancel").hidden = !running;
  $("render").disabled = $("render-season").disabled = running;
  $("result").hidden = render.status !== "done" || !render.page;
  if (render.page) $("result").href = `/files/${render.page}`;
  if (running) poll();
}

function poll() {
  if (state.polling) return;
  state.polling = setInterval(async () => {
    try {
      const { render, warm } = await api("/api/render");
      setWarm(warm);
      showRender(render);
      if ((!render || render.status !== "running") && warm) { clearInterval(state.polling); state.polling = null; }
    } catch (error) { fail(error); clearInterval(state.polling); state.polling = null; }
  }, 400);
}

async function startRender(season) {
  clearError();
  try { showRender((await api("/api/render", { season })).render); poll(); } catch (error) { fail(error); }
}

// --- start -------------------------------------------------------------------------------------
async function start() {
  setupPlayer();
  setupKeys();
  $("save").addEventListener("click", saveScript);
  $("episode").addEventListener("change", async (e) => {
    if (state.edits.size && !confirm("Drop the edits not saved?")) { e.target.value = state.sheet.file; return; }
    state.edits.clear();
    try { renderSheet(await api("/api/open", { path: e.target.value })); } catch (error) { fail(error); }
  });
  $("character").addEventListener("change", fillCharacter);
  $("cast-form").addEventListener("submit", saveCast);
  $("audition").addEventListener("click", audition);
  $("hear-character").addEventListener("click", hearCharacter);
  $("render").addEventListener("click", () => startRender(false));
  $("render-season").addEventListener("click", () => startRender(true));
  $("cancel").addEventListener("click", async () => { try { showRender((await api("/api/render/cancel", {})).render); } catch (error) { fail(error); } });
  try {
    renderSheet(await api("/api/episode"));
    await loadCast();
    if (!state.sheet.warm) poll();
    document.body.dataset.ready = "true";
  } catch (error) { fail(error); }
}
start();
