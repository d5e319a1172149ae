import Decimal from 'decimal.js';
import { catalogShops, catalogSkus, catalogWarehouses, type CatalogSku } from '@app/sandbox-catalog';
import { formatWdtTime } from '@app/contracts';
import { seededRandom } from '@app/runtime';

/** A WDT trade in the response shape of `wdt.trade.query` (plain JSON). */
export type SandboxTrade = Record<string, unknown> & { trade_no: string; modified: string };

/** One trade's history: each version becomes visible at its `modified` time. */
export interface TradeTimeline {
  tradeNo: string;
  versions: Array<{ atMs: number; trade: SandboxTrade }>;
}

export interface TradeGeneratorOptions {
  seed: number;
  count: number;
  /** Trades are created over [endMs − historySeconds, endMs]. */
  endMs: number;
  historySeconds?: number;
  /**
   * When true every version lies at or before endMs (a finished history: what tests want). When
   * false (the default, for the demo) statuses keep moving forward after endMs as time passes.
   */
  settled?: boolean;
  /**
   * `mixed` (the default): the types of WDT's published samples — statuses, flags, ids, counts,
   * money and tax rates as JSON numbers for most trades, some line tax rates "" (shared/docs/wdt-api.md
   * "Field types vary"); `strings`: the seed contract's decimal strings everywhere.
   */
  wireTypes?: 'mixed' | 'strings';
}

const TRADE_NUMERIC_FIELDS = [
  'trade_id',
  'platform_id',
  'shop_id',
  'warehouse_id',
  'warehouse_type',
  'consign_status',
  'logistics_id',
  'goods_count',
  'goods_amount',
  'post_amount',
  'other_amount',
  'discount',
  'receivable',
  'paid',
  'tax',
  'tax_rate',
  'version_id',
];
const LINE_NUMERIC_FIELDS = [
  'rec_id',
  'trade_id',
  'spec_id',
  'goods_id',
  'platform_id',
  'base_unit_id',
  'num',
  'actual_num',
  'refund_num',
  'price',
  'order_price',
  'share_price',
  'discount',
  'adjust',
  'share_amount',
  'share_post',
  'paid',
  'tax_rate',
  'suite_id',
  'suite_num',
  'suite_amount',
  'suite_discount',
];

/** A decimal string as the JSON number WDT would send ("59.9000" → 59.9); other values unchanged. */
const asNumber = (value: unknown): unknown =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;

/**
 * A trade in the mixed wire types of WDT's real answers. Decided per trade number (every version of
 * a trade has the same shape): about 3 in 4 trades send numbers, about 1 in 8 send "" line tax rates.
 */
export function withWireTypes(trade: SandboxTrade, tradeIndex: number): SandboxTrade {
  const shape = tradeIndex % 8;
  if (shape === 0 || shape === 5) return trade; // strings, as the seed contract has them
  const emptyLineRates = shape === 3;
  const copy: SandboxTrade = { ...trade };
  for (const field of TRADE_NUMERIC_FIELDS) if (field in copy) copy[field] = asNumber(copy[field]);
  copy.goods_list = (trade.goods_list as Array<Record<string, unknown>>).map((line) => {
    const out: Record<string, unknown> = { ...line };
    for (const field of LINE_NUMERIC_FIELDS) if (field in out) out[field] = asNumber(out[field]);
    if (emptyLineRates) out.tax_rate = '';
    return out;
  });
  return copy;
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '高',
  '林',
  '何',
  '郭',
  '马',
  '罗',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '华',
  '慧',
];
const PLACES: Array<[string, string, string]> = [
  ['上海市', '上海市', '浦东新区'],
  ['广东省', '广州市', '天河区'],
  ['广东省', '深圳市', '南山区'],
  ['北京市', '北京市', '朝阳区'],
  ['浙江省', '杭州市', '西湖区'],
  ['四川省', '成都市', '武侯区'],
  ['江苏省', '南京市', '鼓楼区'],
  ['湖北省', '武汉市', '洪山区'],
];
const ROADS = ['人民路', '解放路', '中山路', '建设路', '长江路', '科技园路', '文化路', '南京路'];
const LOGISTICS: Array<[string, string, string]> = [
  ['1', '顺丰速运', 'SF'],
  ['2', '中通快递', 'ZTO'],
  ['3', '圆通速递', 'YTO'],
  ['4', '京东物流', 'JD'],
];
/** Bundles (组合装): sold as one item, split by WDT into their components. */
const SUITES: Array<{ suiteNo: string; suiteName: string; parts: Array<[string, number]> }> = [
  {
    suiteNo: 'SUITE-01',
    suiteName: '保温杯茶叶礼盒',
    parts: [
      ['SKU-001', 1],
      ['SKU-004', 1],
    ],
  },
  {
    suiteNo: 'SUITE-02',
    suiteName: '牙刷套装',
    parts: [
      ['SKU-013', 1],
      ['SKU-014', 2],
    ],
  },
  {
    suiteNo: 'SUITE-03',
    suiteName: '办公文具组合',
    parts: [
      ['SKU-015', 3],
      ['SKU-016', 1],
    ],
  },
];
const GIFT_SKUS = ['SKU-006', 'SKU-014', 'SKU-015'];
/** A trade's path through the statuses (cancelled ones stop at 5). */
const FORWARD = [10, 30, 55, 95, 110];

const d4 = (value: Decimal.Value): string => new Decimal(value).toFixed(4, Decimal.ROUND_HALF_UP);
const sku = (specNo: string): CatalogSku => catalogSkus.find((s) => s.specNo === specNo)!;

/** Snaps a time to the nearest hour boundary second (xx:59:59 or xx:00:00) when asked. */
function boundarySecond(ms: number, random: () => number): number {
  const hour = Math.floor(ms / 3_600_000) * 3_600_000;
  return random() < 0.5 ? hour - 1000 : hour;
}

/** The seeded draws of one generator run; the order of the calls is the data (same seed, same trades). */
interface Draws {
  random: () => number;
  pick: <T>(items: readonly T[]) => T;
  between: (min: number, max: number) => number;
}

function drawsOf(seed: number): Draws {
  const random = seededRandom(seed);
  return {
    random,
    pick: <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)],
    between: (min: number, max: number): number => min + Math.floor(random() * (max - min + 1)),
  };
}

type LineBase = Record<string, unknown> & { num: string; refund_status: number };
type Line = LineBase & { share_amount: string };
type Stamp = { status: number; atMs: number; refund: boolean };

/** What every version of one trade shares: its number, shop, warehouse, receiver, lines. */
interface TradeBasics {
  index: number;
  createdMs: number;
  created: string;
  tradeNo: string;
  tradeId: string;
  shop: (typeof catalogShops)[number];
  warehouse: (typeof catalogWarehouses)[number];
  place: [string, string, string];
  receiver: string;
  srcTid: string;
}

/**
 * A deterministic set of realistic WDT trades: several shops and warehouses of the sandbox catalog,
 * multi-line orders, bundles split into components (`suite_*`), gifts, refunded lines, cancelled
 * orders, Chinese names and addresses, statuses moving forward with each version, and
 * modifications at window-boundary seconds (xx:59:59, xx:00:00).
 */
export function generateTradeTimelines(options: TradeGeneratorOptions): TradeTimeline[] {
  const draws = drawsOf(options.seed);
  const historyMs = (options.historySeconds ?? 86400) * 1000;
  const endMs = Math.floor(options.endMs / 1000) * 1000;
  const digits = Math.max(4, String(options.count).length);
  const timelines: TradeTimeline[] = [];
  for (let i = 0; i < options.count; i++) {
    const basics = tradeBasics(draws, i, endMs, historyMs, digits);
    const { lines, postAmount } = tradeLines(draws, basics);
    const stamps = statusHistory(draws, basics.createdMs);
    const visible = options.settled ? stamps.filter((stamp) => stamp.atMs <= endMs) : stamps;
    if (visible.length === 0) continue;
    const versions = tradeVersions(draws, basics, lines, postAmount, visible).map((trade, index) => ({
      atMs: visible[index].atMs,
      trade: options.wireTypes === 'strings' ? trade : withWireTypes(trade, i),
    }));
    timelines.push({ tradeNo: basics.tradeNo, versions });
  }
  return timelines;
}

function tradeBasics(draws: Draws, i: number, endMs: number, historyMs: number, digits: number): TradeBasics {
  const { random, pick } = draws;
  let createdMs = endMs - Math.floor((random() * historyMs) / 1000) * 1000;
  if (random() < 0.05) createdMs = Math.min(endMs, boundarySecond(createdMs, random));
  const created = formatWdtTime(createdMs);
  const tradeNo = `JY${created.slice(0, 10).replace(/-/g, '')}${String(i + 1).padStart(digits, '0')}`;
  const tradeId = String(100000 + i);
  const shop = pick(catalogShops);
  const warehouse = pick(catalogWarehouses);
  const place = pick(PLACES);
  const receiver = `${pick(SURNAMES)}${pick(GIVEN)}`;
  const srcTid = `${shop.shopNo}-${String(2_000_000_000 + Math.floor(random() * 1e9))}`;
  return { index: i, createdMs, created, tradeNo, tradeId, shop, warehouse, place, receiver, srcTid };
}

/** The fields every line of a trade carries; numbers its lines in order (`rec_id`, `src_oid`). */
function lineNumberer(basics: TradeBasics): (s: CatalogSku, num: Decimal) => LineBase {
  let recSeq = 0;
  const { index, tradeId, srcTid, created } = basics;
  return (s, num) => ({
    rec_id: String(1_000_000 + index * 20 + recSeq++),
    trade_id: tradeId,
    spec_id: String(5000 + catalogSkus.indexOf(s)),
    goods_id: String(3000 + catalogSkus.indexOf(s)),
    platform_id: '1',
    src_oid: `${srcTid}-${recSeq}`,
    src_tid: srcTid,
    goods_no: s.goodsNo,
    goods_name: s.goodsName,
    spec_no: s.specNo,
    spec_code: s.specNo.replace('SKU-', 'C'),
    spec_name: s.specName,
    barcode: s.barcode,
    unit_name: s.unitName,
    base_unit_id: '1',
    num: d4(num),
    actual_num: d4(num),
    refund_num: '0.0000',
    refund_status: 0,
    tax_rate: '0.1300',
    created,
  });
}

type BaseLine = ReturnType<typeof lineNumberer>;

/** 1–3 ordinary lines, sometimes a bundle split into its parts, sometimes a gift; the postage. */
function tradeLines(draws: Draws, basics: TradeBasics): { lines: Line[]; postAmount: Decimal } {
  const { random, pick } = draws;
  const baseLine = lineNumberer(basics);
  const lines = ordinaryLines(draws, baseLine);
  if (random() < 0.15) lines.push(...suiteLines(draws, baseLine));
  if (random() < 0.2) {
    const s = sku(pick(GIFT_SKUS));
    lines.push({
      ...baseLine(s, new Decimal(1)),
      gift_type: pick([1, 2]),
      price: '0.0000',
      order_price: '0.0000',
      share_price: '0.0000',
      discount: '0.0000',
      adjust: '0.0000',
      share_amount: '0.0000',
    });
  }
  const postAmount = new Decimal(pick(['0', '0', '8', '12']));
  lines.forEach((line, index) => {
    line.share_post = index === 0 ? d4(postAmount) : '0.0000';
  });
  return { lines, postAmount };
}

function ordinaryLines({ random, pick, between }: Draws, baseLine: BaseLine): Line[] {
  const lines: Line[] = [];
  const used = new Set<string>();
  const lineCount = between(1, 3);
  for (let n = 0; n < lineCount; n++) {
    let s = pick(catalogSkus);
    while (used.has(s.specNo)) s = pick(catalogSkus);
    used.add(s.specNo);
    const num = new Decimal(between(1, 3));
    const amount = new Decimal(s.price).mul(num);
    const discount = random() < 0.3 ? amount.mul(0.05).toDecimalPlaces(2) : new Decimal(0);
    const share = amount.sub(discount);
    lines.push({
      ...baseLine(s, num),
      gift_type: 0,
      price: s.price,
      order_price: d4(amount.sub(discount).div(num)),
      share_price: d4(share.div(num)),
      discount: d4(discount),
      adjust: '0.0000',
      share_amount: d4(share),
    });
  }
  return lines;
}

/** A bundle (`suite_*`) sold at 10 % off its parts' list price, split into its parts by list value. */
function suiteLines({ pick, between }: Draws, baseLine: BaseLine): Line[] {
  const suite = pick(SUITES);
  const suiteNum = between(1, 2);
  const listTotal = suite.parts.reduce(
    (sum, [no, qty]) => sum.add(new Decimal(sku(no).price).mul(qty)),
    new Decimal(0),
  );
  const suiteAmount = listTotal.mul(0.9).toDecimalPlaces(2).mul(suiteNum);
  let allocated = new Decimal(0);
  return suite.parts.map(([no, qty], index) => {
    const s = sku(no);
    const num = new Decimal(qty * suiteNum);
    const weight = new Decimal(s.price).mul(qty).div(listTotal);
    const share =
      index === suite.parts.length - 1
        ? suiteAmount.sub(allocated)
        : suiteAmount.mul(weight).toDecimalPlaces(2);
    allocated = allocated.add(share);
    return {
      ...baseLine(s, num),
      gift_type: 0,
      price: s.price,
      order_price: d4(share.div(num)),
      share_price: d4(share.div(num)),
      discount: d4(new Decimal(s.price).mul(num).sub(share)),
      adjust: '0.0000',
      share_amount: d4(share),
      suite_id: String(900 + SUITES.indexOf(suite)),
      suite_no: suite.suiteNo,
      suite_name: suite.suiteName,
      suite_num: d4(suiteNum),
      suite_amount: d4(suiteAmount),
      suite_discount: d4(listTotal.mul(suiteNum).sub(suiteAmount)),
    };
  });
}

/** The statuses a trade passes through and when (cancelled ones stop at 5); maybe a late refund. */
function statusHistory({ random, between }: Draws, createdMs: number): Stamp[] {
  const cancelled = random() < 0.08;
  const steps = cancelled ? [10, 5] : FORWARD.slice(0, between(2, FORWARD.length));
  const refundAfterShipping = !cancelled && steps.includes(95) && random() < 0.25;
  const delays = [0, between(60, 1800), between(60, 7200), between(1800, 43200), between(3600, 172800)];
  let atMs = createdMs;
  const stamps: Stamp[] = [];
  steps.forEach((status, index) => {
    if (index > 0) atMs += (status === 5 ? between(300, 7200) : delays[index]) * 1000;
    if (index > 0 && random() < 0.06) {
      const snapped = boundarySecond(atMs + 3_600_000, random);
      if (snapped > atMs) atMs = snapped;
    }
    stamps.push({ status, atMs, refund: false });
  });
  if (refundAfterShipping) {
    atMs += between(3600, 86400) * 1000;
    stamps.push({ status: stamps[stamps.length - 1].status, atMs, refund: true });
  }
  return stamps;
}

/** The trade's shipping and contact details, then one trade per visible status stamp. */
function tradeVersions(
  draws: Draws,
  basics: TradeBasics,
  lines: Line[],
  postAmount: Decimal,
  visible: Stamp[],
): SandboxTrade[] {
  const { random, pick, between } = draws;
  const logistics = pick(LOGISTICS);
  const logisticsNo = `${logistics[2]}${String(Math.floor(random() * 1e12)).padStart(12, '0')}`;
  const mobile = `1${pick(['38', '39', '58', '86', '77'])}****${String(between(0, 9999)).padStart(4, '0')}`;
  const address = `${pick(ROADS)}${between(1, 999)}号${between(1, 30)}栋${between(101, 2505)}室`;
  const refundLine = between(0, lines.length - 1);
  const contact = { logistics, logisticsNo, mobile, address };
  let refunded = false;
  return visible.map((stamp, index) => {
    if (stamp.refund) refunded = true;
    const modified = formatWdtTime(stamp.atMs);
    const paid = stamp.status >= 30;
    const goodsList = lines.map((line, lineIndex) => {
      const isRefunded = refunded && lineIndex === refundLine;
      return {
        ...line,
        refund_status: isRefunded ? 5 : 0,
        refund_num: isRefunded ? line.num : '0.0000',
        actual_num: stamp.status === 5 ? '0.0000' : line.num,
        paid: paid ? d4(new Decimal(line.share_amount).add(line.share_post as string)) : '0.0000',
        modified,
      };
    });
    const version = { stamp, index, modified, refunded, goodsList };
    return tradeVersion(draws, basics, lines, postAmount, contact, version);
  });
}

interface Contact {
  logistics: [string, string, string];
  logisticsNo: string;
  mobile: string;
  address: string;
}

/** One version of a trade in the response shape. */
function tradeVersion(
  { random }: Draws,
  basics: TradeBasics,
  lines: Line[],
  postAmount: Decimal,
  contact: Contact,
  version: { stamp: Stamp; index: number; modified: string; refunded: boolean; goodsList: unknown[] },
): SandboxTrade {
  const { stamp, refunded } = version;
  const { shop, warehouse, receiver, tradeId, created } = basics;
  const [province, city, district] = basics.place;
  const { logistics } = contact;
  const paid = stamp.status >= 30;
  const shipped = stamp.status >= 95;
  const billable = lines.filter((line) => line.gift_type === 0);
  const goodsAmount = billable.reduce(
    (sum, line) => sum.add(new Decimal(line.price as string).mul(line.num)),
    new Decimal(0),
  );
  const shareTotal = lines.reduce((sum, line) => sum.add(line.share_amount), new Decimal(0));
  const receivable = shareTotal.add(postAmount);
  const allRefunded = refunded && lines.length === 1;
  return {
    trade_id: tradeId,
    trade_no: basics.tradeNo,
    platform_id: '1',
    shop_no: shop.shopNo,
    shop_name: shop.shopName,
    shop_id: String(10 + catalogShops.indexOf(shop)),
    warehouse_no: warehouse.warehouseNo,
    warehouse_id: String(20 + catalogWarehouses.indexOf(warehouse)),
    warehouse_type: '1',
    src_tids: basics.srcTid,
    trade_status: stamp.status,
    consign_status: shipped ? '12' : '0',
    trade_type: 1,
    delivery_term: 1,
    refund_status: refunded ? (allRefunded ? 3 : 2) : 0,
    trade_time: created,
    pay_time: paid ? formatWdtTime(basics.createdMs + 60_000) : '0000-00-00 00:00:00',
    customer_name: receiver,
    customer_no: `KH${tradeId}`,
    buyer_nick: `${receiver}的小店`,
    receiver_name: receiver,
    receiver_province: province,
    receiver_city: city,
    receiver_district: district,
    receiver_address: contact.address,
    receiver_area: `${province} ${city} ${district}`,
    receiver_mobile: contact.mobile,
    receiver_zip: '000000',
    logistics_id: shipped ? logistics[0] : '0',
    logistics_name: shipped ? logistics[1] : '',
    logistics_code: shipped ? logistics[2] : '',
    logistics_no: shipped ? contact.logisticsNo : '',
    cancel_reason: stamp.status === 5 ? '客户取消' : '',
    buyer_message: random() < 0.2 ? '请尽快发货，谢谢' : '',
    cs_remark: '',
    goods_type_count: lines.length,
    goods_count: d4(lines.reduce((sum, line) => sum.add(line.num), new Decimal(0))),
    goods_amount: d4(goodsAmount),
    post_amount: d4(postAmount),
    other_amount: '0.0000',
    discount: d4(goodsAmount.sub(shareTotal)),
    receivable: d4(receivable),
    paid: paid ? d4(receivable) : '0.0000',
    tax: d4(receivable.sub(receivable.div(1.13)).toDecimalPlaces(4)),
    tax_rate: '0.1300',
    currency: 'CNY',
    version_id: String(version.index + 1),
    modified: version.modified,
    created,
    goods_list: version.goodsList,
  };
}

/** The trades as they look at `atMs` (default: the end of the generated history). */
export function generateTrades(options: TradeGeneratorOptions & { atMs?: number }): SandboxTrade[] {
  const at = options.atMs ?? options.endMs;
  return generateTradeTimelines(options)
    .map((timeline) => [...timeline.versions].reverse().find((version) => version.atMs <= at)?.trade)
    .filter((trade): trade is SandboxTrade => trade !== undefined);
}
