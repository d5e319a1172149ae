/** The console's pieces the suites under test/ drive directly. */
export { createConsoleApp } from './console.app';
export { ConsoleUsers } from './auth/console-users';
export { hashPassword, verifyPassword } from '@app/runtime';
export { ExtractorBackfillRunner, type ResyncRunner } from './jobs/resync-runner';
export type * from './console-api';
