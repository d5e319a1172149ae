import { SetMetadata } from '@nestjs/common';

export const OPERATOR_ONLY = 'erpsync:operator-only';
export const PUBLIC_ROUTE = 'erpsync:public';
export const AUDITED_ACTION = 'erpsync:audited-action';

/** Only operators may call this route (viewers get 403, audited as refused). */
export const OperatorOnly = () => SetMetadata(OPERATOR_ONLY, true);
/** Reachable without a session (sign-in). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
/** The audit name of a route's action, e.g. `redrive`: a refused call is audited under it. */
export const Action = (name: string) => SetMetadata(AUDITED_ACTION, name);
