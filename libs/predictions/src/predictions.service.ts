import { Injectable } from '@nestjs/common';

import { DomainError, GENESIS_HASH, logit, NotFoundError, probabilityFromLogOdds } from '#core';
import { pageQuery, Prisma, PrismaService, toPage, type Page, type PageRequest, type Prediction, type PredictionStatus } from '#db';

import { AuditTrailService } from './audit-trail.service.js';

export interface NewPrediction {
  slug: string;
  title: string;
  statement: string;
  resolutionCriteria: string;
  prior: number;
  deadline: Date;
  eventByDeadline?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class PredictionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly auditTrail: AuditTrailService,
  ) {}

  async list(request: PageRequest & { status?: PredictionStatus }): Promise<Page<Prediction>> {
    const query = pageQuery(request);
    const rows = await this.prisma.prediction.findMany({
      ...query,
      where: { ...query.where, ...(request.status ? { status: request.status } : {}) },
    });
    return toPage(rows, request.limit);
  }

  /** Predictions are addressable by id or by slug. */
  async get(idOrSlug: string, field = 'idOrSlug'): Promise<Prediction> {
    const prediction = await this.prisma.prediction.findUnique({
      where: UUID.test(idOrSlug) ? { id: idOrSlug.toLowerCase() } : { slug: idOrSlug },
    });
    if (!prediction) throw new NotFoundError('Prediction', idOrSlug, field);
    return prediction;
  }

  async findBySlug(slug: string): Promise<Prediction | null> {
    return this.prisma.prediction.findUnique({ where: { slug } });
  }

  /** Creates the prediction and the first entry of its audit trail, the prior. */
  async create(input: NewPrediction, actor: string): Promise<Prediction> {
    const priorLogOdds = logit(input.prior);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const created = await tx.prediction.create({
          data: {
            slug: input.slug,
            title: input.title,
            statement: input.statement,
            resolutionCriteria: input.resolutionCriteria,
            prior: input.prior,
            priorLogOdds,
            logOdds: priorLogOdds,
            probability: probabilityFromLogOdds(priorLogOdds),
            deadline: input.deadline,
            eventByDeadline: input.eventByDeadline ?? false,
            auditHash: GENESIS_HASH,
            revisions: {
              create: {
                revision: 1,
                title: input.title,
                statement: input.statement,
                resolutionCriteria: input.resolutionCriteria,
                editedBy: actor,
              },
            },
          },
        });
        await this.auditTrail.append(tx, created, { kind: 'prior', deltaLogOdds: 0, actor, detail: { prior: input.prior } });
        return tx.prediction.findUniqueOrThrow({ where: { id: created.id } });
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DomainError('conflict', 'slug-taken', `A prediction with slug "${input.slug}" already exists`, 'slug');
      }
      throw error;
    }
  }
}
