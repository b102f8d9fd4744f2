/** Test-only: the spec files copied into `test/fixtures/spec/` (one implementation, shared with the tests). */
export { readSpecJson, specPath } from '../../../../test/fixtures/spec-files';
