import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { from, mergeMap, type Observable } from 'rxjs';

import { ActorDirectory } from '#auth';

import { actorsIn, nameActors } from './actor-names.js';

/**
 * Every /v1 answer that names an actor also names the person: `actorName` beside `actor`,
 * `decidedByName` beside `decidedBy`, and so on (ACTOR_NAME_FIELDS), in one lookup per answer.
 * Actors written before people existed (`apikey:<id>`, kept in hashed audit entries) get the
 * name of their key's person.
 */
@Injectable()
export class ActorNamesInterceptor implements NestInterceptor {
  constructor(private readonly directory: ActorDirectory) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !context.switchToHttp().getRequest<Request>().path.startsWith('/v1/')) return next.handle();
    return next.handle().pipe(
      mergeMap((answer: unknown) =>
        from(
          (async () => {
            const actors = actorsIn(answer);
            if (actors.size > 0) nameActors(answer, await this.directory.describe(actors));
            return answer;
          })(),
        ),
      ),
    );
  }
}
