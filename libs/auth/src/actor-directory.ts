import { Injectable } from '@nestjs/common';

import { PrismaService } from '#db';

/** Who an actor string stands for. */
export interface ActorIdentity {
  /** As written: `user:<id>`, `apikey:<id>`, `system:<job>`. */
  actor: string;
  /** The person (`user:<id>`) an actor names, old `apikey:<id>` actors included; the actor itself otherwise. */
  person: string;
  userId: string | null;
  /** What to show: the person's name, `Bellwether (<job>)` for a job, the actor itself if unknown. */
  name: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The names of a set of actors, as ActorDirectory.describe read them. */
export class ActorNames {
  constructor(private readonly known: ReadonlyMap<string, ActorIdentity>) {}

  get(actor: string): ActorIdentity {
    return this.known.get(actor) ?? identityWithoutPerson(actor);
  }

  name(actor: string): string {
    return this.get(actor).name;
  }

  person(actor: string): string {
    return this.get(actor).person;
  }
}

function identityWithoutPerson(actor: string): ActorIdentity {
  const job = /^system:(.+)$/.exec(actor);
  return { actor, person: actor, userId: null, name: job ? `Bellwether (${job[1]})` : actor };
}

/**
 * Reads actors as people. New writes name `user:<id>`; entries written before people existed name
 * `apikey:<id>`, and those inside hashed audit entries are never rewritten, so they are mapped to the
 * key's person here, whenever they are read. One query per kind, whatever the number of actors.
 */
@Injectable()
export class ActorDirectory {
  constructor(private readonly prisma: PrismaService) {}

  async describe(actors: Iterable<string>): Promise<ActorNames> {
    const userIds = new Set<string>();
    const keyIds = new Set<string>();
    for (const actor of actors) {
      const [kind, id] = splitActor(actor);
      if (!id || !UUID.test(id)) continue;
      if (kind === 'user') userIds.add(id.toLowerCase());
      else if (kind === 'apikey') keyIds.add(id.toLowerCase());
    }
    const known = new Map<string, ActorIdentity>();
    if (keyIds.size > 0) {
      const keys = await this.prisma.apiKey.findMany({ where: { id: { in: [...keyIds] } }, select: { id: true, user: { select: { id: true, name: true } } } });
      for (const key of keys) known.set(`apikey:${key.id}`, { actor: `apikey:${key.id}`, person: `user:${key.user.id}`, userId: key.user.id, name: key.user.name });
    }
    if (userIds.size > 0) {
      const users = await this.prisma.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, name: true } });
      for (const user of users) known.set(`user:${user.id}`, { actor: `user:${user.id}`, person: `user:${user.id}`, userId: user.id, name: user.name });
    }
    return new ActorNames(known);
  }
}

function splitActor(actor: string): [string, string | undefined] {
  const colon = actor.indexOf(':');
  return colon < 0 ? [actor, undefined] : [actor.slice(0, colon), actor.slice(colon + 1)];
}

/** How the trail names a person acting. */
export function actorOfUser(userId: string): string {
  return `user:${userId}`;
}
