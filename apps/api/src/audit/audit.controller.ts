import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { AuditCheckpointsService, AuditSigningKeyService, AuditVerificationService, SignedHeadsService, type AuditVerification } from '#predictions';

import { RequireRole } from '../auth/auth.decorators.js';
import { PageQueryDto } from '../http/validation/page-query.dto.js';
import { AuditCheckpointDto, AuditCheckpointPageDto, AuditKeyDto, AuditKeysDto, AuditVerificationDto, SignedHeadPageDto, SignedHeadsQueryDto, VerifyAuditDto } from './audit.dto.js';

const VERIFICATION_SHAPE = 'Every chain recomputed and every signature checked: every broken entry of every chain, every failed signature and checkpoint (up to 1,000)';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly verification: AuditVerificationService,
    private readonly checkpoints: AuditCheckpointsService,
    private readonly heads: SignedHeadsService,
    private readonly keys: AuditSigningKeyService,
  ) {}

  @Get('verify')
  @RequireRole('admin')
  @ApiOkResponse({ type: AuditVerificationDto, description: VERIFICATION_SHAPE })
  verify(): Promise<AuditVerification> {
    return this.verification.verifyAll();
  }

  /** Also checks copies the caller kept (saved checkpoints, a witness file's heads), which a rewrite of the database cannot reach, and says what they prove. */
  @Post('verify')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ type: AuditVerificationDto, description: `${VERIFICATION_SHAPE}; and what the copies brought prove` })
  verifyWithSaved(@Body() body: VerifyAuditDto): Promise<AuditVerification> {
    return this.verification.verifyAll(body.checkpoints ?? [], body.trustedKeys ?? []);
  }

  /** Every chain head as it was signed when it moved, oldest first: what a witness copies. */
  @Get('heads')
  @RequireRole('viewer')
  @ApiOkResponse({ type: SignedHeadPageDto })
  listSignedHeads(@Query() query: SignedHeadsQueryDto): Promise<SignedHeadPageDto> {
    return this.heads.list(query, query.since ? new Date(query.since) : null);
  }

  @Get('keys')
  @RequireRole('viewer')
  @ApiOkResponse({ type: AuditKeysDto, description: 'The public keys that sign heads and checkpoints, with the time each was in use, and the endorsements that link them' })
  async listKeys(): Promise<AuditKeysDto> {
    const [items, endorsements] = await Promise.all([this.keys.list(), this.keys.endorsements()]);
    return { currentKeyId: this.keys.keyId, items, endorsements };
  }

  /** A new signing key (a key file's; 409 when the key comes from AUDIT_SIGNING_KEY): heads signed by the old key keep verifying. */
  @Post('keys/rotate')
  @RequireRole('admin')
  @ApiCreatedResponse({ type: AuditKeyDto, description: 'The new key, endorsed by the old one and endorsing it' })
  rotateKey(): Promise<AuditKeyDto> {
    return this.keys.rotate();
  }

  @Get('checkpoints')
  @RequireRole('viewer')
  @ApiOkResponse({ type: AuditCheckpointPageDto })
  async listCheckpoints(@Query() query: PageQueryDto): Promise<AuditCheckpointPageDto> {
    const page = await this.checkpoints.list(query);
    return { publicKey: this.checkpoints.publicKeyText, ...page };
  }

  @Post('checkpoints')
  @RequireRole('admin')
  @ApiCreatedResponse({ type: [AuditCheckpointDto], description: 'The chain heads signed now (those that moved since their last checkpoint)' })
  async signCheckpoints(): Promise<AuditCheckpointDto[]> {
    return this.checkpoints.signHeads();
  }
}
