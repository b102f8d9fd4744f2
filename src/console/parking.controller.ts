import { Body, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ok } from '../common/envelope';
import { ParkAuthorizeService } from '../park/park-authorize.service';
import { ParkRecordService } from '../park/park-record.service';
import { TransactionService } from '../transaction/transaction.service';
import { eventFilter } from './console-filter';
import { ConsoleController } from './console-http';
import { consolePage, pageWithMore, queryText, servicePage } from './console-paging';
import { Audit } from './console-roles';

interface ListBody {
  type?: unknown;
  carNumber?: unknown;
  fromTime?: unknown;
  toTime?: unknown;
}

/** Parking (2.3, 2.20): the black and white plate lists, and entry/exit records with their pictures. */
@ConsoleController('parking')
export class ConsoleParkingController {
  constructor(
    private readonly lists: ParkAuthorizeService,
    private readonly records: ParkRecordService,
    private readonly transactions: TransactionService,
  ) {}

  @Get('lists')
  async listAll() {
    return ok(await this.lists.list());
  }

  @Post('lists')
  @HttpCode(200)
  @Audit('parking.add', (r) => r.body?.carNumber)
  async add(@Body() body: ListBody | undefined) {
    await this.lists.add(body ?? {});
    return ok(null);
  }

  @Put('lists/:carNumber')
  @Audit('parking.edit', (r) => `${r.params.carNumber} ${r.body?.carNumber ?? ''}`.trim())
  async edit(@Param('carNumber') carNumber: string, @Body() body: ListBody | undefined) {
    await this.lists.edit({ ...(body ?? {}), oldCarNumber: carNumber });
    return ok(null);
  }

  @Delete('lists/:carNumber')
  @Audit('parking.delete', (r) => r.params.carNumber)
  async delete(@Param('carNumber') carNumber: string) {
    await this.lists.delete({ carNumber });
    return ok(null);
  }

  /** Entries (`direction=1`) or exits (2), newest first, filtered by plate and time. */
  @Get('records')
  async recordList(@Query() q: Record<string, unknown>) {
    const { from, to } = eventFilter(q, this.transactions);
    const p = consolePage(q);
    const direction = q.direction === '2' ? 2 : 1;
    const carNumber = queryText(q.carNumber, 20);
    const rows = direction === 1 ? await this.records.list(1, { from, to, carNumber }, servicePage(p, 1)) : await this.records.list(2, { from, to, carNumber }, servicePage(p, 1));
    return ok(pageWithMore<object>(rows, p));
  }

  @Get('records/:id/picture')
  async picture(@Param('id') id: string, @Query('direction') direction: string | undefined) {
    return ok(await this.records.picture(id, direction === '2' ? '2' : '1'));
  }
}
