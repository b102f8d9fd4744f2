import { Get, Query } from '@nestjs/common';
import { ok } from '../common/envelope';
import { HepService } from '../hep/hep.service';
import { TransactionService } from '../transaction/transaction.service';
import { eventFilter } from './console-filter';
import { ConsoleController } from './console-http';
import { consolePage, pageWithMore, servicePage } from './console-paging';

/** Temperature and mask events (2.26) with their snapshots; photoPath is served by the gateway itself, without a token. */
@ConsoleController('hep')
export class ConsoleHepController {
  constructor(
    private readonly hep: HepService,
    private readonly transactions: TransactionService,
  ) {}

  @Get('events')
  async events(@Query() q: Record<string, unknown>) {
    const { from, to, pin } = eventFilter(q, this.transactions);
    const p = consolePage(q);
    return ok(pageWithMore(await this.hep.list({ from, to, pin }, servicePage(p, 1)), p));
  }
}
