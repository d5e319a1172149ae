import { ForbiddenException } from '@nestjs/common';
import { type AuditTrail } from '../audit/audit-trail';
import { type ConsoleRequest } from '../auth/console-request';

/** `?reveal=true`: operators only, and every reveal of personal data is audited. */
export async function revealAllowed(
  request: ConsoleRequest,
  reveal: unknown,
  audit: AuditTrail,
  target: Record<string, unknown>,
): Promise<boolean> {
  if (reveal !== 'true' && reveal !== '1') return false;
  if (request.signedIn?.role !== 'operator') {
    await audit.record(request, 'reveal', target, 'refused', `role ${request.signedIn?.role ?? 'none'}`);
    throw new ForbiddenException('operators only: payloads stay masked for viewers');
  }
  await audit.record(request, 'reveal', target, 'ok');
  return true;
}
