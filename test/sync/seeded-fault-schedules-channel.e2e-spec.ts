/**
 * Seeded fault schedules on a channel controller (module-schedules.ts plays them): REST writes of the entrance-
 * control module (persons given and taken entrance-control levels, a level's gates and time segment changed, persons
 * renamed, disabled, deleted, given cards) interleaved with the controller's faults. The controller ends said synced,
 * holding what the REST writes give it and what it holds synced from scratch, and every event it uploaded is listed
 * once by psgTransaction/device/{sn}. SCHEDULE_SEEDS=1-40 (or 1,2,3) and SCHEDULE_STEPS=n play others.
 */
import { describeModuleSchedules } from './module-schedules';

// Seeds 44 and 45 draw 11 and 12 of the 13 fault kinds. Swept: seeds 1-40 at 20 steps before the menu's rights
// deletes and offline stretches were drawn, 41-47 after, all passed.
describeModuleSchedules('psg', 'seeded fault schedules on a channel controller', '45,44');
