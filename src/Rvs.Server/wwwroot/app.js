'use strict';

// How many results each search asks for; the server caps it at 100.
const K = 20;

const $ = (id) => document.getElementById(id);
// Folder-derived labels use underscores for spaces (LFW's "Tony_Blair"); people read them with spaces.
const shown = (label) => (label ? label.replaceAll('_', ' ') : '');
const ui = {
  drop: $('drop-zone'), input: $('photo-input'), status: $('status'),
  figure: $('query-figure'), stage: $('query-stage'), image: $('query-image'), caption: $('query-caption'),
  title: $('results-title'), empty: $('results-empty'), grid: $('results-grid'), back: $('back-to-photo'),
  answer: $('answer'), grouping: $('grouping'), groupByPerson: $('group-by-person'), dialogPerson: $('dialog-person'),
  dialog: $('photo-dialog'), dialogStage: $('dialog-stage'), dialogImage: $('dialog-image'), dialogVideo: $('dialog-video'),
  dialogLabel: $('dialog-label'), dialogMeta: $('dialog-meta'), more: $('more-like-this'), close: $('dialog-close'),
};

const state = {
  file: null, objectUrl: null, faces: [], face: null,
  photoHits: [], photoTitle: '', photoAnswer: null,
  // What the grid shows now, so "group by person" can redraw it.
  shownHits: [], shownTitle: '', shownSimilar: false, shownPersons: [],
  openHit: null,
  // Each request takes a ticket; an answer whose ticket is no longer the latest is dropped, so a slow
  // response never overwrites a newer one.
  ticket: 0,
};

function setStatus(message, kind) {
  ui.status.hidden = !message;
  ui.status.textContent = message || '';
  ui.status.className = 'status' + (kind ? ' ' + kind : '');
  ui.status.dataset.state = kind || 'idle';
  document.body.dataset.busy = kind === 'loading' ? 'true' : 'false';
}

async function apiError(response) {
  try {
    const body = await response.json();
    if (body && body.error) return body.error;
  } catch { /* not JSON: fall through to the status line */ }
  return `the server answered ${response.status} ${response.statusText}`;
}

// Fetches JSON for the request numbered `ticket`; null when a newer request has replaced it or the server refused
// (the refusal is shown). Network failures are shown too, so callers only handle a real result.
async function fetchForTicket(ticket, url, options) {
  try {
    const response = await fetch(url, options);
    if (ticket !== state.ticket) return null;
    if (!response.ok) {
      // A refused search must not leave the previous photo's answer and results beside its error.
      showAnswer(null);
      showHits([], 'Results', false);
      setStatus(await apiError(response), 'error');
      return null;
    }

    const result = await response.json();
    return ticket === state.ticket ? result : null;
  } catch (e) {
    if (ticket === state.ticket) setStatus(`The search failed: ${e.message}`, 'error');
    return null;
  }
}

async function loadStats() {
  try {
    const response = await fetch('/api/stats');
    if (!response.ok) return;
    const s = await response.json();
    $('stats').textContent = `${s.faces.toLocaleString()} faces · ${s.images.toLocaleString()} photos · ${s.people.toLocaleString()} people`;
  } catch { /* the stats line is decoration; searches report their own errors */ }
}

function choose(file) {
  if (!file) return;
  if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
  state.file = file;
  state.faces = [];
  state.face = null;
  state.objectUrl = URL.createObjectURL(file);
  clearBoxes(ui.stage);
  ui.image.onload = () => {
    // Small photos (LFW's are 250 px) are shown larger, so their face boxes are easy to see and click.
    const width = ui.image.naturalWidth;
    ui.image.style.width = width > 0 && width < 340 ? `${Math.round(Math.min(2, 340 / width) * width)}px` : '';
    drawQueryBoxes();
  };
  ui.image.onerror = () => { ui.figure.hidden = true; };
  ui.image.src = state.objectUrl;
  ui.figure.hidden = false;
  ui.caption.textContent = file.name;
  search(null);
}

async function search(faceIndex) {
  const ticket = ++state.ticket;
  const form = new FormData();
  form.append('photo', state.file);
  form.append('k', String(K));
  if (faceIndex !== null) form.append('face', String(faceIndex));
  setStatus(faceIndex === null ? 'Finding faces and searching…' : `Searching face ${faceIndex + 1}…`, 'loading');
  const result = await fetchForTicket(ticket, '/api/search', { method: 'POST', body: form });
  if (!result) return;
  state.faces = result.faces;
  state.face = result.face;
  drawQueryBoxes();
  if (result.faces.length === 0) {
    ui.caption.textContent = `${state.file.name}: no face found`;
    showAnswer(null);
    showHits([], 'No face found in this photo', false);
    setStatus('No face was found in this photo. Try one where a face is clearly visible.', 'error');
    return;
  }

  const n = result.faces.length;
  ui.caption.textContent = n === 1
    ? `${state.file.name}: one face found`
    : `${state.file.name}: ${n} faces found; click a box to search that face`;
  state.photoHits = result.hits;
  state.photoAnswer = result;
  state.photoTitle = n === 1 ? 'Nearest faces' : `Nearest faces to face ${result.face + 1} of ${n}`;
  showAnswer(result);
  showHits(result.hits, state.photoTitle, false, result.persons);
  setStatus('', null);
}

function clearBoxes(stage) {
  stage.querySelectorAll('.face-box').forEach((b) => b.remove());
}

// Boxes are placed in percentages of the photo's own pixel size, so they stay on the faces however the image is scaled.
function placeBox(el, box, width, height) {
  el.style.left = `${(box[0] / width) * 100}%`;
  el.style.top = `${(box[1] / height) * 100}%`;
  el.style.width = `${(box[2] / width) * 100}%`;
  el.style.height = `${(box[3] / height) * 100}%`;
}

function drawQueryBoxes() {
  clearBoxes(ui.stage);
  const width = ui.image.naturalWidth;
  const height = ui.image.naturalHeight;
  if (!width || !height) return;
  state.faces.forEach((face, i) => {
    const box = document.createElement('button');
    box.type = 'button';
    box.className = 'face-box' + (i === state.face ? ' selected' : '');
    box.dataset.testid = 'face-box';
    box.dataset.face = String(i);
    box.title = `Face ${i + 1} (score ${face.score.toFixed(2)}): click to search it`;
    box.setAttribute('aria-label', box.title);
    placeBox(box, face.box, width, height);
    box.addEventListener('click', () => {
      if (i !== state.face) {
        state.face = i;
        drawQueryBoxes();
        search(i);
      }
    });
    ui.stage.appendChild(box);
  });
}

// The answer banner: "match: <name>" or "no match in this collection (closest faces shown)", from the server.
function showAnswer(result) {
  const text = result && result.answer;
  ui.answer.hidden = !text;
  ui.answer.textContent = text ? text.replaceAll('_', ' ') : '';
  ui.answer.dataset.verdict = (result && result.verdict) || '';
  ui.answer.className = 'answer' + (result && result.verdict ? ' ' + result.verdict : '');
}

// The person of each hit's face, from the result's person groups.
// Results grouped by person: a heading per person (its name, its size in the whole collection), its hits under it,
// in the order of each person's best hit; then the faces in no person. Unticked, the plain list by rank.
function showHits(hits, title, fromSimilar, persons) {
  persons = persons || [];
  Object.assign(state, { shownHits: hits, shownTitle: title, shownSimilar: fromSimilar, shownPersons: persons });
  ui.title.textContent = title;
  ui.grouping.hidden = persons.length === 0;
  ui.back.hidden = !fromSimilar || state.photoHits.length === 0;
  ui.grid.replaceChildren();
  ui.grid.dataset.kind = fromSimilar ? 'similar' : 'photo';
  ui.empty.hidden = hits.length > 0;
  if (hits.length === 0) ui.empty.textContent = 'Nothing to show.';
  const byFace = personOfHits(persons);
  let ordered = hits.map((hit) => ({ hit, person: byFace.get(hit.face_id) }));
  if (persons.length > 0 && ui.groupByPerson.checked) {
    ordered = [];
    for (const person of persons) {
      ordered.push({ head: person });
      for (const hit of hits) if (byFace.get(hit.face_id) === person) ordered.push({ hit, person });
    }
    const rest = hits.filter((hit) => !byFace.has(hit.face_id));
    if (rest.length > 0) ordered.push({ head: null }, ...rest.map((hit) => ({ hit })));
  }
  for (const entry of ordered) {
    if ('head' in entry) {
      ui.grid.appendChild(groupHead(entry.head));
      continue;
    }
    const { hit, person } = entry;
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'hit';
    button.dataset.testid = 'hit';
    button.dataset.faceId = String(hit.face_id);
    button.dataset.imageId = String(hit.image_id);
    button.dataset.label = hit.label || '';

    const img = document.createElement('img');
    img.src = hit.thumbnail_url;
    img.alt = shown(hit.label) || 'face';
    img.loading = 'lazy';
    img.width = 112;
    img.height = 112;

    const label = document.createElement('span');
    label.className = 'hit-label';
    label.dataset.testid = 'hit-label';
    const rank = document.createElement('span');
    rank.className = 'rank';
    rank.textContent = `${hit.rank}.`;
    label.append(rank, shown(hit.label) || 'unlabelled');

    const distance = document.createElement('span');
    distance.className = 'hit-distance';
    distance.dataset.testid = 'hit-distance';
    distance.textContent = `distance ${hit.distance.toFixed(3)}`;

    button.append(img, label, distance);
    // A video's face says when in the video that person appears.
    if (hit.time_seconds != null) {
      button.dataset.time = String(hit.time_seconds);
      const time = document.createElement('span');
      time.className = 'hit-time';
      time.dataset.testid = 'hit-time';
      time.textContent = `video, at ${atTime(hit.time_seconds)}`;
      button.append(time);
    }
    // The verdict says on the scale of the answer how close this face is: match, possible, or neither.
    if (hit.verdict && hit.verdict !== 'none') {
      const verdict = document.createElement('span');
      verdict.className = `hit-verdict ${hit.verdict}`;
      verdict.dataset.testid = 'hit-verdict';
      verdict.textContent = hit.verdict;
      button.append(verdict);
    }
    button.addEventListener('click', () => openHit(hit, person));
    item.appendChild(button);
    if (person) {
      button.dataset.person = shown(person.title);
      item.appendChild(personLink(person, 'this person'));
    }
    ui.grid.appendChild(item);
  }
}

function atTime(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

function openHit(hit, person) {
  state.openHit = hit;
  ui.dialogPerson.hidden = !person;
  if (person) ui.dialogPerson.href = `#person/${person.id}`;
  clearBoxes(ui.dialogStage);
  ui.dialogLabel.textContent = shown(hit.label) || 'Unlabelled face';
  ui.dialogMeta.textContent = `Rank ${hit.rank} · ${hit.verdict || 'no verdict'} · distance ${hit.distance.toFixed(3)} · similarity ${hit.similarity.toFixed(3)} · face #${hit.face_id}`
    + (hit.file_name ? ` · from ${hit.file_name}` : '')
    + (hit.time_seconds != null ? ` at ${atTime(hit.time_seconds)}` : '');
  const isVideo = hit.time_seconds != null;
  const stage = ui.dialogStage.querySelector('.stage') || wrapStage();
  stage.hidden = isVideo;
  ui.dialogVideo.hidden = !isVideo;
  ui.dialogVideo.pause();
  if (isVideo) {
    openVideo(hit);
    return;
  }
  const original = document.createElement('a');
  original.href = hit.image_url;
  original.target = '_blank';
  original.rel = 'noopener';
  original.textContent = ' · open original';
  original.dataset.testid = 'open-original';
  ui.dialogMeta.append(original);
  ui.dialogImage.onload = () => {
    clearBoxes(stage);
    const box = document.createElement('div');
    box.className = 'face-box static';
    placeBox(box, hit.box, ui.dialogImage.naturalWidth, ui.dialogImage.naturalHeight);
    stage.appendChild(box);
  };
  ui.dialogImage.onerror = () => { ui.dialogMeta.textContent += ' · the photo could not be loaded'; };
  ui.dialogImage.src = hit.image_url;
  if (!ui.dialog.open) ui.dialog.showModal();
}

// A video opens where the face appears: the media fragment (#t=) asks the browser to start there, and the
// server answers range requests, so it seeks without fetching what comes before.
function openVideo(hit) {
  const video = ui.dialogVideo;
  video.onerror = () => { ui.dialogMeta.textContent += ' · the video could not be loaded'; };
  video.onloadedmetadata = () => {
    if (video.currentTime < hit.time_seconds) video.currentTime = hit.time_seconds;
    video.play().catch(() => {});
  };
  video.src = `${hit.image_url}#t=${hit.time_seconds}`;
  if (!ui.dialog.open) ui.dialog.showModal();
}

function wrapStage() {
  const stage = document.createElement('div');
  stage.className = 'stage';
  ui.dialogImage.replaceWith(stage);
  stage.appendChild(ui.dialogImage);
  return stage;
}

async function moreLikeThis() {
  const hit = state.openHit;
  if (!hit) return;
  ui.dialog.close();
  // The address follows the search, so back, reload and a shared link show the same faces.
  history.pushState({ similar: hit.face_id }, '', `?similar=${encodeURIComponent(hit.face_id)}`);
  await similarTo(hit.face_id, hit.label);
}

async function similarTo(faceId, label) {
  const ticket = ++state.ticket;
  setStatus(`Finding faces like ${shown(label) || 'face #' + faceId}…`, 'loading');
  const result = await fetchForTicket(ticket, `/api/faces/${encodeURIComponent(faceId)}/similar?k=${K}`);
  if (!result) return;
  showAnswer(result);
  showHits(result.hits, `Faces like ${shown(label) || 'face #' + faceId}`, true, result.persons);
  setStatus('', null);
}

function followAddress() {
  const similar = new URLSearchParams(window.location.search).get('similar');
  if (similar) {
    similarTo(similar, null);
  } else if (state.photoHits.length > 0) {
    showAnswer(state.photoAnswer);
    showHits(state.photoHits, state.photoTitle, false, state.photoAnswer.persons);
  }
}

window.addEventListener('popstate', followAddress);

ui.input.addEventListener('change', () => {
  choose(ui.input.files[0]);
  // Cleared so choosing the same file again still fires a change.
  ui.input.value = '';
});
['dragenter', 'dragover'].forEach((type) => ui.drop.addEventListener(type, (e) => {
  e.preventDefault();
  ui.drop.classList.add('over');
}));
['dragleave', 'drop'].forEach((type) => ui.drop.addEventListener(type, () => ui.drop.classList.remove('over')));
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = [...(e.dataTransfer?.files || [])].find((f) => f.type.startsWith('image/')) || e.dataTransfer?.files[0];
  choose(file);
});
// A photo dropped beside the drop zone would otherwise make the browser navigate away to it.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  if (e.target !== ui.drop && !ui.drop.contains(e.target)) choose(e.dataTransfer?.files[0]);
});
ui.back.addEventListener('click', () => {
  history.pushState({}, '', window.location.pathname);
  showAnswer(state.photoAnswer);
  showHits(state.photoHits, state.photoTitle, false, state.photoAnswer.persons);
});
ui.groupByPerson.addEventListener('change', () => showHits(state.shownHits, state.shownTitle, state.shownSimilar, state.shownPersons));
ui.dialogPerson.addEventListener('click', () => ui.dialog.close());
ui.more.addEventListener('click', moreLikeThis);
ui.close.addEventListener('click', () => ui.dialog.close());
ui.dialog.addEventListener('close', () => ui.dialogVideo.pause());
ui.dialog.addEventListener('click', (e) => { if (e.target === ui.dialog) ui.dialog.close(); });

loadStats();
// A shared or reloaded "more like this" address shows its faces straight away.
followAddress();
