import { ApiProperty } from '@nestjs/swagger';
import { formatCvDateTime } from '../../common/time';
import type { Person } from '../person.entity';
import { personPhotoPath } from '../person-photo';

/** 2.13.3 person/get: the short view. */
export class PersonBriefDto {
  @ApiProperty({ example: '1234' }) pin!: string;
  @ApiProperty({ example: '1' }) deptCode!: string;
  @ApiProperty({ example: 'department name' }) deptName!: string;
  @ApiProperty({ example: 'name' }) name!: string;
  @ApiProperty({ example: 'person name (English)' }) lastName!: string;
  @ApiProperty({ example: 'F' }) gender!: string;
  @ApiProperty({ example: '123456789' }) cardNo!: string;
}

/**
 * 2.13.4 person/getPersonList item, and 2.13.3 person/get/{pin} too: a client reads the same fields from the
 * single read as from the list (face-enrolment clients read the photo fields and level ids there).
 */
export class PersonListItemDto extends PersonBriefDto {
  @ApiProperty({ example: '', description: 'photo, base64' }) personPhoto!: string;
  @ApiProperty({ example: '', description: 'face comparison photo, base64 (the same photo)' }) vislightPhoto!: string;
  @ApiProperty({ example: '/upload/pers/user/cropface/1/1.jpg', description: 'where the face photo is served (no token, like CVSecurity\'s upload folder); "" without a photo' }) vislightPhotoPath!: string;
  @ApiProperty({ example: '8a888e2384847238018484748507065a', description: "the person's access level ids, comma separated (as in v2 getPersonList)" })
  accLevelIds!: string;
}

/** 2.13.9 v2/person/getPersonList item: the full person. */
export class PersonFullDto {
  @ApiProperty({ example: '8a888e238488391e018488e253ba016d' }) id!: string;
  @ApiProperty({ example: '1' }) pin!: string;
  @ApiProperty({ example: '1' }) deptCode!: string;
  @ApiProperty({ example: 'department name' }) deptName!: string;
  @ApiProperty({ example: 'seven' }) name!: string;
  @ApiProperty({ example: '' }) lastName!: string;
  @ApiProperty({ example: 'F' }) gender!: string;
  @ApiProperty({ example: '2022-11-18', nullable: true, type: String }) birthday!: string | null;
  @ApiProperty({ example: '1111111' }) cardNo!: string;
  @ApiProperty({ example: '' }) supplyCards!: string;
  @ApiProperty({ example: '' }) personPhoto!: string;
  @ApiProperty({ example: 'e10adc3949ba59abbe56e057f20f883e', description: 'self-service password, MD5 hex; every person starts with 123456 (this example), as in CVSecurity' }) selfPwd!: string;
  @ApiProperty({ example: false }) isSendMail!: boolean;
  @ApiProperty({ example: '18094041582' }) mobilePhone!: string;
  @ApiProperty({ example: '' }) personPwd!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) carPlate!: string | null;
  @ApiProperty({ example: '' }) email!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) ssn!: string | null;
  @ApiProperty({ example: '8a888e2384847238018484748507065a' }) accLevelIds!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) accStartTime!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) accEndTime!: string | null;
  @ApiProperty({ example: '' }) certType!: string;
  @ApiProperty({ example: '' }) certNumber!: string;
  @ApiProperty({ example: '', description: 'where the person photo (personPhoto) is served: the gateway keeps one photo, so the vislightPhotoPath; "" without a photo' }) photoPath!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) hireDate!: string | null;
  @ApiProperty({ example: false }) isDisabled!: boolean;
  @ApiProperty({ example: '' }) vislightPhoto!: string;
  @ApiProperty({ example: '/upload/pers/user/cropface/1/1.jpg', description: 'where the face photo is served (no token, like CVSecurity\'s upload folder); "" without a photo' }) vislightPhotoPath!: string;
}

/** What the mappers need besides the entity. */
export interface PersonExtras {
  deptCode: string;
  deptName: string;
  levelIds: string[];
  supplyCards: string[];
}

export function toPersonBrief(p: Person, x: PersonExtras): PersonBriefDto {
  return { pin: p.pin, deptCode: x.deptCode, deptName: x.deptName, name: p.name ?? '', lastName: p.lastName ?? '', gender: p.gender ?? '', cardNo: p.cardNo ?? '' };
}

export function toPersonListItem(p: Person, x: PersonExtras): PersonListItemDto {
  return { ...toPersonBrief(p, x), personPhoto: p.photo ?? '', vislightPhoto: p.photo ?? '', vislightPhotoPath: personPhotoPath(p.pin, p.photo), accLevelIds: x.levelIds.join(',') };
}

export function toPersonFull(p: Person, x: PersonExtras, timeZone: string): PersonFullDto {
  return {
    id: p.id,
    pin: p.pin,
    deptCode: x.deptCode,
    deptName: x.deptName,
    name: p.name ?? '',
    lastName: p.lastName ?? '',
    gender: p.gender ?? '',
    birthday: p.birthday,
    cardNo: p.cardNo ?? '',
    supplyCards: x.supplyCards.join(','),
    personPhoto: p.photo ?? '',
    selfPwd: p.selfPwd,
    isSendMail: p.isSendMail,
    mobilePhone: p.mobilePhone ?? '',
    personPwd: p.password ?? '',
    carPlate: p.carPlate,
    email: p.email ?? '',
    ssn: p.ssn,
    accLevelIds: x.levelIds.join(','),
    accStartTime: formatCvDateTime(p.accStartTime, timeZone),
    accEndTime: formatCvDateTime(p.accEndTime, timeZone),
    certType: p.certType ?? '',
    certNumber: p.certNumber ?? '',
    photoPath: personPhotoPath(p.pin, p.photo),
    hireDate: p.hireDate,
    isDisabled: p.isDisabled,
    vislightPhoto: p.photo ?? '',
    vislightPhotoPath: personPhotoPath(p.pin, p.photo),
  };
}
