import { Get } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ok } from '../common/envelope';
import { AreaService } from '../area/area.service';
import { DepartmentService } from '../department/department.service';
import { HolidayService } from '../holiday/holiday.service';
import { TimeSegmentService } from '../timeSegment/timeSegment.service';
import { ConsoleController } from './console-http';

/** The reference lists the console's pages and forms pick from: access levels, departments, areas, time segments, holidays. */
@ConsoleController('catalog')
export class ConsoleCatalogController {
  constructor(
    private readonly ds: DataSource,
    private readonly departments: DepartmentService,
    private readonly areas: AreaService,
    private readonly timeSegments: TimeSegmentService,
    private readonly holidays: HolidayService,
  ) {}

  @Get('levels')
  async levels() {
    const rows: Array<{ id: string; name: string; time_segment: string | null; area: string | null; doors: string[] | null; persons: number }> = await this.ds.query(
      `SELECT l.id, l.name, ts.name AS time_segment, a.name AS area,
              (SELECT array_agg(d.name ORDER BY d.name) FROM acc_level_door ld JOIN door d ON d.id = ld.door_id WHERE ld.level_id = l.id) AS doors,
              (SELECT count(*)::int FROM acc_level_person lp WHERE lp.level_id = l.id) AS persons
         FROM acc_level l LEFT JOIN time_segment ts ON ts.id = l.time_segment_id LEFT JOIN area a ON a.id = l.area_id
        ORDER BY l.name`,
    );
    return ok(rows.map((r) => ({ id: r.id, name: r.name, timeSegment: r.time_segment, area: r.area, doors: r.doors ?? [], persons: r.persons })));
  }

  @Get('departments')
  async departmentList() {
    return ok(await this.departments.toResponses((await this.departments.list(undefined)).rows));
  }

  @Get('areas')
  async areaList() {
    return ok(await this.areas.toDetails((await this.areas.list(undefined)).rows));
  }

  @Get('time-segments')
  async timeSegmentList() {
    return ok((await this.timeSegments.list()).map((t) => ({ id: t.id, name: t.name, tzId: t.tzId, remark: t.remark, schedule: t.schedule })));
  }

  @Get('holidays')
  async holidayList() {
    return ok(await this.holidays.list());
  }
}
