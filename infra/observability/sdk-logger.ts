import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger } from 'pino';
import { z } from 'zod';

export const sdkLogLevelSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error']);
export type SdkLogLevel = z.infer<typeof sdkLogLevelSchema>;

const PINO_LEVEL: Record<LogLevel, SdkLogLevel> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's runtime logger (worker state, activity and workflow log calls, the core's forwarded lines) as
 * pino lines, so they carry the process's format and card-field redaction. The SDK passes a failure as `error`,
 * which pino would print as `{}`: it goes under `err`, where pino's serializer keeps its type, message and stack.
 */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    const { error, ...rest } = meta;
    this.logger[PINO_LEVEL[level]](error === undefined ? rest : { ...rest, err: error }, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
