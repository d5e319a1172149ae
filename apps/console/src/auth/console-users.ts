import { CONSOLE_USER_PATTERN } from '@app/config';
import { type ConsoleRole } from '@app/persistence';
import { hashPassword, verifyPassword } from '@app/runtime';

export interface ConsoleUser {
  name: string;
  role: ConsoleRole;
  passwordHash: string;
}

/** CONSOLE_USERS (validated by the config's rule) as users by name. */
export function parseConsoleUsers(entries: string[]): Map<string, ConsoleUser> {
  const users = new Map<string, ConsoleUser>();
  for (const entry of entries) {
    const match = CONSOLE_USER_PATTERN.exec(entry);
    if (!match) throw new Error(`CONSOLE_USERS: malformed entry for "${entry.split(':')[0]}"`);
    users.set(match[1], { name: match[1], role: match[2] as ConsoleRole, passwordHash: match[3] });
  }
  return users;
}

/** A hash of nothing anyone knows: an unknown user costs as much as a wrong password (no user probing by timing). */
const decoy = hashPassword(`decoy-${Math.random()}`);

export class ConsoleUsers {
  constructor(private readonly users: Map<string, ConsoleUser>) {}

  /** The user when the password is theirs, else null. */
  async authenticate(name: string, password: string): Promise<ConsoleUser | null> {
    const user = this.users.get(name);
    const matches = await verifyPassword(user?.passwordHash ?? (await decoy), password);
    return user && matches ? user : null;
  }

  /** A CONSOLE_USERS entry for a user and password. */
  static async entry(name: string, role: ConsoleRole, password: string): Promise<string> {
    return `${name}:${role}:${await hashPassword(password)}`;
  }
}
