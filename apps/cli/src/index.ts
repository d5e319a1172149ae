/** The CLI's pieces the suites under test/ and chaos/ drive directly (lint forbids deeper imports). */
export { checkSandboxes, formatCheck, type CheckResult, type CheckSources } from './check.command';
export { buildClients } from './clients';
export { reconcileThroughApis } from '@app/operations';
