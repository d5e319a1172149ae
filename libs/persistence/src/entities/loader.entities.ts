import { SalesOrderLedger } from './sales-order-ledger.entity';
import { SalesOrderSyncAttempt } from './sales-order-sync-attempt.entity';
import { XingchenMasterDataCache } from './xingchen-master-data.entity';

export { SalesOrderLedger, SalesOrderSyncAttempt, XingchenMasterDataCache };

/** The loader's tables. */
export const loaderEntities = [SalesOrderLedger, SalesOrderSyncAttempt, XingchenMasterDataCache];
