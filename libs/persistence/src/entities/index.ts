import { ExtractorCheckpoint } from './extractor-checkpoint.entity';
/** Every TypeORM entity of erpsync. Add new ones here. */
export const allEntities: (new () => object)[] = [];
allEntities.push(ExtractorCheckpoint);
export {
  loaderEntities,
  SalesOrderLedger,
  SalesOrderSyncAttempt,
  XingchenMasterDataCache,
} from './loader.entities';
import { loaderEntities } from './loader.entities';
allEntities.push(...loaderEntities);
