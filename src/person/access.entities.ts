import { AccLevelDoor } from '../accLevel/acc-level-door.entity';
import { AccLevelPerson } from '../accLevel/acc-level-person.entity';
import { AccLevel } from '../accLevel/acc-level.entity';
import { Card } from '../card/card.entity';
import { Holiday } from '../holiday/holiday.entity';
import { SyncItem, SyncOwed } from '../sync/sync-state.entity';
import { Person } from './person.entity';

/** The access-control tables (migration 1763700000200-access). */
export const ACCESS_ENTITIES = [Person, Card, AccLevel, AccLevelDoor, AccLevelPerson, Holiday, SyncItem, SyncOwed];
