/**
 * Seeded fault schedules on an elevator controller (module-schedules.ts plays them): REST writes of the elevator
 * module (persons given and taken elevator levels, a level's floors and time segment changed, persons renamed,
 * disabled, deleted, given cards) interleaved with the controller's faults. The controller ends said synced, holding
 * what the REST writes give it and what it holds synced from scratch, and every event it uploaded is listed once by
 * eleTransaction/list. SCHEDULE_SEEDS=1-40 (or 1,2,3) and SCHEDULE_STEPS=n play others.
 */
import { describeModuleSchedules } from './module-schedules';

// Seed 51 draws all 13 fault kinds, 63 eleven. Swept: seeds 1-40 at 20 steps before the menu's rights deletes and
// offline stretches were drawn, 41-70 after, all passed (67-70 timed out on a machine at load 25; 67 alone passed).
describeModuleSchedules('ele', 'seeded fault schedules on an elevator controller', '51,63');
