/** Order through lost results on an elevator controller: module-lost-order.ts. */
import { describeLostOrder } from './module-lost-order';

describeLostOrder('ele');
