import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

import { actorOfUser, type Principal } from '#auth';
import type { ApiKeyRole } from '#db';

export const PUBLIC_ROUTE = 'bellwether:public';
export const REQUIRED_ROLE = 'bellwether:required-role';

/** No API key needed: health, docs, metrics and unsubscribe links. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** The lowest role that may call the route; routes without it need any valid key (viewer). */
export const RequireRole = (role: ApiKeyRole): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);

export interface AuthenticatedRequest {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});

/** How the audit trail names whoever acted through the API or the web app: the person, whichever key they used. */
export function actorOf(principal: Principal): string {
  return actorOfUser(principal.userId);
}
