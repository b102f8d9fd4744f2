import { Body, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { ok } from '../common/envelope';
import { CvCode, CvError } from '../common/cv-error';
import { formatCvDateTime } from '../common/time';
import { readSnapshot } from '../database/snapshot';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { ToBoolean } from '../common/transforms';
import { PersonLeaveDto, PersonWriteDto } from '../person/dto/person-input.dto';
import { personVersion, PersonQueryService } from '../person/person-query.service';
import type { Person } from '../person/person.entity';
import { PersonService } from '../person/person.service';
import { DeviceStatusService } from '../push/device-status.service';
import { changedMeanwhile } from './form-version';
import { offlineHolders, offlineOf } from './offline-holders';
import { effectiveKindSql } from '../device/device-kind';
import { SyncStatusService } from '../sync/sync-status.service';
import { personSyncSummary } from '../sync/person-sync-summary';
import { ConsoleController } from './console-http';
import { cardValue, cardValueSql } from '../card/card-value';
import { consolePage, likePattern, queryText } from './console-paging';
import { Audit, namedBy, namedInBody } from './console-roles';
import { validationErrorToCvError } from '../common/validation';
import type { ConsoleRequest } from './console-cookie';
import { ConsoleAuditService } from './audit.service';
import { BioTemplateService } from '../bioTemplate/bio-template.service';
import { BIO_TYPE_NAMES } from '../push/protocol/registry';
import { setModuleLevelsOf } from '../elevator/module-level.service';
import { splitList } from '../common/paging';
import { streamCsv } from './console-csv';
import { fullNameMatchSql } from '../common/full-name-sql';
import { exportPersonAccess, personAccessPage } from './person-access';
import { PERSON_CSV_COLUMNS, readPersonCsv, type PersonCsvRecord, type PersonCsvRow } from './person-csv';

/** Rows one import may hold, and rows written per transaction (each group's good rows commit on their own). */
export const IMPORT_MAX_ROWS = 20_000;
const IMPORT_GROUP = 500;

/** A refused row of an import: the file's line, the pin, and the REST API's code and message. */
interface ImportError {
  line: number;
  pin: string | null;
  code: number;
  message: string;
}

/** person/leave's leaveDate and leaveType; the pin is the path's. */
class ConsolePersonLeaveDto extends OmitType(PersonLeaveDto, ['pin'] as const) {}

/**
 * The person form's write: person/add's fields, and `removePhoto`, which takes the stored photo off (and, through
 * the plan, off the devices): the REST API has no way to remove one. The keypad password is cleared as person/add
 * clears it, with `personPwd: ""`.
 */
class ConsolePersonWriteDto extends PersonWriteDto {
  @ApiPropertyOptional({ example: true, description: 'remove the stored photo (from the devices too); a personPhoto sent with it wins' })
  @IsOptional() @ToBoolean() @IsBoolean()
  removePhoto?: boolean;

  @ApiPropertyOptional({ example: '3f786850e387550fdab836ed7e6dc881de23001b', description: "the person's version as GET persons/{pin} answered it: the save is refused -409 if the person changed since" })
  @IsOptional() @IsString() @MaxLength(64)
  version?: string;

  @ApiPropertyOptional({ example: '402856aa6c3bbde1016c3bc2329200ff', description: "the person's elevator levels, comma-separated ids (exactly these: \"\" removes them all); left out, they stay" })
  @IsOptional() @IsString() @MaxLength(20000)
  eleLevelIds?: string;

  @ApiPropertyOptional({ example: '402856aa6c3bbde1016c3bc2329200ff', description: "the person's entrance-control levels, as eleLevelIds" })
  @IsOptional() @IsString() @MaxLength(20000)
  psgLevelIds?: string;
}

/** Persons: server-side search and paging (holds at 100,000 persons: one indexed scan per page), add/edit, delete, where each person is held. */
@ConsoleController('persons')
export class ConsolePersonsController {
  constructor(
    private readonly ds: DataSource,
    private readonly persons: PersonService,
    private readonly query: PersonQueryService,
    private readonly syncStatus: SyncStatusService,
    private readonly deviceStatus: DeviceStatusService,
    private readonly audit: ConsoleAuditService,
    private readonly templates: BioTemplateService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * CVSecurity's Personnel > Export: the persons the list shows (search, department, active or resigned) as CSV,
   * in pin order, with the REST API's field names as headings, so that the file imports back. Streamed in
   * batches of 1000 read by pin (keyset: a batch far into 100,000 persons costs what the first does).
   */
  @Get('csv')
  async csv(@Query() q: Record<string, unknown>, @Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    const { where, params } = personFilter(q);
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM person p ${where}`, params);
    await this.audit.record(req.console!.operator, req.ip, 'person.export', undefined, 'ok', { ...q, rows: total });
    const tz = this.config.timeZone;
    let after: string | null = null;
    await streamCsv<PersonCsvRow>(req, reply, {
      fileName: 'persons.csv',
      columns: PERSON_CSV_COLUMNS,
      total,
      batch: async (_offset, limit) => {
        const rows: Array<Record<string, any>> = await this.ds.query(
          `SELECT p.pin, p.name, p.last_name, d.code AS dept_code, d.name AS dept_name, p.gender, p.card_no, p.mobile_phone, p.email,
                  to_char(p.birthday, 'YYYY-MM-DD') AS birthday, to_char(p.hire_date, 'YYYY-MM-DD') AS hire_date, p.acc_start_time, p.acc_end_time
             FROM person p JOIN department d ON d.id = p.dept_id
             ${where} AND ($${params.length + 1}::text IS NULL OR p.pin > $${params.length + 1}::text)
            ORDER BY p.pin LIMIT $${params.length + 2}`,
          [...params, after, limit],
        );
        after = rows.length ? rows[rows.length - 1].pin : after;
        return rows.map((r) => ({
          pin: r.pin,
          name: r.name,
          lastName: r.last_name,
          deptCode: r.dept_code,
          deptName: r.dept_name,
          gender: r.gender,
          cardNo: r.card_no,
          mobilePhone: r.mobile_phone,
          email: r.email,
          birthday: r.birthday,
          hireDate: r.hire_date,
          accStartTime: formatCvDateTime(r.acc_start_time, tz),
          accEndTime: formatCvDateTime(r.acc_end_time, tz),
        }));
      },
    });
  }

  /**
   * CVSecurity's Personnel > Import: a CSV file (as text) whose rows are person/add writes. A pin that exists is
   * updated, a new one created; a cell left empty keeps what is stored. Each row is validated and written on its
   * own (PersonService.upsertEach): a refused row is reported with its line, pin, code and message, and the good
   * rows are kept, their device commands queued in their transaction.
   */
  @Post('import')
  @HttpCode(200)
  @Audit('person.import', (r) => (typeof r.body?.fileName === 'string' ? r.body.fileName.slice(0, 200) : undefined))
  async importCsv(@Body() body: { csv?: unknown; fileName?: unknown } | undefined) {
    if (typeof body?.csv !== 'string') throw new CvError(CvCode.InvalidParameter, 'csv: the file\'s text is required');
    const file = readPersonCsv(body.csv);
    if ('error' in file) throw new CvError(CvCode.InvalidParameter, file.error);
    if (file.records.length === 0) throw new CvError(CvCode.InvalidParameter, 'The file holds no person: only its heading line');
    if (file.records.length > IMPORT_MAX_ROWS) throw new CvError(CvCode.InvalidParameter, `At most ${IMPORT_MAX_ROWS} persons per file, this one holds ${file.records.length}: split it`);
    const errors: ImportError[] = [];
    let created = 0;
    let updated = 0;
    const depts = await this.departmentCodesByName(file.records);
    for (let i = 0; i < file.records.length; i += IMPORT_GROUP) {
      const group: Array<{ record: PersonCsvRecord; dto: PersonWriteDto }> = [];
      for (const record of file.records.slice(i, i + IMPORT_GROUP)) {
        try {
          group.push({ record, dto: await this.rowDto(record, depts) });
        } catch (e) {
          errors.push(importError(record, e));
        }
      }
      if (group.length === 0) continue;
      const pins = group.map((g) => g.dto.pin);
      const existing = new Set((await this.ds.query(`SELECT pin FROM person WHERE pin = ANY($1)`, [pins])).map((r: { pin: string }) => r.pin));
      const results = await this.persons.upsertEach(group.map((g) => g.dto));
      results.forEach((r, j) => {
        if (!r.ok) errors.push(importError(group[j].record, r.error));
        else if (existing.has(group[j].dto.pin)) updated++;
        else (created++, existing.add(group[j].dto.pin));
      });
    }
    errors.sort((a, b) => a.line - b.line);
    return ok({ rows: file.records.length, created, updated, refused: errors.length, errors, ignoredColumns: file.ignored });
  }

  /** A row as person/add's input, validated as the REST API validates it (-20 empty pin, -100 a time's format…). */
  private async rowDto(record: PersonCsvRecord, depts: Map<string, string[]>): Promise<PersonWriteDto> {
    const { deptName, ...fields } = record.fields;
    if (!fields.deptCode && deptName) {
      const codes = depts.get(deptName) ?? [];
      if (codes.length !== 1) {
        throw new CvError(CvCode.DeptNotExist, codes.length === 0 ? `The department does not exist: ${deptName}` : `Several departments are named ${deptName} (${codes.join(', ')}): give its deptCode`);
      }
      fields.deptCode = codes[0];
    }
    const dto = plainToInstance(PersonWriteDto, { pin: '', ...fields });
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: false });
    if (errors.length) throw validationErrorToCvError(errors);
    return dto;
  }

  /** Department codes by name, for the rows that name their department only by name (CVSecurity's export does). */
  private async departmentCodesByName(records: PersonCsvRecord[]): Promise<Map<string, string[]>> {
    const names = [...new Set(records.flatMap((r) => (!r.fields.deptCode && r.fields.deptName ? [r.fields.deptName] : [])))];
    const out = new Map<string, string[]>();
    if (names.length === 0) return out;
    const rows: Array<{ name: string; code: string }> = await this.ds.query(`SELECT name, code FROM department WHERE name = ANY($1) ORDER BY code`, [names]);
    for (const r of rows) out.set(r.name, [...(out.get(r.name) ?? []), r.code]);
    return out;
  }

  @Get()
  async list(@Query() q: Record<string, unknown>) {
    const page = consolePage(q);
    const left = q.status === 'left';
    const { where, params } = personFilter(q);
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM person p ${where}`, params);
    // The page's ids first (an index walk over pin), then the joins and level counts for those rows only:
    // computed in the outer query, they are not paid for the rows OFFSET skips.
    const rows: Array<{ pin: string; name: string | null; last_name: string | null; dept_code: string; dept_name: string; card_no: string | null; acc_start_time: Date | null; acc_end_time: Date | null; is_disabled: boolean; leave_date: string | null; levels: number; level_names: string[]; ele_level_names: string[]; psg_level_names: string[] }> =
      await this.ds.query(
        `WITH page AS (SELECT p.id, p.pin FROM person p ${where} ORDER BY p.pin OFFSET $${params.length + 1} LIMIT $${params.length + 2})
         SELECT p.pin, p.name, p.last_name, d.code AS dept_code, d.name AS dept_name, p.card_no, p.acc_start_time, p.acc_end_time, p.is_disabled, to_char(p.leave_date, 'YYYY-MM-DD') AS leave_date,
                (SELECT count(*)::int FROM acc_level_person lp WHERE lp.person_id = p.id) AS levels,
                -- The levels by name, as an operator gives them (a count says nothing of which doors).
                ARRAY(SELECT l.name FROM acc_level_person lp JOIN acc_level l ON l.id = lp.level_id WHERE lp.person_id = p.id ORDER BY l.name) AS level_names,
                -- Their elevator and entrance-control levels too: the floors and gates they may use come from those.
                ARRAY(SELECT l.name FROM ele_level_person lp JOIN ele_level l ON l.id = lp.level_id WHERE lp.person_id = p.id ORDER BY l.name) AS ele_level_names,
                ARRAY(SELECT l.name FROM psg_level_person lp JOIN psg_level l ON l.id = lp.level_id WHERE lp.person_id = p.id ORDER BY l.name) AS psg_level_names
           FROM page JOIN person p ON p.id = page.id JOIN department d ON d.id = p.dept_id
          ORDER BY page.pin`,
        [...params, page.offset, page.size],
      );
    // Each row's sync state from the answer the person's detail shows, for the whole page in one snapshot.
    const sync = await this.syncStatus.ofPersons(rows.map((r) => r.pin));
    const tz = this.config.timeZone;
    return ok({
      total,
      page: page.page,
      size: page.size,
      rows: rows.map((r) => ({
        pin: r.pin,
        name: r.name,
        lastName: r.last_name,
        deptCode: r.dept_code,
        deptName: r.dept_name,
        cardNo: r.card_no,
        accStartTime: formatCvDateTime(r.acc_start_time, tz),
        accEndTime: formatCvDateTime(r.acc_end_time, tz),
        isDisabled: r.is_disabled,
        ...(left ? { leaveDate: r.leave_date } : {}),
        levels: r.levels,
        levelNames: r.level_names,
        eleLevelNames: r.ele_level_names,
        psgLevelNames: r.psg_level_names,
        sync: personSyncSummary(sync.get(r.pin) ?? []),
      })),
    });
  }

  /** The doors, floors and gates the person's levels grant, with those levels (CVSecurity's Access rights by person), paged. */
  @Get(':pin/access')
  async access(@Param('pin') pin: string, @Query() q: Record<string, unknown>) {
    return ok(await personAccessPage(this.ds, pin.trim(), q));
  }

  /** The same report, every row, as CSV (its Export). */
  @Get(':pin/access/csv')
  async accessCsv(@Param('pin') pin: string, @Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    await exportPersonAccess(this.ds, this.audit, pin.trim(), req, reply);
  }

  /**
   * The person as the REST API shows them but for the device password (`hasPersonPwd` says whether one is set;
   * a resigned person too, with `left`), plus the panels the planner placed
   * them on and whether those hold them yet (the sync status of /api/gateway/persons/{pin}/devices).
   */
  @Get(':pin')
  async get(@Param('pin') pin: string) {
    // One snapshot for the person and their panels: holdsDisabled pairs the person's flag with each panel's state, and
    // read apart a disable or enable committing between the two reads showed an enabled person's panel "disable on
    // its way", or a disabled one's as plainly holding them.
    const moduleLevels = async (m: EntityManager, module: 'ele' | 'psg'): Promise<string[]> =>
      (await m.query(`SELECT lp.level_id FROM ${module}_level_person lp JOIN person p ON p.id = lp.person_id WHERE p.pin = $1 ORDER BY lp.level_id`, [pin])).map((r: { level_id: string }) => r.level_id);
    const { person, left, devices, eleLevelIds, psgLevelIds, biometrics } = await readSnapshot(this.ds, async (m) => ({
      ...(await this.query.fullWithLeaveIn(m, pin)),
      devices: await this.syncStatus.ofPersonIn(m, pin),
      eleLevelIds: await moduleLevels(m, 'ele'),
      psgLevelIds: await moduleLevels(m, 'psg'),
      // The person's templates by kind (CVSecurity's person form shows the fingerprints and faces enrolled): how many of
      // each, and which template numbers (for fingerprints the finger, 0-9, which its own Delete takes out).
      biometrics: (
        await m.query(
          `SELECT b.bio_type, count(*)::int AS n, array_agg(DISTINCT b.template_no ORDER BY b.template_no) AS nos
             FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = $1 GROUP BY b.bio_type ORDER BY b.bio_type`,
          [pin],
        )
      ).map((r: { bio_type: number; n: number; nos: number[] }) => ({ bioType: Number(r.bio_type), name: BIO_TYPE_NAMES[Number(r.bio_type)] ?? String(r.bio_type), templates: r.n, templateNos: r.nos.map(Number) })),
    }));
    // Whether each panel is online: commands waiting for an offline panel are not "on their way" until it polls again.
    const online = await Promise.all(devices.map((d) => this.deviceStatus.isOnlineNow(d.deviceSn)));
    // Each device's kind: an attendance terminal holds the person's user record and no door rights, so the form
    // says so rather than "should hold: none" beside "holds them".
    const kinds = new Map<string, string>(
      (await this.ds.query(`SELECT d.sn, ${effectiveKindSql('d')} AS kind FROM device d WHERE d.sn = ANY($1)`, [devices.map((d) => d.deviceSn)])).map((r: { sn: string; kind: string }) => [r.sn, r.kind]),
    );
    // The rights are the panel's door numbers and time zone ids: the form names them as the operator knows them,
    // each door by its name (PANELA0001-1, or what it was renamed to) and each time zone by its time segment.
    const doorRows: Array<{ sn: string; door_no: number; name: string }> = await this.ds.query(
      `SELECT d.sn, r.door_no, r.name FROM door r JOIN device d ON d.id = r.device_id WHERE d.sn = ANY($1)`,
      [devices.map((d) => d.deviceSn)],
    );
    const doorNames = new Map<string, Record<number, string>>();
    for (const r of doorRows) doorNames.set(r.sn, { ...doorNames.get(r.sn), [Number(r.door_no)]: r.name });
    const segments: Array<{ tz_id: number; name: string }> = await this.ds.query(`SELECT tz_id, name FROM time_segment`);
    const timeSegments = Object.fromEntries(segments.map((t) => [Number(t.tz_id), t.name]));
    // The keypad password opens doors (card + password, password only): it never leaves the server, to a viewer
    // least of all; the form only needs to know whether one is set.
    const { personPwd, ...shown } = person;
    return ok({
      person: { ...shown, hasPersonPwd: personPwd !== '', eleLevelIds, psgLevelIds, biometrics },
      version: personVersion(person),
      left,
      timeSegments,
      // A disabled person stays on the panels as a disabled user (Disable=1): `holds` says the device confirmed the user
      // record the database gives it, which for a disabled person is the record with Disable=1. So whether it holds
      // them disabled yet (false while the disable is not confirmed); null when the person is not disabled or the
      // device must not hold them at all.
      devices: devices.map((d, i) => ({
        ...d,
        online: online[i],
        kind: kinds.get(d.deviceSn) ?? null,
        doorNames: doorNames.get(d.deviceSn) ?? {},
        holdsDisabled: person.isDisabled && d.desired ? d.holds : null,
      })),
    });
  }

  /**
   * Add or edit (the REST API's person/add rules and validation: department, cards, photo, levels, validity).
   * The "New person" form sends `?new=1`: a pin that is already someone's (in service or resigned) is refused
   * -409 and nothing changes, where person/add would edit that person (an operator typing a taken pin must not
   * overwrite them and take their levels away). An open person's form sends `?edit=1`: one deleted meanwhile
   * (by this operator from the list, or by another) is refused -22, where person/add would create them again.
   */
  @Post()
  @HttpCode(200)
  @Audit('person.save', (r) => r.body?.pin, namedInBody('person', 'person', 'pin'))
  async save(@Body() body: ConsolePersonWriteDto, @Query('new') isNew?: string, @Query('edit') isEdit?: string) {
    const { removePhoto, version, eleLevelIds, psgLevelIds, ...dto } = body;
    const [taken]: Array<{ left: boolean }> = await this.ds.query(`SELECT p.status <> 'active' AS left FROM person p WHERE p.pin = $1`, [dto.pin?.trim() ?? '']);
    if ((isNew === '1' || isNew === 'true') && taken) {
      throw new CvError(CvCode.Conflict, `A person with pin ${dto.pin.trim()} already exists${taken.left ? ' (resigned: reinstate them instead)' : ': open them to edit'}; nothing was saved`);
    }
    if ((isEdit === '1' || isEdit === 'true') && !taken) throw deletedMeanwhile(dto.pin.trim());
    // The form's version: a save over a change made since the form was read (by another operator, the REST API, a
    // level's Persons form) would put back, unseen, what that change did; it is refused, checked with the person locked.
    const expect = version === undefined ? undefined : async (m: EntityManager, stored: Person | null) => {
      if (!stored) throw deletedMeanwhile(dto.pin.trim());
      if ((await this.query.versionOf(m, stored)) !== version) {
        throw changedMeanwhile(`Person ${dto.pin.trim()}`, 'them');
      }
    };
    // The elevator and entrance-control levels ticked are written in the person's transaction, planned with the rest of the person.
    const modules = ([['ele', eleLevelIds], ['psg', psgLevelIds]] as const).filter(([, ids]) => ids !== undefined);
    const also = modules.length === 0 ? undefined : async (m: EntityManager, saved: Person) => {
      for (const [module, ids] of modules) await setModuleLevelsOf(m, module, saved.id, splitList(ids!));
    };
    await this.persons.upsert(dto, 'add', { removePhoto, expect, also });
    // A device decides by itself: one offline keeps what it held (the old card, the old levels) until it polls
    // again. The answer names those of the person's devices that are offline with the change not yet confirmed.
    const waiting = (await this.syncStatus.ofPerson(dto.pin.trim())).filter((d) => d.state !== 'synced').map((d) => ({ sn: d.deviceSn, alias: d.deviceAlias }));
    return ok({ offlineReceivers: await offlineOf(this.deviceStatus, waiting) });
  }

  /**
   * The REST API's person/leave (2.13.6): the person stays, resigned, with their levels, and leaves every device.
   * The answer names the offline panels that still hold them (offline-holders.ts); delete answers the same.
   */
  @Post(':pin/leave')
  @HttpCode(200)
  @Audit('person.leave', (r) => r.params.pin, namedBy('person', 'person', 'pin'))
  async leave(@Param('pin') pin: string, @Body() dto: ConsolePersonLeaveDto) {
    await this.persons.leave({ ...dto, pin: pin.trim() });
    return ok({ offlineHolders: await offlineHolders(this.ds, this.deviceStatus, [pin.trim()]) });
  }

  /**
   * The person's templates of one kind go (bioTemplate/delete's 2.25.3 by bioType: a fingerprint enrolled on the wrong
   * person, a face to be taken again), on every device that holds the person, in the same transaction.
   */
  @Post(':pin/biometrics/delete')
  @HttpCode(200)
  @Audit('person.deleteTemplates', (r) => `${r.params.pin} ${r.body?.bioType ?? ''}`.trim(), namedBy('person', 'person', 'pin'))
  async deleteTemplates(@Param('pin') pin: string, @Body() body: { bioType?: unknown } | undefined) {
    const bioType = body?.bioType;
    if (typeof bioType !== 'number' && typeof bioType !== 'string') throw new CvError(CvCode.InvalidParameter, 'bioType: name the kind of templates to delete');
    await this.templates.deleteAll(pin.trim(), String(bioType));
    return ok(null);
  }

  /**
   * One finger's fingerprint (every template of that finger), as bioTemplate/deleteByPin with a templateNo (2.25.2):
   * the devices holding the person are told, in the same transaction, to delete that finger only (`DATA DELETE
   * templatev10 Pin= FingerID=`, or biodata `Type=1 No=`). -34 when the finger has none.
   */
  @Post(':pin/biometrics/fingers/delete')
  @HttpCode(200)
  @Audit('person.deleteFinger', (r) => `${r.params.pin} ${r.body?.templateNo ?? ''}`.trim(), namedBy('person', 'person', 'pin'))
  async deleteFinger(@Param('pin') pin: string, @Body() body: { templateNo?: unknown } | undefined) {
    const templateNo = body?.templateNo;
    if (typeof templateNo !== 'number' && typeof templateNo !== 'string') throw new CvError(CvCode.InvalidParameter, 'templateNo: name the finger (0-9) whose fingerprint to delete');
    await this.templates.deleteFinger(pin.trim(), String(templateNo));
    return ok(null);
  }

  /** The REST API's person/reinstated (2.13.10), changing nothing else: the person is back, with the levels they had. */
  @Post(':pin/reinstate')
  @HttpCode(200)
  @Audit('person.reinstate', (r) => r.params.pin, namedBy('person', 'person', 'pin'))
  async reinstate(@Param('pin') pin: string) {
    await this.persons.upsert({ pin: pin.trim() }, 'reinstated');
    return ok(null);
  }

  @Delete(':pin')
  @Audit('person.delete', (r) => r.params.pin, namedBy('person', 'person', 'pin'))
  async delete(@Param('pin') pin: string) {
    await this.persons.delete([pin.trim()]);
    return ok({ offlineHolders: await offlineHolders(this.ds, this.deviceStatus, [pin.trim()]) });
  }
}

/**
 * The list's filter (search by pin, name or card, department, active or resigned), shared by the page and its
 * CSV export so that the file holds what the list shows.
 */
function personFilter(q: Record<string, unknown>): { where: string; params: unknown[] } {
  const text = queryText(q.q);
  const params: unknown[] = [];
  // Active persons, or (status=left) the resigned ones: kept with their pin and levels for a reinstatement.
  const left = q.status === 'left';
  const parts = [left ? `p.status = 'left'` : `p.status = 'active'`];
  if (text) {
    const prefix = `$${params.push(likePattern(text, 'prefix'))}`;
    const anywhere = `$${params.push(likePattern(text, 'anywhere'))}`;
    // A card is also found by the number it stands for, main or secondary: the panel's events and the reader
    // give 998877 for the card stored as 00998877 (one card to the gateway, card-value.ts).
    const value = cardValue(text);
    const byCard = value ? ` OR p.id IN (SELECT c.person_id FROM card c WHERE ${cardValueSql('c.card_no')} = $${params.push(value)})` : '';
    // The list shows "first last": what an operator copies from it, or types as a name is said (last name
    // first too, 张伟 with no space), must find the person, not only one of the two fields alone.
    parts.push(`(p.pin LIKE ${prefix} OR ${fullNameMatchSql('p.name', 'p.last_name', anywhere)} OR p.card_no LIKE ${prefix}${byCard})`);
  }
  const dept = queryText(q.deptCode);
  if (dept) parts.push(`p.dept_id = (SELECT id FROM department WHERE code = $${params.push(dept)})`);
  const where = `WHERE ${parts.join(' AND ')}`;
  return { where, params };
}

/** An open person's save that finds them gone: -22, not created again. */
function deletedMeanwhile(pin: string): CvError {
  return new CvError(CvCode.PersonNotExist, `The person does not exist: ${pin} (deleted meanwhile); nothing was saved`);
}

function importError(record: PersonCsvRecord, e: unknown): ImportError {
  const pin = record.fields.pin ?? null;
  if (e instanceof CvError) return { line: record.line, pin, code: e.code, message: e.message };
  return { line: record.line, pin, code: CvCode.ProgramError, message: e instanceof Error ? e.message : String(e) };
}
