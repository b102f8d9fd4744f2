import { AccLevelModule } from '../accLevel/acc-level.module';
import { CardModule } from '../card/card.module';
import { HolidayModule } from '../holiday/holiday.module';
import { SyncModule } from '../sync/sync.module';
import { TimeSegmentModule } from '../timeSegment/time-segment.module';
import { PersonModule } from './person.module';

/** Persons, cards, levels, time segments, holidays and the sync planner. */
export const ACCESS_MODULES = [SyncModule, PersonModule, CardModule, AccLevelModule, TimeSegmentModule, HolidayModule];
