import { VisitorModule } from '../visitor/visitor.module';
import { BioTemplateModule } from './bio-template.module';

/** The modules of biometric templates (2.25) and visitors (2.15-2.17). */
export const VISBIO_MODULES = [BioTemplateModule, VisitorModule];
