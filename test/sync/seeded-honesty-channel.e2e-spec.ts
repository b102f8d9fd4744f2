/**
 * Seeded fault schedules on a channel controller, honest at every step (module-schedules.ts, `honest`): besides the
 * schedules of seeded-fault-schedules-channel, a person deleted and added again with another level before the
 * controller polls, a level's gates changed then the person taken off it, a level re-sent (psgLevel/syncLevel), pass
 * rules saved; after every step the convergence answer, each person's device state and each pass rule's `confirmed`
 * say so only of what the controller holds then. SCHEDULE_SEEDS=1-40 (or 1,2,3) and SCHEDULE_STEPS=n play others.
 */
import { describeModuleSchedules } from './module-schedules';

describeModuleSchedules('psg', 'seeded fault schedules on a channel controller, honest at every step', '3', { honest: true });
