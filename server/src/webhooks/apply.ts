import type { Logger } from 'pino';
import { sessionChange, type AuthEvents } from '../reports/auth-events.js';
import type { SessionDirectory } from '../session/directory.js';
import type { WebhookEvent } from './event.js';

export interface Applied {
  /** How many live sessions the event changed or ended. */
  sessions: number;
}

/** Applies a verified, fresh, first-seen event to every live session of its user, on every instance. */
export async function applyWebhook(
  event: Exclude<WebhookEvent, { kind: 'ignored' }>,
  deps: { directory: SessionDirectory; authEvents: AuthEvents; log: Logger },
): Promise<Applied> {
  const { directory, authEvents, log } = deps;
  const origin = { source: 'webhook', event: event.event } as const;
  switch (event.kind) {
    case 'role_changed': {
      // Campus One names the new primary role only. The other roles from the last sign-in may
      // be gone too, so until the next sign-in brings the full list the user holds this one.
      const changed = await directory.updateUser(event.sub, (user) => ({ ...user, role: event.newRole, roles: [event.newRole] }));
      const previousRole = changed.previousRole ?? event.previousRole;
      log.info({ webhook: event.id, sub: event.sub, previousRole, newRole: event.newRole, sessions: changed.sessions }, 'role changed by Campus One');
      await authEvents.record(sessionChange(event.sub, changed, origin, { previousRole, newRole: event.newRole }));
      return { sessions: changed.sessions };
    }
    case 'end_sessions': {
      const ended = await directory.endAllOfUser(event.sub);
      log.info({ webhook: event.id, event: event.event, sub: event.sub, sessions: ended.sessions }, 'sessions ended by Campus One');
      await authEvents.record(sessionChange(event.sub, ended, origin));
      return { sessions: ended.sessions };
    }
    case 'user_updated': {
      const { name, email } = event;
      const changed = await directory.updateUser(event.sub, (user) => ({
        ...user,
        ...(name === undefined ? {} : { name }),
        ...(email === undefined ? {} : { email }),
      }));
      log.info({ webhook: event.id, sub: event.sub, sessions: changed.sessions }, 'profile updated by Campus One');
      return { sessions: changed.sessions };
    }
  }
}
