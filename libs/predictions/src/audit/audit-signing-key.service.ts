import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';

import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';

import { AppConfig, InvalidConfigError } from '#config';
import {
  checkpointMessage,
  DomainError,
  keyIdOf,
  publicKeyText,
  signEndorsement,
  trustedKeys,
  uuidV7,
  type ChainHeadStatement,
  type KeyEndorsement,
  type KeyRelation,
  type TrustedKey,
} from '#core';
import { PrismaService, type PrismaTransaction } from '#db';

import { discardNextKey, loadAuditSigningKey, pendingNextKey, previousSigningKey, replaceKeyFile, signingKeyFile, writeNextSigningKey } from './audit-signing-key.js';

/** One signing key in use: the private key, loaded once, and what is published of it. */
interface SigningKey {
  privateKey: KeyObject;
  publicKey: string;
  keyId: string;
}

/** The signing key of each key source (AUDIT_SIGNING_KEY, or a key file), shared by every app of a process, so a rotation reaches them all. */
const keysInUse = new Map<string, { current: SigningKey }>();

function signingKey(privateKey: KeyObject): SigningKey {
  const publicKey = publicKeyText(createPublicKey(privateKey));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A head's signature, and the id of the key that made it. */
export interface HeadSignature {
  keyId: string;
  signature: string;
}

/** Signs chain heads: what the chain repository needs of the key. */
export interface HeadSigner {
  signHead(head: ChainHeadStatement): HeadSignature;
}

export interface AuditKeyView {
  keyId: string;
  /** base64 SPKI DER. */
  publicKey: string;
  origin: 'local' | 'imported';
  /** When this deployment started signing with it (for an imported key: when its exporter did). */
  activatedAt: string;
  /** When the next local key took over; null for the key in use and for imported keys. */
  retiredAt: string | null;
  /** The key this process signs with now. */
  current: boolean;
  /** Vouched for, through endorsements, by the key this process holds. */
  trusted: boolean;
  endorsedBy: { keyId: string; relation: KeyRelation; at: string }[];
}

/**
 * The Ed25519 key that signs every chain head as it moves and every checkpoint.
 * The private key lives outside the database (AUDIT_SIGNING_KEY, or the key file
 * in DATA_DIR) and is loaded once; the database keeps the public keys, one
 * after another as keys rotate, and the endorsements by which each key vouches
 * for the next and the one before.
 *
 * At start-up the key is checked against the deployment's: the first process
 * of a new deployment registers its key; a later one must sign with the same key
 * (with DATABASE_URL set, AUDIT_SIGNING_KEY is required: processes on other
 * machines would otherwise each make a key of their own).
 */
@Injectable()
export class AuditSigningKeyService implements OnModuleInit, HeadSigner {
  private readonly logger = new Logger(AuditSigningKeyService.name);
  private key!: { current: SigningKey };
  /** This start registered the deployment's first key: heads from before signing may be signed once (see AuditVerificationService). */
  firstRegistration = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.DATABASE_URL && !this.config.AUDIT_SIGNING_KEY) {
      throw new InvalidConfigError([
        'AUDIT_SIGNING_KEY is required with DATABASE_URL: every process (API replicas and workers) must sign the audit trail with the same Ed25519 key. Make one with `openssl genpkey -algorithm ed25519` and give it to every process',
      ]);
    }
    const source = this.config.AUDIT_SIGNING_KEY
      ? `env:${createHash('sha256').update(this.config.AUDIT_SIGNING_KEY).digest('hex')}`
      : `file:${resolve(signingKeyFile(this.config))}`;
    let key = keysInUse.get(source);
    if (!key) {
      key = { current: signingKey(await loadAuditSigningKey(this.config)) };
      keysInUse.set(source, key);
    }
    this.key = key;
    if (!this.config.AUDIT_SIGNING_KEY) await this.finishPendingRotation();
    await this.register();
  }

  get keyId(): string {
    return this.key.current.keyId;
  }

  /** base64 SPKI DER of the key in use: what to compare a signature's key with. */
  get publicKeyText(): string {
    return this.key.current.publicKey;
  }

  /** One Ed25519 signature over the head's statement (the hot path: a key object loaded once, no I/O). */
  signHead(head: ChainHeadStatement): HeadSignature {
    const { privateKey, keyId } = this.key.current;
    return { keyId, signature: sign(null, checkpointMessage(head), privateKey).toString('base64') };
  }

  /** Signs with the key in use, whatever it is signing (a checkpoint: the same statement as a head). */
  get privateKey(): KeyObject {
    return this.key.current.privateKey;
  }

  /**
   * The keys this process can vouch for: its own, and every key reachable from
   * it along endorsements in the database (its predecessors, and the keys of
   * exports it imported). A key only listed in the database is not among them.
   */
  async trusted(extraAnchors: readonly string[] = []): Promise<Map<string, TrustedKey>> {
    return trustedKeys([this.publicKeyText, ...extraAnchors], await this.endorsements());
  }

  async endorsements(db: PrismaTransaction | PrismaService = this.prisma): Promise<KeyEndorsement[]> {
    const rows = await db.auditKeyEndorsement.findMany({ orderBy: { id: 'asc' } });
    return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
  }

  /** Every key the database lists, local ones in the order they were used. */
  async list(): Promise<AuditKeyView[]> {
    const [rows, endorsements, trusted] = await Promise.all([
      this.prisma.auditSigningKey.findMany({ orderBy: [{ activatedAt: 'asc' }, { createdAt: 'asc' }] }),
      this.endorsements(),
      this.trusted(),
    ]);
    const locals = rows.filter((row) => row.origin === 'local');
    return rows.map((row) => {
      const next = row.origin === 'local' ? locals[locals.indexOf(row) + 1] : undefined;
      return {
        keyId: row.id,
        publicKey: row.publicKey,
        origin: row.origin,
        activatedAt: row.activatedAt.toISOString(),
        retiredAt: next ? next.activatedAt.toISOString() : null,
        current: row.id === this.keyId,
        trusted: trusted.has(row.id),
        endorsedBy: endorsements.filter((endorsement) => endorsement.subjectKeyId === row.id).map(({ endorserKeyId, relation, at }) => ({ keyId: endorserKeyId, relation, at })),
      };
    });
  }

  /**
   * Starts a new key: the old key endorses it and it endorses the old one
   * (both signed, so anyone who trusts either trusts both), the new key signs
   * from now on, and the old private key is deleted. Heads the old key signed
   * keep verifying. Only for a key file: a key given in AUDIT_SIGNING_KEY is
   * changed where it is configured: the new key in AUDIT_SIGNING_KEY, the current one in
   * AUDIT_PREVIOUS_SIGNING_KEY, and the first process to start with both records the rotation.
   */
  async rotate(now = new Date()): Promise<AuditKeyView> {
    if (this.config.AUDIT_SIGNING_KEY) {
      throw new DomainError(
        'conflict',
        'signing-key-configured',
        'This deployment signs with AUDIT_SIGNING_KEY, which only its operator can change: restart with the new key in AUDIT_SIGNING_KEY and the current one in AUDIT_PREVIOUS_SIGNING_KEY (see docs/security-and-audit.md)',
      );
    }
    const old = this.key.current;
    const next = signingKey(await writeNextSigningKey(this.config));
    const at = new Date(Math.floor(now.getTime()));
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('bellwether:audit-keys'))`;
        const current = await this.currentLocal(tx);
        if (current?.id !== old.keyId) throw new DomainError('conflict', 'signing-key-changed', 'The signing key changed meanwhile; list the keys and try again');
        await tx.auditSigningKey.create({ data: { id: next.keyId, publicKey: next.publicKey, origin: 'local', activatedAt: at } });
        await this.endorse(tx, old, next, 'successor', at);
        await this.endorse(tx, next, old, 'predecessor', at);
      });
    } catch (error) {
      await discardNextKey(this.config);
      throw error;
    }
    await replaceKeyFile(this.config);
    this.key.current = next;
    this.logger.log(`Rotated the audit signing key: ${old.keyId} -> ${next.keyId}`);
    return (await this.list()).find((key) => key.keyId === next.keyId)!;
  }

  /** Records that the key in use vouches for `subject` (an imported export's key), in the caller's transaction. */
  async endorseImported(tx: PrismaTransaction, subject: { keyId: string; publicKey: string }, at: Date): Promise<void> {
    await this.endorse(tx, this.key.current, subject, 'imported', at);
  }

  private async endorse(tx: PrismaTransaction, endorser: SigningKey, subject: { keyId: string; publicKey: string }, relation: KeyRelation, at: Date): Promise<void> {
    const endorsement = signEndorsement(
      { endorserKeyId: endorser.keyId, subjectKeyId: subject.keyId, subjectPublicKey: subject.publicKey, relation, at: at.toISOString() },
      endorser.privateKey,
    );
    await tx.auditKeyEndorsement.createMany({ data: [{ id: uuidV7(at.getTime()), ...endorsement, at }], skipDuplicates: true });
  }

  private currentLocal(tx: PrismaTransaction | PrismaService) {
    return tx.auditSigningKey.findFirst({ where: { origin: 'local' }, orderBy: [{ activatedAt: 'desc' }, { createdAt: 'desc' }] });
  }

  /** A rotation recorded in the database whose new key file was not yet moved into place: finish it, or drop a next key that never took. */
  private async finishPendingRotation(): Promise<void> {
    const next = await pendingNextKey(this.config);
    if (!next) return;
    const pending = signingKey(next);
    const current = await this.currentLocal(this.prisma);
    if (current?.id === pending.keyId) {
      await replaceKeyFile(this.config);
      this.key.current = pending;
    } else await discardNextKey(this.config);
  }

  /** Registers the key on a new deployment, or checks it is the deployment's (see the class comment). */
  private async register(): Promise<void> {
    const key = this.key.current;
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('bellwether:audit-keys'))`;
      const locals = await tx.auditSigningKey.findMany({ where: { origin: 'local' }, orderBy: [{ activatedAt: 'asc' }, { createdAt: 'asc' }] });
      const current = locals.at(-1);
      if (current?.id === key.keyId) return;
      const known = locals.findIndex((row) => row.id === key.keyId);
      if (known >= 0) {
        throw new InvalidConfigError([
          `the audit signing key ${key.keyId} was retired at ${locals[known + 1]!.activatedAt.toISOString()}: sign with the deployment's current key ${current!.id}`,
        ]);
      }
      if (current && this.config.DATABASE_URL) {
        // A configured rotation: the key in use until now is given beside the new one, so both can vouch for each other.
        const previous = previousSigningKey(this.config);
        if (previous && keyIdOf(previous) === current.id) {
          const at = new Date();
          await tx.auditSigningKey.create({ data: { id: key.keyId, publicKey: key.publicKey, origin: 'local', activatedAt: at } });
          await this.endorse(tx, signingKey(previous), key, 'successor', at);
          await this.endorse(tx, key, signingKey(previous), 'predecessor', at);
          this.logger.log(`Rotated the audit signing key: ${current.id} -> ${key.keyId}`);
          return;
        }
        throw new InvalidConfigError([
          `AUDIT_SIGNING_KEY is key ${key.keyId}, not this deployment's signing key ${current.id} (in use since ${current.activatedAt.toISOString()}): every process must sign with the same key. ` +
            'To rotate, start with the new key in AUDIT_SIGNING_KEY and the current one in AUDIT_PREVIOUS_SIGNING_KEY',
        ]);
      }
      if (current) {
        // Embedded: the key file was replaced or lost. Heads the old key signed can still be checked by whoever holds its public key or a witness copy.
        this.logger.warn(
          `The audit signing key in ${signingKeyFile(this.config)} (${key.keyId}) is not the key this database was signed with (${current.id}); signing with it from now on. Heads signed earlier verify only against ${current.id}'s public key or a witness copy`,
        );
      } else this.firstRegistration = true;
      await tx.auditSigningKey.create({ data: { id: key.keyId, publicKey: key.publicKey, origin: 'local', activatedAt: new Date() } });
    });
  }
}
