import { ApiProperty } from '@nestjs/swagger';

/** CVSecurity's response envelope. code 0 is success; a negative code is a failure from the manual's appendix. */
export interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

export function ok<T>(data: T, message = 'success'): Envelope<T> {
  return { code: 0, message, data };
}

export function fail(code: number, message: string): Envelope<null> {
  return { code, message, data: null };
}

/** Swagger model of the envelope for endpoints whose data is null. */
export class EnvelopeDto {
  @ApiProperty({ example: 0, description: '0 = success, negative = failure (error code appendix)' })
  code!: number;
  @ApiProperty({ example: 'success' })
  message!: string;
  @ApiProperty({ nullable: true, example: null, type: Object })
  data!: unknown;
}
