import { ApiClient } from '../apiClient/api-client.entity';
import { Area } from '../area/area.entity';
import { Department } from '../department/department.entity';
import { TimeSegment } from '../timeSegment/time-segment.entity';
import { PUSH_ENTITIES } from '../push/push.entities';
import { ACCESS_ENTITIES } from '../person/access.entities';
import { PushTarget } from '../pushCenter/push-target.entity';
import { VISBIO_ENTITIES } from '../bioTemplate/visbio.entities';
import { AdMedia } from '../media/ad-media.entity';
import { ParkAuthorize } from '../park/park-authorize.entity';
import { ParkRecord } from '../park/park-record.entity';
import { ATTENDANCE_ENTITIES } from '../attendance/attendance.entities';

/**
 * Every entity, listed by hand: the same list serves the app, the TypeORM CLI and the tests, which run
 * from TypeScript sources where a glob over dist/ would find nothing.
 */
export const ENTITIES = [ApiClient, Area, Department, TimeSegment, ...PUSH_ENTITIES, ...ACCESS_ENTITIES, PushTarget, ...VISBIO_ENTITIES, AdMedia, ParkAuthorize, ParkRecord, ...ATTENDANCE_ENTITIES];
