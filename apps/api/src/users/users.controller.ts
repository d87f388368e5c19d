import { Body, Controller, Get, Logger, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { ApiKeysService, UsersService, type Principal } from '#auth';
import { PeopleMailService } from '#notify';

import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from '../http/validation/page-query.dto.js';
import {
  CreatedUserKeyDto,
  CreateUserKeyDto,
  InvitedUserDto,
  InviteUserDto,
  MeDto,
  toMeDto,
  toUserDto,
  toUserWithKeysDto,
  UpdateUserDto,
  UserDto,
  UserListDto,
  UserWithKeysDto,
} from './user.dto.js';
import { toApiKeyDto } from '../api-keys/api-key.dto.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller()
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'Who this key is: the person, their role, and the key' })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const { user, keys } = await this.users.getWithKeys(principal.userId);
    return toMeDto(principal, user, keys.find((key) => key.id === principal.keyId) ?? null);
  }
}

@ApiTags('users')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('users')
export class UsersController {
  private readonly logger = new Logger(UsersController.name);

  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly mail: PeopleMailService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Invite a person by email: creates them and mails an invitation to sign in' })
  @ApiCreatedResponse({ type: InvitedUserDto })
  async invite(@Body() body: InviteUserDto, @CurrentPrincipal() principal: Principal): Promise<InvitedUserDto> {
    const user = await this.users.create(body);
    const invitationSent = await this.mail
      .sendInvitation({ name: user.name, email: user.email!, role: user.role }, principal.name)
      .then(() => true)
      .catch((error: unknown) => {
        this.logger.warn({ userId: user.id, err: error }, 'The invitation mail could not be sent');
        return false;
      });
    return { ...toUserDto(user), invitationSent };
  }

  @Get()
  @ApiOkResponse({ type: UserListDto })
  async list(): Promise<UserListDto> {
    return { items: (await this.users.list()).map(toUserDto) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A person with their keys and when each was last used' })
  @ApiOkResponse({ type: UserWithKeysDto })
  async get(@Param() params: IdParams): Promise<UserWithKeysDto> {
    return toUserWithKeysDto(await this.users.getWithKeys(params.id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, re-address, change the role of, disable or enable a person; disabling stops their keys and sessions at once' })
  @ApiOkResponse({ type: UserDto })
  async update(@Param() params: IdParams, @Body() body: UpdateUserDto): Promise<UserDto> {
    return toUserDto(await this.users.update(params.id, body));
  }

  @Post(':id/keys')
  @ApiOperation({ summary: "A new API key for this person (replacing a lost key keeps the person and their record)" })
  @ApiCreatedResponse({ type: CreatedUserKeyDto })
  async createKey(@Param() params: IdParams, @Body() body: CreateUserKeyDto): Promise<CreatedUserKeyDto> {
    const user = await this.users.get(params.id);
    const { token, key } = await this.apiKeys.create({ name: body.name, role: body.role ?? user.role, userId: user.id });
    return { ...toApiKeyDto(key), key: token };
  }
}
