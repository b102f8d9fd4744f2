import { Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { RET_MSG_ROUTES } from '../common/ret-msg-routes';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CvInput } from '../common/input.decorator';
import type { V2Page } from '../common/paging';
import {
  DoorTransactionDetailDto,
  DoorTransactionDetailRetMsgDto,
  DoorTransactionsDto,
  DoorTransactionsRetMsgDto,
  DoorTransactionsV2RetMsgDto,
  type DoorTransactionDetailItemDto,
  type DoorTransactionItemDto,
  type RetMsg,
} from './dto/door-transaction.dto';
import type { TransactionV2ItemDto } from './dto/transaction-response.dto';
import { RetMsgExceptionFilter, retOk } from './ret-msg.filter';
import { TransactionService } from './transaction.service';
import { ReadByPost } from '../common/read-forms';

const filtersOf = (dto: DoorTransactionsDto) => ({ ...dto, ...(dto.content ?? {}) });

/** 2.18.10-2.18.12: ZKBio's `{ret, msg, data, i18nArgs, success}` envelope; filters flat or inside `content`. */
@ApiTags('Transaction')
@Controller()
@UseFilters(RetMsgExceptionFilter)
export class DoorTransactionController {
  constructor(private readonly transactions: TransactionService) {}

  @Post(RET_MSG_ROUTES.doorTransactions)
  @ReadByPost()
  @HttpCode(200)
  @ApiOperation({ summary: '2.18.10 Get door transactions (filtered)' })
  @ApiOkResponse({ type: DoorTransactionsRetMsgDto })
  async doorTransactions(@CvInput() dto: DoorTransactionsDto): Promise<RetMsg<DoorTransactionItemDto[]>> {
    const { rows, total, page } = await this.transactions.doorTransactions(filtersOf(dto));
    return retOk(rows, { page: page.pageNo, pageSize: page.pageSize, total });
  }

  @Post(RET_MSG_ROUTES.doorTransactionsV2)
  @ReadByPost()
  @HttpCode(200)
  @ApiOperation({ summary: '2.18.11 Get door transactions (filtered, with total number)' })
  @ApiOkResponse({ type: DoorTransactionsV2RetMsgDto })
  async doorTransactionsV2(@CvInput() dto: DoorTransactionsDto): Promise<RetMsg<V2Page<TransactionV2ItemDto>>> {
    return retOk(await this.transactions.doorTransactionsV2(filtersOf(dto)), {}, 'Operation Succeed');
  }

  @Post(RET_MSG_ROUTES.doorTransactionDetail)
  @ReadByPost()
  @HttpCode(200)
  @ApiOperation({ summary: '2.18.12 Get door transaction detail' })
  @ApiOkResponse({ type: DoorTransactionDetailRetMsgDto })
  async doorTransactionDetail(@CvInput() dto: DoorTransactionDetailDto): Promise<RetMsg<DoorTransactionDetailItemDto>> {
    return retOk(await this.transactions.doorTransactionDetail(dto.content?.id || dto.id));
  }
}
