import { Body, Controller, Get, Logger, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { UsersService, type Principal } from '#auth';
import { DomainError } from '#core';
import { PeopleMailService } from '#notify';

import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';
import { InvitePersonForm, UpdatePersonForm } from './web-people-forms.dto.js';

const DONE: Record<string, string> = {
  invited: 'Invited: they have been mailed how to sign in.',
  'invited-unsent': 'Invited, but the invitation mail could not be sent: tell them to sign in at /app/sign-in with their address.',
  role: 'Role changed: it applies to their keys and sessions at once.',
  disabled: 'Disabled: their keys and sessions stopped at once.',
  enabled: 'Enabled again.',
};

/** People, for admins: invite by mail, change a role, disable or enable. */
@WebPages()
@RequireRole('admin')
@Controller('app/admin/people')
export class WebPeopleController {
  private readonly logger = new Logger(WebPeopleController.name);

  constructor(
    private readonly users: UsersService,
    private readonly mail: PeopleMailService,
  ) {}

  @Get()
  @Render('people')
  async peoplePage(@Req() request: Request, @Query('done') done?: string, @Query('error') error?: string) {
    return this.model(request, { done: done ? (DONE[done] ?? null) : null, error: typeof error === 'string' ? error.slice(0, 300) : null, form: null });
  }

  @Post()
  async invite(@Body() form: InvitePersonForm, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    let user;
    try {
      user = await this.users.create({ name: form.name, email: form.email, role: form.role });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      response.status(error.kind === 'conflict' ? 409 : 400).render('people', await this.model(request, { done: null, error: error.message, form }));
      return;
    }
    const sent = await this.mail.sendInvitation({ name: user.name, email: user.email!, role: user.role }, principal.name).then(
      () => true,
      (mailError: unknown) => {
        this.logger.warn({ userId: user.id, err: mailError }, 'The invitation mail could not be sent');
        return false;
      },
    );
    response.redirect(303, `/app/admin/people?done=${sent ? 'invited' : 'invited-unsent'}`);
  }

  @Post(':id')
  async update(@Param() params: IdParams, @Body() form: UpdatePersonForm, @Res() response: Response): Promise<void> {
    try {
      await this.users.update(params.id, { ...(form.role ? { role: form.role } : {}), ...(form.disabled ? { disabled: form.disabled === 'true' } : {}) });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      response.redirect(303, `/app/admin/people?error=${encodeURIComponent(error.message)}`);
      return;
    }
    response.redirect(303, `/app/admin/people?done=${form.disabled === 'true' ? 'disabled' : form.disabled === 'false' ? 'enabled' : 'role'}`);
  }

  private async model(request: Request, extra: { done: string | null; error: string | null; form: InvitePersonForm | null }) {
    const people = await Promise.all((await this.users.list()).map((user) => this.users.getWithKeys(user.id)));
    const me = (request as Request & { principal?: Principal }).principal?.userId ?? null;
    return { ...pageContext(request, 'People', 'people'), people, me, ...extra };
  }
}
