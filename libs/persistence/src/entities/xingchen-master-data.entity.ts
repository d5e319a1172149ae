import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The loader's cache of Xingchen master data: number → id (and a material's units), with its age. */
@Entity({ name: 'xingchen_master_data_cache' })
export class XingchenMasterDataCache {
  /** customer · material · store */
  @PrimaryColumn({ type: 'text' })
  kind!: string;

  @PrimaryColumn({ type: 'text' })
  number!: string;

  @Column({ name: 'xingchen_id', type: 'text' })
  xingchenId!: string;

  /** Materials: `{ baseUnitId, unitIds }`. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  details!: Record<string, unknown>;

  @Column({ name: 'fetched_at', type: 'timestamptz' })
  fetchedAt!: Date;
}
