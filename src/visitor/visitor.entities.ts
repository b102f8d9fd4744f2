import { VisLevel } from './vis-level.entity';
import { VisRegistration, VisRegistrationLevel } from './vis-registration.entity';
import { VisReservation } from './vis-reservation.entity';

/** The visitor tables (migration 1763700000500-visbio). */
export const VISITOR_ENTITIES = [VisLevel, VisReservation, VisRegistration, VisRegistrationLevel];
