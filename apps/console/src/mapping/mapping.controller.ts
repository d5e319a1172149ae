import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail';
import { type ConsoleRequest } from '../auth/console-request';
import { Action } from '../auth/roles';
import {
  type MappingCheck,
  type MappingCheckRequest,
  type MappingPreview,
  type MappingPreviewRequest,
  type RecentTrade,
} from '../console-api';
import { maskPersonalData } from '../http/masking';
import { optionalText, requireText } from '../http/validation';
import { MappingPreviewService } from './mapping-preview.service';
import { RecentTrades } from './recent-trades';

/** The mapping page: read-only for everyone (nothing is applied). */
@Controller('api/mapping')
export class MappingController {
  constructor(
    private readonly preview: MappingPreviewService,
    private readonly recent: RecentTrades,
    private readonly audit: AuditTrail,
  ) {}

  @Get('recent-trades')
  async recentTrades(): Promise<RecentTrade[]> {
    return (await this.recent.list()).map((t) => ({ ...t, trade: maskPersonalData(t.trade) }));
  }

  @Action('mapping.preview')
  @Post('preview')
  @HttpCode(200)
  previewTrade(@Body() body: MappingPreviewRequest | undefined): Promise<MappingPreview> {
    return this.preview.preview(body?.trade, optionalText(body?.mapping, 'mapping', 1_000_000));
  }

  @Action('mapping.check')
  @Post('check')
  @HttpCode(200)
  check(
    @Body() body: MappingCheckRequest | undefined,
    @Req() request: ConsoleRequest,
  ): Promise<MappingCheck> {
    const text = requireText(body?.mapping, 'mapping', 1_000_000);
    return this.audit.around(
      request,
      'mapping.check',
      { characters: text.length },
      () => this.preview.check(text),
      (r) =>
        r.valid
          ? `valid; ${r.trial.changed.length} of ${r.trial.trades} recent trades map differently`
          : `invalid: ${r.errors.length} problem(s)`,
    );
  }
}
