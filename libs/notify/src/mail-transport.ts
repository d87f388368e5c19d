import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';

import { AppConfig } from '#config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string | { prepared: true; value: string }>;
}

export interface SentMail {
  messageId: string;
  /** Where the message was written, when there is no SMTP server. */
  file: string | null;
}

/**
 * Mail through nodemailer: SMTP where SMTP_URL is set; otherwise each message
 * is written as an .eml file under DATA_DIR/mail (the log says where), which
 * any mail client opens.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly logger = new Logger(MailTransport.name);
  private readonly transporter: Transporter;
  private readonly directory: string | null;

  constructor(private readonly config: AppConfig) {
    if (config.SMTP_URL) {
      // Pooled: a run of digests reuses a few open connections rather than a handshake per message (`?pool=false` in the URL turns it off).
      this.transporter = nodemailer.createTransport({ url: config.SMTP_URL, pool: true });
      this.directory = null;
    } else {
      this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      this.directory = resolve(config.DATA_DIR, 'mail');
    }
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }

  async send(message: MailMessage): Promise<SentMail> {
    const info = (await this.transporter.sendMail({ from: this.config.MAIL_FROM, ...message })) as { messageId: string; message?: Buffer };
    if (!this.directory) return { messageId: info.messageId, file: null };
    await mkdir(this.directory, { recursive: true });
    const file = join(this.directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.eml`);
    await writeFile(file, info.message ?? Buffer.alloc(0));
    this.logger.log({ to: message.to, file }, 'No SMTP_URL: mail written to a file');
    return { messageId: info.messageId, file };
  }
}
