import { ActorNames, type ActorIdentity } from '#auth';

import { actorsIn, nameActors, showActorsAsPeople } from './actor-names.js';

const ADA = '01a25000-0000-7000-8000-00000000a0a0';
const OLD_KEY = '01a25000-0000-7000-8000-00000000beef';

function names(): ActorNames {
  const ada: ActorIdentity = { actor: `user:${ADA}`, person: `user:${ADA}`, userId: ADA, name: 'Ada' };
  return new ActorNames(new Map([[`user:${ADA}`, ada], [`apikey:${OLD_KEY}`, { ...ada, actor: `apikey:${OLD_KEY}` }]]));
}

describe('actor names in answers and pages', () => {
  it('finds every actor, however deep, and only in actor fields', () => {
    const answer = { items: [{ actor: `user:${ADA}`, reason: 'user:not-an-actor-field' }, { evidence: { actor: `apikey:${OLD_KEY}` } }], decidedBy: 'system:seed', title: 'x' };
    expect([...actorsIn(answer)].sort()).toEqual([`apikey:${OLD_KEY}`, 'system:seed', `user:${ADA}`].sort());
  });

  it('sets the name beside each actor; an old key actor reads as its person; a job as Bellwether', () => {
    const answer = { items: [{ actor: `apikey:${OLD_KEY}` }, { actor: `user:${ADA}`, decidedBy: null }, { actor: 'system:seed' }] };
    nameActors(answer, names());
    expect(answer.items).toEqual([
      { actor: `apikey:${OLD_KEY}`, actorName: 'Ada' },
      { actor: `user:${ADA}`, actorName: 'Ada', decidedBy: null, decidedByName: null },
      { actor: 'system:seed', actorName: 'Bellwether (seed)' },
    ]);
  });

  it("gives a forecast its person's name now, and keeps the stored name of someone this deployment does not have", () => {
    const known = { forecaster: `user:${ADA}`, forecasterName: 'ada laptop' };
    const imported = { forecaster: 'user:01a25000-0000-7000-8000-000000000000', forecasterName: 'Imported Person' };
    nameActors([known, imported], names());
    expect(known.forecasterName).toBe('Ada');
    expect(imported.forecasterName).toBe('Imported Person');
  });

  it('on pages, prints the name where the actor was and keeps the id beside it', () => {
    const model = { moves: [{ actor: `apikey:${OLD_KEY}` }], analysts: [{ forecaster: `user:${ADA}`, forecasterName: 'old' }] };
    showActorsAsPeople(model, names());
    expect(model.moves[0]).toEqual({ actor: 'Ada', actorId: `apikey:${OLD_KEY}`, actorName: 'Ada' });
    expect(model.analysts[0]).toEqual({ forecaster: `user:${ADA}`, forecasterName: 'Ada' });
  });
});
