import { VISITOR_ENTITIES } from '../visitor/visitor.entities';
import { BioTemplate } from './bio-template.entity';

/** Biometric templates and visitor tables (migration 1763700000500-visbio). */
export const VISBIO_ENTITIES = [BioTemplate, ...VISITOR_ENTITIES];
