import { Base64Input } from '../../common/base64-text';
import { DeviceSafe } from '../../common/device-safe.decorator';
import { ClientForms, ListInput } from '../../common/client-forms';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CvCode } from '../../common/cv-error';
import { MAX_LIST_CHARS, MAX_PHOTO_CHARS, MAX_TIME_CHARS } from '../../common/limits';
import { PagingText } from '../../common/paging';
import { IsCvPin } from '../../common/pin.decorator';
import { IsCardNo } from '../../common/card.decorator';
import { ToBoolean, ToTrimmedString } from '../../common/transforms';

/**
 * Swagger's example photo: a real (1 × 1 pixel) PNG, so that "Try it out" on person/add stores a person instead of
 * answering -27 for the manual's placeholder text.
 */
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A time too long to be one is a time format error (-100), as a malformed one is. */
const TOO_LONG_TIME = { context: { code: CvCode.TimeFormat } };

/** `pin`, required everywhere (-20 when empty). */
export class PersonPinDto {
  @ApiProperty({ example: '1234', description: 'personnel number' })
  @IsCvPin()
  pin!: string;
}

/**
 * Every person field a write accepts: 2.13.1 person/add, 2.13.7 addPersonnelBasicInfo, 2.13.10 reinstated,
 * and the extra fields real clients send (field notes, REST item 9). An absent field keeps the stored value;
 * `""` clears it (cardNo, supplyCards, carPlate, accLevelIds, ...).
 */
export class PersonWriteDto extends PersonPinDto {
  @ApiPropertyOptional({ example: '1', description: 'department code (must exist, -13); a new person without it goes to department 1' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100)
  deptCode?: string;

  @ApiPropertyOptional({ example: 'max', description: 'first name' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100)
  @DeviceSafe()
  name?: string;

  @ApiPropertyOptional({ example: 'lastName', description: 'last name' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100)
  @DeviceSafe()
  lastName?: string;

  @ApiPropertyOptional({ example: 'F', description: '"M" male or "F" female ("male"/"female" too, any case); "", "U", "Unknown", "N/A", "0" or "9": not known (cleared); anything else -400' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(8)
  gender?: string;

  @ApiPropertyOptional({ example: '123456789', description: 'main card number; absent = keep, "" (or 0, no card to a panel) = delete; -23 when another person has it' })
  @IsOptional() @IsCardNo()
  cardNo?: string;

  @ApiPropertyOptional({ example: '987643', description: 'secondary cards, comma separated (or an array); absent = keep, "" = delete' })
  @IsOptional() @ListInput() @IsString() @MaxLength(2000)
  @DeviceSafe()
  supplyCards?: string;

  @ApiPropertyOptional({ example: ONE_PIXEL_PNG, description: 'photo (JPEG/PNG) as base64; sent to face devices as the comparison photo (-27 when unusable)' })
  @IsOptional() @Base64Input() @IsString() @MaxLength(MAX_PHOTO_CHARS, { context: { code: CvCode.InvalidPhoto } })
  personPhoto?: string;

  @ApiPropertyOptional({ example: '402856aa6c3c5063016c3cb3a0360005,402856aa6bff4b1a016bff5374800c0e', description: 'access level ids, comma separated (or an array): the complete new set ("" = none); -24 for an unknown id' })
  @IsOptional() @ListInput() @IsString() @MaxLength(MAX_LIST_CHARS)
  accLevelIds?: string;

  @ApiPropertyOptional({ example: '2017-08-04 15:45:00', description: 'start of access validity, yyyy-MM-dd HH:mm:ss ("" = none)' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(MAX_TIME_CHARS, TOO_LONG_TIME)
  accStartTime?: string;

  @ApiPropertyOptional({ example: '2017-08-04 23:59:59', description: 'end of access validity, yyyy-MM-dd HH:mm:ss ("" = none); -101 before the start' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(MAX_TIME_CHARS, TOO_LONG_TIME)
  accEndTime?: string;

  @ApiPropertyOptional({ example: '123456', description: 'device (keypad) password; -26 when another person has it' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(32)
  @DeviceSafe()
  personPwd?: string;

  @ApiPropertyOptional({ example: '123456', description: 'alias of personPwd sent by some clients' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(32)
  @DeviceSafe()
  password?: string;

  @ApiPropertyOptional({ example: '2016-07-15', description: 'yyyy-MM-dd' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(MAX_TIME_CHARS, TOO_LONG_TIME)
  birthday?: string;

  @ApiPropertyOptional({ example: '2019-06-10', description: 'yyyy-MM-dd (a leading space is trimmed)' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(MAX_TIME_CHARS, TOO_LONG_TIME)
  hireDate?: string;

  @ApiPropertyOptional({ example: '2', description: 'document type code (2 ID card, 3 passport, ...); numbers accepted' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(10)
  certType?: string;

  @ApiPropertyOptional({ example: '123456' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64)
  certNumber?: string;

  @ApiPropertyOptional({ example: '123@zkteco.com' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(100)
  email?: string;

  @ApiPropertyOptional({ example: '15123456789' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(32)
  mobilePhone?: string;

  @ApiPropertyOptional({ example: false, description: 'on the disabled list (sent to devices as Disable=1)' })
  @IsOptional() @ToBoolean() @IsBoolean()
  isDisabled?: boolean;

  @ApiPropertyOptional({ example: true })
  @IsOptional() @ToBoolean() @IsBoolean()
  isSendMail?: boolean;

  @ApiPropertyOptional({ example: '111111' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64)
  ssn?: string;

  @ApiPropertyOptional({ example: '987654', description: 'licence plates, comma separated (or an array); "" deletes them' })
  @IsOptional() @ListInput() @IsString() @MaxLength(255)
  carPlate?: string;

  @ApiPropertyOptional({ example: '123456', description: 'self-service password, in plain text; kept and answered as its MD5 hex (selfPwd), as CVSecurity does; every person starts with 123456; absent or "" keeps it' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64)
  selfPwd?: string;

  @ApiPropertyOptional({ example: '110101199001011234', description: 'ID number, sent by some clients for the identity document number: stored as certNumber when no certNumber is given; "" changes nothing' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(64)
  idNo?: string;
}

export class PersonLeaveDto extends PersonPinDto {
  @ApiPropertyOptional({ example: '2019-06-10', description: 'yyyy-MM-dd' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(MAX_TIME_CHARS, TOO_LONG_TIME)
  leaveDate?: string;

  @ApiPropertyOptional({ example: '1', description: 'leave type code (values undocumented)' })
  @IsOptional() @ToTrimmedString() @IsString() @MaxLength(32)
  leaveType?: string;
}

export class PersonPhotoDto extends PersonPinDto {
  @ApiPropertyOptional({ example: 'string', description: 'photo as base64; empty changes nothing' })
  @IsOptional() @Base64Input() @IsString() @MaxLength(MAX_PHOTO_CHARS, { context: { code: CvCode.InvalidPhoto } })
  personPhoto?: string;
}

export class PersonListDto {
  @ApiPropertyOptional({ example: '1,2,3', description: 'pins, comma separated (or an array)' })
  @IsOptional() @ListInput() @IsString() @MaxLength(MAX_LIST_CHARS)
  pins?: string;

  @ApiPropertyOptional({ example: '1,2', description: 'department codes, comma separated (or an array)' })
  @IsOptional() @ListInput() @IsString() @MaxLength(MAX_LIST_CHARS)
  deptCodes?: string;

  @ApiProperty({ example: 1 })
  @PagingText(ToTrimmedString())
  pageNo?: string;

  @ApiProperty({ example: 10 })
  @PagingText(ToTrimmedString())
  pageSize?: string;
}

/** `{"pins": "1,2"}`, or the pins as a bare JSON array body (`["1","2"]`, a `List<String>` request body, as addPersons takes its list). */
@ClientForms({ arrayBody: 'pins' })
export class PersonPinsDto {
  @ApiProperty({ example: '1,2,3', description: 'pins, comma separated or an array (at most 500)' })
  @ListInput()
  @IsString({ context: { code: CvCode.PinsNull } })
  @IsNotEmpty({ context: { code: CvCode.PinsNull } })
  @MaxLength(MAX_LIST_CHARS, { context: { code: CvCode.PinsTooLong } })
  pins!: string;
}
