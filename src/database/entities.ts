import { ApiClient } from '../apiClient/api-client.entity';
import { Area } from '../area/area.entity';
import { Department } from '../department/department.entity';
import { TimeSegment } from '../timeSegment/time-segment.entity';

/**
 * Every entity, listed by hand: the same list serves the app, the TypeORM CLI and the tests, which run
 * from TypeScript sources where a glob over dist/ would find nothing.
 */
export const ENTITIES = [ApiClient, Area, Department, TimeSegment];
