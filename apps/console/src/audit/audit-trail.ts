import { Inject, Injectable } from '@nestjs/common';
import { type Logger } from 'pino';
import { LOGGER } from '@app/observability';
import { ConsoleAuditRepository, type AuditResult } from '@app/persistence';
import { clientOf, type ConsoleRequest } from '../auth/console-request';

/** Writes every console action to the append-only audit table (who, what, when, result). */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly audit: ConsoleAuditRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async record(
    request: ConsoleRequest,
    action: string,
    target: Record<string, unknown>,
    result: AuditResult,
    detail?: string,
    actor?: { user: string; role: string },
  ): Promise<void> {
    const who = actor ?? {
      user: request.signedIn?.user ?? 'anonymous',
      role: request.signedIn?.role ?? 'none',
    };
    this.logger.info(
      { audit: action, actor: who.user, role: who.role, target, result, detail },
      'console action',
    );
    await this.audit.append({
      actor: who.user,
      role: who.role,
      action,
      target,
      result,
      detail: detail ?? null,
      client: clientOf(request),
    });
  }

  /** Runs an action and audits it: ok with its summary, failed with the error (which is rethrown). */
  async around<T>(
    request: ConsoleRequest,
    action: string,
    target: Record<string, unknown>,
    run: () => Promise<T>,
    summary: (value: T) => string | undefined = () => undefined,
  ): Promise<T> {
    try {
      const value = await run();
      await this.record(request, action, target, 'ok', summary(value));
      return value;
    } catch (error) {
      await this.record(
        request,
        action,
        target,
        'failed',
        error instanceof Error ? error.message : String(error),
      );
      throw error;
    }
  }
}
