/** Order through lost results on a channel controller: module-lost-order.ts. */
import { describeLostOrder } from './module-lost-order';

describeLostOrder('psg');
