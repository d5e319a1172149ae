import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { type NormalizedSalesOrder } from '@app/contracts';
import {
  MappingConfigError,
  mapTrade,
  parseMappingText,
  type MapResult,
  type MappingRules,
} from '@app/mapping';
import { resolveMasterData } from '@app/operations';
import { type MasterDataIds } from '@app/reconciliation';
import { salesOrderDraft, saveBodyFor, type DraftIds, type XingchenClient } from '@app/xingchen-client';
import { type MappingCheck, type MappingPreview } from '../console-api';
import { CONSOLE_RULES, CONSOLE_XINGCHEN } from '../console.tokens';
import { maskPersonalData } from '../http/masking';
import { RecentTrades } from './recent-trades';

/** A mapping result's messages: why a trade is not mapped, in the mapping rules' words. */
const messagesOf = (result: MapResult): string[] =>
  result.outcome === 'filtered' || result.outcome === 'invalid' ? [`${result.reason}: ${result.detail}`] : [];

/** Mapping rules from pasted text (YAML, or JSON when it starts with `{`); 400 with every problem. */
export function rulesFromText(text: string): MappingRules {
  try {
    return parseMappingText(text, text.trimStart().startsWith('{') ? 'pasted.json' : 'pasted.yaml');
  } catch (error) {
    if (error instanceof MappingConfigError) throw new BadRequestException(error.problems.join('; '));
    throw error;
  }
}

/**
 * The mapping page: a trade through the configured (or pasted) rules, the normalized order and the
 * exact save body of the configured Xingchen family; a pasted mapping file checked against recent
 * trades without being applied.
 */
@Injectable()
export class MappingPreviewService {
  constructor(
    @Inject(CONSOLE_RULES) private readonly rules: MappingRules,
    @Inject(CONSOLE_XINGCHEN) private readonly xingchen: XingchenClient,
    private readonly recent: RecentTrades,
  ) {}

  async preview(trade: unknown, mapping?: string): Promise<MappingPreview> {
    const parsed = typeof trade === 'string' ? this.parseTrade(trade) : trade;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new BadRequestException('trade must be a JSON object (one WDT trade)');
    const rules = mapping ? rulesFromText(mapping) : this.rules;
    const result = mapTrade(parsed, rules);
    const family = this.xingchen.family;
    if (result.outcome !== 'mapped') {
      return {
        outcome: result.outcome,
        messages: messagesOf(result),
        normalized: result.outcome === 'cancelled' ? result.cancellation : null,
        family,
        body: null,
      };
    }
    const { ids, messages } = await this.resolve(result.order);
    return {
      outcome: 'mapped',
      messages,
      normalized: result.order,
      family,
      body: maskPersonalData(saveBodyFor(family, salesOrderDraft(result.order, ids))),
    };
  }

  async check(text: string): Promise<MappingCheck> {
    let rules: MappingRules;
    try {
      rules = parseMappingText(text, text.trimStart().startsWith('{') ? 'checked.json' : 'checked.yaml');
    } catch (error) {
      if (!(error instanceof MappingConfigError)) throw error;
      return {
        valid: false,
        errors: error.problems,
        summary: {},
        trial: { trades: 0, outcomes: { configured: {}, checked: {} }, changed: [] },
      };
    }
    const trades = await this.recent.list();
    const configured: Record<string, number> = {};
    const checked: Record<string, number> = {};
    const changed: MappingCheck['trial']['changed'] = [];
    for (const { tradeNo, trade } of trades) {
      const before = mapTrade(trade, this.rules);
      const after = mapTrade(trade, rules);
      configured[before.outcome] = (configured[before.outcome] ?? 0) + 1;
      checked[after.outcome] = (checked[after.outcome] ?? 0) + 1;
      const describe = (r: MapResult) =>
        r.outcome === 'mapped'
          ? `mapped (${r.order.customerNumber})`
          : r.outcome === 'cancelled'
            ? 'cancelled'
            : `${r.outcome}: ${r.reason}`;
      // any difference counts, not only a different outcome (another customer, price or line)
      if (JSON.stringify(before) !== JSON.stringify(after))
        changed.push({
          tradeNo,
          configured: describe(before),
          checked: describe(after),
          messages: messagesOf(after),
        });
    }
    return {
      valid: true,
      errors: [],
      summary: {
        shops: Object.keys(rules.customers.byShop).length,
        defaultCustomer: rules.customers.default ?? null,
        eligibleStatuses: rules.statuses.eligible,
        billDate: rules.billDate.source,
        priceDecimals: rules.price.decimals,
        taxDefaultPercent: rules.tax.defaultPercent,
        projectSource: rules.project.source,
      },
      trial: { trades: trades.length, outcomes: { configured, checked }, changed: changed.slice(0, 200) },
    };
  }

  private parseTrade(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new BadRequestException(`trade is not valid JSON: ${(error as Error).message}`);
    }
  }

  /**
   * The order's numbers as Xingchen ids, through the look-ups the reconciliation makes; an unknown
   * number is a message and a placeholder, and so is every number when Xingchen cannot be asked.
   */
  private async resolve(order: NormalizedSalesOrder): Promise<{ ids: DraftIds; messages: string[] }> {
    const messages: string[] = [];
    let known: MasterDataIds | undefined;
    try {
      known = await resolveMasterData(this.xingchen, {
        customers: new Set([order.customerNumber]),
        materials: new Set(order.lines.map((line) => line.materialNumber)),
        stores: new Set(order.lines.map((line) => line.storeNumber)),
      });
    } catch (error) {
      messages.push(
        `Xingchen's master data could not be looked up: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const id = (what: string, number: string, found: string | undefined, placeholder: string): string => {
      if (found !== undefined) return found;
      if (known && !messages.some((m) => m.startsWith(`${what} ${number} `)))
        messages.push(`${what} ${number} is not in Xingchen: the loader would reject this order`);
      return placeholder;
    };
    const customerId = id(
      'customer',
      order.customerNumber,
      known?.customerId(order.customerNumber),
      `<customer ${order.customerNumber}>`,
    );
    const lines = order.lines.map((line) => ({
      materialId: id(
        'material',
        line.materialNumber,
        known?.materialId(line.materialNumber),
        `<material ${line.materialNumber}>`,
      ),
      unitId: known?.baseUnitId(line.materialNumber) ?? `<base unit of ${line.materialNumber}>`,
      storeId: id('store', line.storeNumber, known?.storeId(line.storeNumber), `<store ${line.storeNumber}>`),
    }));
    return { ids: { customerId, lines }, messages };
  }
}
