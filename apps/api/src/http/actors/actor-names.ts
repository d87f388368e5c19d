import type { ActorNames } from '#auth';

/**
 * The fields of API answers and web page models that hold an actor (`user:<id>`, `apikey:<id>`,
 * `system:<job>`), each with the field beside it that gets the person's name. `forecaster` already
 * has its `forecasterName` (the name when the forecast was made): it becomes the person's name now.
 */
export const ACTOR_NAME_FIELDS: Readonly<Record<string, string>> = {
  actor: 'actorName',
  forecaster: 'forecasterName',
  createdBy: 'createdByName',
  decidedBy: 'decidedByName',
  editedBy: 'editedByName',
  retractedBy: 'retractedByName',
  reviewedBy: 'reviewedByName',
  updatedBy: 'updatedByName',
};

const ACTOR = /^(user|apikey|system):./;
const MAX_DEPTH = 12;

function isPlain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * A name stored beside an actor (a forecast's `forecasterName`) stays when the actor is nobody
 * here: a record imported from another deployment names people this one does not have.
 */
function keepsStoredName(value: Record<string, unknown>, nameField: string, actor: string, names: ActorNames): boolean {
  return typeof value[nameField] === 'string' && names.get(actor).userId === null && !actor.startsWith('system:');
}

/** Every actor named in an answer, wherever it sits. */
export function actorsIn(value: unknown, found = new Set<string>(), depth = 0): Set<string> {
  if (depth > MAX_DEPTH) return found;
  if (Array.isArray(value)) {
    for (const item of value) actorsIn(item, found, depth + 1);
  } else if (isPlain(value)) {
    for (const [field, inner] of Object.entries(value)) {
      if (field in ACTOR_NAME_FIELDS && typeof inner === 'string' && ACTOR.test(inner)) found.add(inner);
      else if (typeof inner === 'object') actorsIn(inner, found, depth + 1);
    }
  }
  return found;
}

/** Sets the name beside every actor of an answer (in place: answers are built per request). */
export function nameActors(value: unknown, names: ActorNames, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) nameActors(item, names, depth + 1);
  } else if (isPlain(value)) {
    for (const [field, inner] of Object.entries(value)) {
      const nameField = ACTOR_NAME_FIELDS[field];
      if (nameField && typeof inner === 'string' && ACTOR.test(inner)) {
        if (!keepsStoredName(value, nameField, inner, names)) value[nameField] = names.name(inner);
      } else if (nameField && inner === null && !(nameField in value)) value[nameField] = null;
      else if (typeof inner === 'object') nameActors(inner, names, depth + 1);
    }
  }
}

/**
 * For web pages: every actor field shows the person's name in place (the id stays in `<field>Id`),
 * so a template that prints `move.actor` prints a name. `forecaster` keeps its id and gets the name
 * in `forecasterName`.
 */
export function showActorsAsPeople(value: unknown, names: ActorNames, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) showActorsAsPeople(item, names, depth + 1);
  } else if (isPlain(value)) {
    for (const [field, inner] of Object.entries(value)) {
      const nameField = ACTOR_NAME_FIELDS[field];
      if (nameField && typeof inner === 'string' && ACTOR.test(inner)) {
        if (!keepsStoredName(value, nameField, inner, names)) value[nameField] = names.name(inner);
        if (field !== 'forecaster') {
          value[`${field}Id`] = inner;
          value[field] = names.name(inner);
        }
      } else if (typeof inner === 'object') showActorsAsPeople(inner, names, depth + 1);
    }
  }
}
