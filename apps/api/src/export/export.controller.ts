import { Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DomainError } from '#core';

import { RequireRole } from '../auth/auth.decorators.js';
import { ArchiveService, type ArchiveSink } from './archive.service.js';
import { ExportQueryDto, ImportQueryDto, ImportSummaryDto } from './export.dto.js';
import { readJsonBody } from './json-request-body.js';

/** The largest export document an import reads. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

@ApiTags('export')
@ApiBearerAuth()
@RequireRole('admin')
@Controller()
export class ExportController {
  private readonly logger = new Logger(ExportController.name);

  constructor(private readonly archive: ArchiveService) {}

  @Get('export')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description:
      'The record as one JSON document `{"format": "bellwether-export", "version": 1, "exportedAt", "tables": {"predictions": [...], ...}}`, streamed from one snapshot; or one table as CSV with `?format=csv&table=evidence`',
  })
  async export(@Query() query: ExportQueryDto, @Res() response: Response): Promise<void> {
    const day = new Date().toISOString().slice(0, 10);
    if (query.format === 'csv') {
      if (!query.table) throw new DomainError('invalid', 'validation-failed', `table is required with format=csv (one of ${this.archive.tableNames().join(', ')})`, 'table');
      const sink = responseSink(response, 'text/csv; charset=utf-8', `bellwether-${query.table}-${day}.csv`);
      return this.stream(response, () => this.archive.writeCsv(query.table!, sink));
    }
    if (query.table) throw new DomainError('invalid', 'validation-failed', 'table applies to format=csv only', 'table');
    const sink = responseSink(response, 'application/json; charset=utf-8', `bellwether-export-${day}.json`);
    return this.stream(response, () => this.archive.writeJson(sink));
  }

  @Post('import')
  @HttpCode(201)
  @ApiConsumes('application/json')
  @ApiCreatedResponse({ type: ImportSummaryDto, description: 'The export was loaded: rows per table, chains and entries re-verified, signatures checked and what that proves' })
  async import(@Req() request: Request, @Query() query: ImportQueryDto): Promise<ImportSummaryDto> {
    return this.archive.import(await readJsonBody(request, MAX_IMPORT_BYTES), query.trustedKey ?? []);
  }

  /** Before the first byte a failure is an ordinary problem answer; after it, the response is cut off so it cannot pass for a whole export. */
  private async stream(response: Response, write: () => Promise<void>): Promise<void> {
    try {
      await write();
      response.end();
    } catch (error) {
      if (!response.headersSent) throw error;
      this.logger.warn(`Export cut off: ${(error as Error).message}`);
      response.destroy();
    }
  }
}

/** Writes to the response, waiting for it to drain, and fails once the client has gone. */
function responseSink(response: Response, contentType: string, fileName: string): ArchiveSink {
  return async (chunk) => {
    if (!response.headersSent) {
      response.status(200);
      response.setHeader('Content-Type', contentType);
      response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
      response.setHeader('Cache-Control', 'no-store');
    }
    if (response.destroyed || response.writableEnded) throw new Error('the client went away');
    if (response.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const drained = () => {
        response.off('close', closed);
        resolve();
      };
      const closed = () => {
        response.off('drain', drained);
        reject(new Error('the client went away'));
      };
      response.once('drain', drained);
      response.once('close', closed);
    });
  };
}
