import { Controller, Get } from '@nestjs/common';
import { type Overview } from '../console-api';
import { OverviewService } from './overview.service';

@Controller('api/overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  get(): Promise<Overview> {
    return this.overview.overview();
  }
}
