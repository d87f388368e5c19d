import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

const ROLES = ['viewer', 'analyst', 'admin'] as const;

/** Asking for a sign-in link by mail (before there is a session: the sign-in form's own token). */
export class MailSignInForm {
  @IsString()
  _csrf!: string;

  @IsEmail({}, { message: 'Enter an email address, like name@example.org' })
  @MaxLength(320)
  email!: string;
}

export class InvitePersonForm {
  @IsString()
  _csrf!: string;

  @IsString()
  @Matches(/\S/, { message: 'Give a name' })
  @Length(1, 100)
  name!: string;

  @IsEmail({}, { message: 'Enter an email address, like name@example.org' })
  @MaxLength(320)
  email!: string;

  @IsIn(ROLES, { message: 'Choose a role' })
  role!: (typeof ROLES)[number];
}

/** One change to a person from the people page: a new role, or disabled / enabled. */
export class UpdatePersonForm {
  @IsString()
  _csrf!: string;

  @IsOptional()
  @IsIn(ROLES, { message: 'Choose a role' })
  role?: (typeof ROLES)[number];

  @IsOptional()
  @IsIn(['true', 'false'])
  disabled?: 'true' | 'false';
}
