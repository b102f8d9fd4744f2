/**
 * Seeded fault schedules on an elevator controller, honest at every step (module-schedules.ts, `honest`): besides
 * the schedules of seeded-fault-schedules-elevator, a person deleted and added again with another level before the
 * controller polls, a level's floors changed then the person taken off it, a level re-sent (eleLevel/syncLevel);
 * after every step the convergence answer and each person's device state say synced only of what the controller
 * holds then. SCHEDULE_SEEDS=1-40 (or 1,2,3) and SCHEDULE_STEPS=n play others.
 */
import { describeModuleSchedules } from './module-schedules';

describeModuleSchedules('ele', 'seeded fault schedules on an elevator controller, honest at every step', '3', { honest: true });
