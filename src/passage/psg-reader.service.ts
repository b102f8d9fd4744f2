import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import type { Page } from '../common/paging';
import { effectiveKindSql } from '../device/device-kind';
import type { PsgReaderResponseDto } from './dto/passage.dto';
import { readSnapshot } from '../database/snapshot';
import { pointSql, type PointFilter } from '../common/point-filter';

const FROM = `FROM reader r JOIN door g ON g.id = r.door_id JOIN device d ON d.id = g.device_id
  WHERE d.admission <> 'pending' AND ${effectiveKindSql('d')} = 'psg'`;
const COLUMNS = `r.id, r.door_id AS "gateId", r.name, r.reader_no AS "readerNo", r.in_out AS "readerState"`;

/** 2.33: the in and out readers of the gates (the readers of a channel controller's doors). */
@Injectable()
export class PsgReaderService {
  constructor(private readonly ds: DataSource) {}

  /** 2.33.1 / 2.33.2: narrowed to a reader name and a controller SN when given (exact). */
  async list(page: Page, only: PointFilter = {}): Promise<{ rows: PsgReaderResponseDto[]; total: number }> {
    const params: unknown[] = [];
    const from = FROM + pointSql(params, { name: 'r.name', sn: 'd.sn' }, only);
    return readSnapshot(this.ds, async (m) => {
      const rows = await m.query(`SELECT ${COLUMNS} ${from} ORDER BY d.created_at, d.sn, g.door_no, r.reader_no OFFSET $${params.length + 1} LIMIT $${params.length + 2}`, [...params, page.offset, page.pageSize]);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n ${from}`, params);
      return { rows, total: n };
    });
  }

  /** -263 without an id, -264 when no gate reader has it. */
  async requireById(id: string | undefined): Promise<PsgReaderResponseDto> {
    if (!id) throw new CvError(CvCode.ReaderIdEmpty, 'Reader ID cannot empty');
    const [row] = await this.ds.query(`SELECT ${COLUMNS} ${FROM} AND r.id = $1`, [id]);
    if (!row) throw new CvError(CvCode.ReaderNotExist, 'Did not exist this reader');
    return row;
  }
}
