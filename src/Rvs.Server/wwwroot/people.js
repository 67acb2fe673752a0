'use strict';

// The People view (#people: a face tile per person, most faces first) and a person's page (#person/<id>: all its
// faces), both paged. Names can be edited once the server's API key is entered; the key stays in this tab only.
(() => {
  const PAGE = 48;
  const KEY_HEADER = 'X-Api-Key';
  const byId = (id) => document.getElementById(id);
  const shownName = (name) => (name ? name.replaceAll('_', ' ') : '');
  const view = {
    search: byId('search-view'), people: byId('people-view'), answer: byId('answer'),
    title: byId('people-title'), grid: byId('people-grid'), status: byId('people-status'),
    key: byId('api-key'), edit: byId('person-edit'), name: byId('person-name'), save: byId('person-name-save'),
    prev: byId('people-prev'), next: byId('people-next'), page: byId('people-page'),
  };
  let current = { route: null, offset: 0, total: 0, person: null };

  view.key.value = sessionStorage.getItem('rvs-api-key') || '';

  function apiKey() { return view.key.value.trim(); }

  function setStatus(message, kind) {
    view.status.hidden = !message;
    view.status.textContent = message || '';
    view.status.className = 'status' + (kind ? ' ' + kind : '');
    view.status.dataset.state = kind || 'idle';
  }

  async function errorOf(response) {
    try {
      const body = await response.json();
      if (body && body.error) return body.error;
    } catch { /* not JSON */ }
    return `the server answered ${response.status} ${response.statusText}`;
  }

  async function getJson(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(await errorOf(response));
    return response.json();
  }

  async function rename(personId, name) {
    const response = await fetch(`/api/people/${encodeURIComponent(personId)}/name`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [KEY_HEADER]: apiKey() },
      body: JSON.stringify({ name }),
    });
    if (!response.ok) throw new Error(await errorOf(response));
    return response.json();
  }

  // A name field and its Save button, shown only when an API key has been entered.
  function nameEditor(personId, name, onSaved) {
    const form = document.createElement('form');
    form.className = 'tile-edit';
    const input = document.createElement('input');
    input.type = 'text';
    input.maxLength = 200;
    input.value = name || '';
    input.dataset.testid = 'tile-name';
    input.setAttribute('aria-label', 'Name');
    const save = document.createElement('button');
    save.type = 'submit';
    save.textContent = 'Save';
    save.dataset.testid = 'tile-save';
    form.append(input, save);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const person = await rename(personId, input.value);
        setStatus(`Saved: ${shownName(person.title)}`, null);
        onSaved(person);
      } catch (error) {
        setStatus(`Could not rename: ${error.message}`, 'error');
      }
    });
    return form;
  }

  function tile(imageUrl, caption, href, testid) {
    const item = document.createElement('li');
    item.className = 'tile';
    item.dataset.testid = testid;
    const link = document.createElement('a');
    link.href = href;
    const img = document.createElement('img');
    img.src = imageUrl;
    img.alt = caption;
    img.loading = 'lazy';
    img.width = 112;
    img.height = 112;
    link.append(img);
    item.append(link);
    return item;
  }

  function pager(total) {
    current.total = total;
    const last = Math.min(current.offset + PAGE, total);
    view.page.textContent = total === 0 ? '' : `${current.offset + 1}–${last} of ${total.toLocaleString()}`;
    view.prev.disabled = current.offset === 0;
    view.next.disabled = last >= total;
  }

  async function showPeople() {
    const page = await getJson(`/api/people?offset=${current.offset}&limit=${PAGE}`);
    view.title.textContent = 'People';
    view.edit.hidden = true;
    view.grid.replaceChildren();
    if (page.total === 0) setStatus('No persons yet: run `rvs people recluster` on this collection.', null);
    for (const person of page.persons) {
      const item = tile(person.thumbnail_url, shownName(person.title), `#person/${person.id}`, 'person-tile');
      item.dataset.personId = String(person.id);
      item.dataset.name = person.name || '';
      const caption = document.createElement('span');
      caption.className = 'tile-caption';
      caption.dataset.testid = 'tile-title';
      caption.textContent = shownName(person.title);
      const count = document.createElement('span');
      count.className = 'tile-count';
      count.textContent = person.face_count === 1 ? '1 face' : `${person.face_count.toLocaleString()} faces`;
      item.append(caption, count);
      if (apiKey()) {
        item.append(nameEditor(person.id, person.name, (saved) => {
          caption.textContent = shownName(saved.title);
          item.dataset.name = saved.name || '';
        }));
      }
      view.grid.appendChild(item);
    }
    pager(page.total);
  }

  async function showPerson(personId) {
    const person = await getJson(`/api/people/${encodeURIComponent(personId)}?offset=${current.offset}&limit=${PAGE}`);
    current.person = person;
    const faces = person.face_count === 1 ? '1 face' : `${person.face_count.toLocaleString()} faces`;
    view.title.textContent = `${shownName(person.title)} · ${faces}`;
    view.edit.hidden = !apiKey();
    view.name.value = person.name || '';
    view.grid.replaceChildren();
    for (const face of person.faces) {
      const item = tile(face.thumbnail_url, face.file_name, face.image_url, 'person-face');
      item.dataset.faceId = String(face.face_id);
      const caption = document.createElement('span');
      caption.className = 'tile-caption';
      caption.textContent = face.file_name + (face.fixed ? ' (fixed)' : '');
      item.append(caption);
      view.grid.appendChild(item);
    }
    pager(person.face_count);
  }

  async function render() {
    const hash = window.location.hash;
    const person = /^#person\/(\d+)$/.exec(hash);
    const inPeople = hash === '#people' || person !== null;
    view.people.hidden = !inPeople;
    view.search.hidden = inPeople;
    view.answer.hidden = inPeople || !view.answer.textContent;
    if (!inPeople) return;
    const route = person ? `person/${person[1]}` : 'people';
    if (route !== current.route) current = { route, offset: 0, total: 0, person: null };
    setStatus('', null);
    try {
      if (person) await showPerson(person[1]);
      else await showPeople();
    } catch (error) {
      view.grid.replaceChildren();
      setStatus(error.message, 'error');
    }
  }

  view.key.addEventListener('change', () => {
    // Redrawn only when the key really changed, so a late change event cannot wipe a name being typed.
    if (apiKey() === (sessionStorage.getItem('rvs-api-key') || '')) return;
    sessionStorage.setItem('rvs-api-key', apiKey());
    render();
  });
  view.save.addEventListener('click', async () => {
    if (!current.person) return;
    try {
      const saved = await rename(current.person.id, view.name.value);
      setStatus(`Saved: ${shownName(saved.title)}`, null);
      await showPerson(saved.id);
    } catch (error) {
      setStatus(`Could not rename: ${error.message}`, 'error');
    }
  });
  view.prev.addEventListener('click', () => { current.offset = Math.max(0, current.offset - PAGE); render(); });
  view.next.addEventListener('click', () => { current.offset += PAGE; render(); });
  window.addEventListener('hashchange', render);
  render();
})();
