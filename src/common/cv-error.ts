/**
 * The manual's error codes (appendix, cvsecurity-api.json "errorCodes") plus the few the gateway needs
 * where the manual has none. Gateway codes mirror the HTTP status they travel with so they cannot
 * collide with the manual's -1..-266 range.
 */
export const CvCode = {
  Success: 0,
  ProgramError: -1,
  DeptCodeOrNameEmpty: -10,
  DeptNameExists: -12,
  DeptNotExist: -13,
  DeptBadParent: -14,
  DeptCannotDelete: -15,
  PinEmpty: -20,
  PersonNotExist: -22,
  CardUsed: -23,
  LevelNotExist: -24,
  NoPersonInLevel: -25,
  PasswordUsed: -26,
  InvalidPhoto: -27,
  PinException: -29,
  FingerprintExists: -31,
  WrongValidType: -32,
  TemplateIndexRange: -33,
  TemplateNoNotExist: -34,
  AuthorizeFailure: -40,
  DeleteLevelFailure: -41,
  PersonOrLevelIdNull: -42,
  LevelIdNull: -43,
  DoorIdNull: -44,
  DoorOpenDuration: -45,
  DoorNameNull: -46,
  DoorNotExist: -47,
  DeviceSnNull: -48,
  AdMediaNotExist: -70,
  AdMediaFormat: -71,
  AreaNotExist: -80,
  PinsNull: -81,
  PinsTooLong: -82,
  AreaIdNull: -83,
  PageNotPositive: -90,
  PageSizeTooLarge: -91,
  PageMissing: -92,
  TimeFormat: -100,
  StartAfterEnd: -101,
  SnRequired: -200,
  ParkOperationType: -220,
  ParkListType: -221,
  ParkTime: -222,
  ParkPlate: -223,
  ReaderIdEmpty: -263,
  ReaderNotExist: -264,
  // Gateway codes (no manual equivalent).
  InvalidParameter: -400,
  Unauthorized: -401,
  NotFound: -404,
  MethodNotAllowed: -405,
  Conflict: -409,
  PayloadTooLarge: -413,
  RateLimited: -429,
  NotImplemented: -501,
  Unavailable: -503,
} as const;

/** A business failure answered as {code, message, data: null}; HTTP 200 as CVSecurity does, unless said otherwise. */
export class CvError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus: number = 200,
  ) {
    super(message);
  }
}

export class NotFoundError extends CvError {
  constructor(what: string, code: number = CvCode.NotFound) {
    super(code, `${what} does not exist`);
  }
}

/**
 * -22 naming the pin: the appendix's text, then what it is about, as the gateway's other messages extend it. A
 * client that writes many persons (or several pins in one call) can tell which one is missing.
 */
export function personNotExist(pin: string): CvError {
  return new CvError(CvCode.PersonNotExist, `The person does not exist: ${pin}`);
}

/** -24 naming the level(s) asked for (an id, a name, or several ids), as -22 names the pin. */
export function levelNotExist(what: string | readonly string[]): CvError {
  return new CvError(CvCode.LevelNotExist, `The level group does not exist: ${typeof what === 'string' ? what : what.join(',')}`);
}
