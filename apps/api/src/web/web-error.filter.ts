import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

import { ProblemDetailsFilter } from '../http/problems/problem-details.filter.js';
import { isFetchRequest, pageContext } from './web-page-context.js';
import { SignInRequiredError, type WebRequest } from './web-session.guard.js';

/**
 * The web app's side of problem handling: the same mapping as the API (ProblemDetailsFilter decides
 * status and message, and logs unknown errors with an errorId), shown as a page instead of problem+json.
 */
@Catch()
export class WebErrorFilter implements ExceptionFilter {
  private readonly problems = new ProblemDetailsFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<WebRequest>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof SignInRequiredError) {
      if (request.method === 'GET' && !isFetchRequest(request)) {
        response.redirect(303, `/app/login?next=${encodeURIComponent(request.originalUrl)}`);
      } else {
        response.status(401).type('text/plain').send('Your session has ended: sign in again.');
      }
      return;
    }
    const problem = this.problems.toProblem(exception);
    if (isFetchRequest(request)) {
      response.status(problem.status).render('partials/error', { problem });
      return;
    }
    response.status(problem.status).render('error', { ...pageContext(request, 'Error'), problem });
  }
}
