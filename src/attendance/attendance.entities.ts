import { AttApply } from './att-apply.entity';
import { AttAreaPerson } from './att-area-person.entity';
import { AttLeaveImage, AttLeaveType } from './att-leave.entity';
import { AttOperlog } from './att-operlog.entity';
import { AttPerson } from './att-person.entity';
import { AttPhoto } from './att-photo.entity';
import { AttPoint } from './att-point.entity';
import { AttTerminal } from './att-terminal.entity';
import { AttTransaction } from './att-transaction.entity';

/** The attendance tables (migration 1763700001300-attendance). */
export const ATTENDANCE_ENTITIES = [AttTransaction, AttOperlog, AttPhoto, AttTerminal, AttPerson, AttAreaPerson, AttApply, AttLeaveType, AttLeaveImage, AttPoint];
