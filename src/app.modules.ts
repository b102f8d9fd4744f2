import { ApiClientModule } from './apiClient/api-client.module';
import { DepartmentModule } from './department/department.module';

/**
 * The domain and protocol modules, in one list so that adding a module is one line here. AppModule adds
 * the infrastructure around them.
 */
export const FEATURE_MODULES = [
  ApiClientModule,
  DepartmentModule,
];
