import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError, levelNotExist } from '../common/cv-error';
import type { Page } from '../common/paging';
import { intoOf, unnestOf } from '../database/columns';
import { VisLevel } from './vis-level.entity';
import { splitList } from '../common/paging';

/**
 * Which levels are visitor levels. The manual's API can read visitor levels (2.16.1, "level group") and use them
 * (2.17.1 visLevels) but has no call to make one; CVSecurity makes them in its UI, where a visitor level groups access
 * levels and elevator levels (and, with entrance control, passage levels): the visitor gets them on every device of
 * those levels. So a visitor level here is an access level (doors), an elevator level (floors, 2.2) or an
 * entrance-control level (gates, 2.32), by its id. So that a fresh install serves a visitor system through the
 * manual's endpoints alone, every such level is a visitor level until an operator narrows the set (gateway extension
 * `visLevel/add`): from then on only the levels in table vis_level are, and withdrawing all of them
 * (`visLevel/delete`) offers every level again.
 */
const IS_VISITOR_LEVEL = `(NOT EXISTS (SELECT 1 FROM vis_level) OR EXISTS (SELECT 1 FROM vis_level v WHERE v.level_id = l.id))`;
/** Every level a visitor level may be: access, elevator and entrance-control levels (ids are unique across them). */
const ANY_LEVEL = `(SELECT id, name FROM acc_level UNION ALL SELECT id, name FROM ele_level UNION ALL SELECT id, name FROM psg_level)`;

const OFFER_LEVELS = `INSERT INTO ${intoOf(VisLevel, ['levelId'])} SELECT ${unnestOf(VisLevel, ['levelId'])} ON CONFLICT DO NOTHING`;

/** 2.16 visitor levels: access, elevator and entrance-control levels offered to visitors (see IS_VISITOR_LEVEL). */
@Injectable()
export class VisLevelService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  list(page: Page): Promise<Array<{ id: string; name: string }>> {
    return this.ds.query(`SELECT l.id, l.name FROM ${ANY_LEVEL} l WHERE ${IS_VISITOR_LEVEL} ORDER BY l.name, l.id LIMIT $1 OFFSET $2`, [
      page.pageSize,
      page.offset,
    ]);
  }

  /** Gateway extension: offer levels (access, elevator, entrance-control) to visitors (the first call narrows the set from every level). -24 when one does not exist. */
  async add(levelIds: unknown): Promise<void> {
    const ids = this.requireIds(levelIds);
    await this.ds.transaction(async (m) => {
      await this.requireLevels(m, ids);
      await m.query(OFFER_LEVELS, [ids]);
    });
  }

  /** Gateway extension: withdraw levels from visitors (visits already checked in keep them). -24 when one does not exist. */
  async remove(levelIds: unknown): Promise<void> {
    const ids = this.requireIds(levelIds);
    await this.ds.transaction(async (m) => {
      await this.requireLevels(m, ids);
      await m.query(`DELETE FROM vis_level WHERE level_id = ANY($1)`, [ids]);
    });
  }

  /** The visitor levels named (-24 when one is not a visitor level). */
  async requireVisLevels(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows: Array<{ id: string }> = await m.query(`SELECT l.id FROM ${ANY_LEVEL} l WHERE l.id = ANY($1) AND ${IS_VISITOR_LEVEL}`, [ids]);
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw levelNotExist(missing);
  }

  private requireIds(levelIds: unknown): string[] {
    const ids = splitList(levelIds);
    if (ids.length === 0) throw new CvError(CvCode.LevelIdNull, "Access level id can't be null");
    return ids;
  }

  private async requireLevels(m: EntityManager, ids: string[]): Promise<void> {
    const rows: Array<{ id: string }> = await m.query(`SELECT l.id FROM ${ANY_LEVEL} l WHERE l.id = ANY($1)`, [ids]);
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw levelNotExist(missing);
  }
}
