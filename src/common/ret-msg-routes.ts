/**
 * 2.18.10-2.18.12 answer ZKBio's result message, `{"ret":"fail","msg":...,"data":null,"i18nArgs":null}`, not the
 * {code, message} envelope, for every failure: the ones their handlers raise and the ones raised before any
 * handler runs (an unreadable JSON body, which Fastify refuses while parsing). The paths live here so the
 * controller and the one error path (exception.filter.ts) name the same routes.
 */
export const RET_MSG_ROUTES = {
  doorTransactions: 'api/transaction/getDoorTransactions',
  doorTransactionsV2: 'api/v2/transaction/getDoorTransactions',
  doorTransactionDetail: 'api/transaction/getDoorTransactionDetail',
} as const;

const PATHS = new Set(Object.values(RET_MSG_ROUTES).map((p) => `/${p}`.toLowerCase()));

/** Whether a request path is one of the result-message routes. */
export function answersRetMsg(path: string): boolean {
  return PATHS.has(path.toLowerCase().replace(/\/+$/, ''));
}
