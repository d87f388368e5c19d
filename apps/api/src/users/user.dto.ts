import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsString, Length, MaxLength } from 'class-validator';

import type { ApiKeySummary, Principal, UserWithKeys } from '#auth';
import type { User } from '#db';

import { ApiKeyDto, toApiKeyDto } from '../api-keys/api-key.dto.js';
import { IsNotBlank } from '../http/validation/is-not-blank.decorator.js';
import { IsOmittable } from '../http/validation/is-omittable.decorator.js';

const ROLES = ['viewer', 'analyst', 'admin'] as const;

export class InviteUserDto {
  @ApiProperty({ example: 'Alice Analyst' })
  @IsString()
  @IsNotBlank()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'alice@example.org', description: 'Where the invitation (and later sign-in links) go; unique, compared without case' })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: (typeof ROLES)[number];
}

export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'Alice Analyst' })
  @IsOmittable()
  @IsString()
  @IsNotBlank()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ example: 'alice@example.org' })
  @IsOmittable()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOmittable()
  @IsIn(ROLES)
  role?: (typeof ROLES)[number];

  @ApiPropertyOptional({ description: 'true disables the person: every key and web session of theirs stops at once; false enables them again' })
  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;
}

export class CreateUserKeyDto {
  @ApiProperty({ example: 'alice laptop' })
  @IsString()
  @IsNotBlank()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ enum: ROLES, description: "At most the person's role (a higher one is lowered to theirs); their role when left out" })
  @IsOmittable()
  @IsIn(ROLES)
  role?: (typeof ROLES)[number];
}

export class UserDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'How the trail names this person: `user:<id>`' }) actor!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null for a person made from a key that existed before people did, until an admin gives one' }) email!: string | null;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ nullable: true, type: String }) disabledAt!: string | null;
  @ApiProperty() createdAt!: string;
}

export class UserListDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
}

export class UserWithKeysDto extends UserDto {
  @ApiProperty({ type: [ApiKeyDto], description: 'Newest first, revoked ones included' }) keys!: ApiKeyDto[];
  @ApiProperty({ nullable: true, type: String, description: 'The latest use of any of their keys' }) lastUsedAt!: string | null;
}

export class CreatedUserKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself. Shown once: only its hash is stored.' }) key!: string;
}

export class InvitedUserDto extends UserDto {
  @ApiProperty({ description: 'Whether the invitation mail was handed to the mail transport' }) invitationSent!: boolean;
}

export class MeDto {
  @ApiProperty() userId!: string;
  @ApiProperty({ description: '`user:<id>`: how the trail names what this key does' }) actor!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ enum: ROLES, description: "What this key may do: the lower of the person's role and the key's" }) role!: string;
  @ApiProperty({ enum: ROLES, description: "The person's role" }) userRole!: string;
  @ApiProperty({ nullable: true, type: ApiKeyDto, description: 'The key this request was made with' }) key!: ApiKeyDto | null;
}

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    actor: `user:${user.id}`,
    name: user.name,
    email: user.email,
    role: user.role,
    disabled: user.disabledAt !== null,
    disabledAt: user.disabledAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toUserWithKeysDto({ user, keys, lastUsedAt }: UserWithKeys): UserWithKeysDto {
  return { ...toUserDto(user), keys: keys.map(toApiKeyDto), lastUsedAt: lastUsedAt?.toISOString() ?? null };
}

export function toMeDto(principal: Principal, user: User, key: ApiKeySummary | null): MeDto {
  return {
    userId: user.id,
    actor: `user:${user.id}`,
    name: user.name,
    email: user.email,
    role: principal.role,
    userRole: user.role,
    key: key ? toApiKeyDto(key) : null,
  };
}
