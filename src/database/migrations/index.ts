import { Foundation1763700000000 } from './1763700000000-foundation';

/** In order. Each migration is hand-reviewed; the schema drift test proves they match the entities. */
export const MIGRATIONS = [Foundation1763700000000];
