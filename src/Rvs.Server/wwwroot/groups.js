'use strict';

// Search results grouped by person (app.js draws them): which person each hit's face is in, the heading of a
// person's group, and the link to a person's page (people.js shows it).
function personOfHits(persons) {
  const byFace = new Map();
  for (const person of persons) for (const id of person.face_ids) byFace.set(id, person);
  return byFace;
}

function personLink(person, text) {
  const link = document.createElement('a');
  link.href = `#person/${person.id}`;
  link.className = 'person-link';
  link.dataset.testid = 'this-person';
  link.textContent = text;
  return link;
}

function groupHead(person) {
  const head = document.createElement('li');
  head.className = 'group-head';
  head.dataset.testid = 'group-head';
  if (!person) {
    head.textContent = 'Faces in no person';
    return head;
  }
  const name = document.createElement('strong');
  name.textContent = shown(person.title);
  const faces = person.face_count === 1 ? '1 face' : `${person.face_count.toLocaleString()} faces`;
  head.append(name, ` · ${faces} in the collection · best rank ${person.best_rank} · `, personLink(person, 'all of this person'));
  return head;
}
