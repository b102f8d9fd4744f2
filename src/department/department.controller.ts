import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EnvelopeDto, envelopeOf, ok, v2PageEnvelopeOf, type Envelope } from '../common/envelope';
import { CvInput } from '../common/input.decorator';
import { pageIfAsked, splitList, type V2Page, v2Page, UNCAPPED_PAGE_SIZE } from '../common/paging';
import { DepartmentService } from './department.service';
import {
  DepartmentAddDto,
  DepartmentCodeDto,
  DepartmentListDto,
  DepartmentListItemDto,
  DepartmentResponseDto,
} from './dto/department.dto';
import { ReadByPost } from '../common/read-forms';
import { CvCode } from '../common/cv-error';
import { PathParamAnswer, requirePathValue } from '../common/path-param-answer';

@ApiTags('Department')
@Controller()
export class DepartmentController {
  constructor(private readonly departments: DepartmentService) {}

  @Post('api/department/add')
  @HttpCode(200)
  @ApiOperation({ summary: '2.5.1 Add or update a department (an existing code means update)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async add(@CvInput() dto: DepartmentAddDto): Promise<Envelope<null>> {
    await this.departments.upsert(dto);
    return ok(null);
  }

  @Delete('api/department/delete/:code')
  @PathParamAnswer(CvCode.DeptCodeOrNameEmpty)

  @HttpCode(200)
  @ApiOperation({ summary: '2.5.2 Delete a department by code' })
  @ApiParam({ name: 'code', example: '456' })
  @ApiOkResponse({ type: EnvelopeDto })
  async delete(@Param('code') code: string): Promise<Envelope<null>> {
    await this.departments.delete(requirePathValue(code, CvCode.DeptCodeOrNameEmpty));
    return ok(null);
  }

  @Post('api/department/delete/:code')
  @PathParamAnswer(CvCode.DeptCodeOrNameEmpty)

  @HttpCode(200)
  @ApiOperation({ summary: '2.5.2 Delete a department by code (POST form: the manual heads it "Post Request URL" and the vendor Swagger that clients are generated from says POST)' })
  @ApiParam({ name: 'code', example: '456' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteByPost(@Param('code') code: string): Promise<Envelope<null>> {
    return this.delete(code);
  }

  @Post('api/v2/department/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a department by code (v2 form; code in the query or the body)' })
  @ApiOkResponse({ type: EnvelopeDto })
  async deleteV2(@CvInput() dto: DepartmentCodeDto): Promise<Envelope<null>> {
    await this.departments.delete(dto.code);
    return ok(null);
  }

  @Get('api/department/get/:code')
  @PathParamAnswer(CvCode.DeptCodeOrNameEmpty)

  @ApiOperation({ summary: '2.5.3 Get a department by code' })
  @ApiParam({ name: 'code', example: '456' })
  @ApiOkResponse({ type: envelopeOf(DepartmentResponseDto) })
  async get(@Param('code') code: string): Promise<Envelope<DepartmentResponseDto>> {
    const [dept] = await this.departments.toResponses([await this.departments.requireByCode(requirePathValue(code, CvCode.DeptCodeOrNameEmpty))]);
    return ok(dept);
  }

  @Get('api/v2/department/get')
  @ApiOperation({ summary: 'Get a department by code (v2 form; code in the query)' })
  @ApiOkResponse({ type: envelopeOf(DepartmentResponseDto) })
  async getV2(@CvInput() dto: DepartmentCodeDto): Promise<Envelope<DepartmentResponseDto>> {
    return this.get(dto.code);
  }

  @Post('api/department/getDepartmentList')
  @ReadByPost()
  @HttpCode(200)
  @ApiOperation({
    summary: 'List departments (CVSecurity Swagger): the v2 page object, as clients read data.data; pageNo/pageSize optional (all departments in one page without them)',
  })
  @ApiOkResponse({ type: v2PageEnvelopeOf(DepartmentListItemDto, { page: { description: 'pageNo - 1' } }) })
  async list(@CvInput() dto: DepartmentListDto): Promise<Envelope<V2Page<DepartmentListItemDto>>> {
    const page = pageIfAsked(dto, UNCAPPED_PAGE_SIZE);
    const { rows, total } = await this.departments.list(page, splitList(dto.deptCodes ?? ''));
    const items = await this.departments.toListItems(rows);
    return ok(v2Page(items, total, page ?? { pageNo: 1, pageSize: Math.max(total, 1), offset: 0 }));
  }
}
