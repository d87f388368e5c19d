import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { Public } from '../auth/auth.decorators.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebSessionGuard } from './web-session.guard.js';

/**
 * A controller of the web app: no bearer key (the browser's session stands in for it, checked by
 * WebSessionGuard, roles and form tokens included), HTML errors, and no place in the OpenAPI document.
 */
export const WebPages = (): ClassDecorator => applyDecorators(Public(), UseGuards(WebSessionGuard), UseFilters(WebErrorFilter), ApiExcludeController());

/** The sign-in page itself: no session needed, HTML errors. */
export const WebSignInPages = (): ClassDecorator => applyDecorators(Public(), UseFilters(WebErrorFilter), ApiExcludeController());
