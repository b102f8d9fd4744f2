import 'reflect-metadata';
import { ApiProperty } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { envelopeOf, listEnvelopeOf, v2PageEnvelopeOf, v2PageOf } from './envelope';

class WidgetResponseDto {
  @ApiProperty() id!: string;
}

// @nestjs/swagger's metadata key for @ApiProperty (its constants are not exported from the package root).
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

const swaggerProps = (cls: new (...args: never[]) => unknown, prop: string) =>
  Reflect.getMetadata(API_MODEL_PROPERTIES, cls.prototype, prop) as Record<string, unknown>;

describe('envelope Swagger models', () => {
  it('names each model after its item, so Swagger shows one schema per item type', () => {
    expect(envelopeOf(WidgetResponseDto).name).toBe('WidgetEnvelopeDto');
    expect(listEnvelopeOf(WidgetResponseDto).name).toBe('WidgetListEnvelopeDto');
    expect(v2PageOf(WidgetResponseDto).name).toBe('WidgetPageDto');
    expect(v2PageEnvelopeOf(WidgetResponseDto).name).toBe('WidgetPageEnvelopeDto');
  });

  it('types data as the item, a list of it, or a page of it', () => {
    expect(swaggerProps(envelopeOf(WidgetResponseDto), 'data').type).toBe(WidgetResponseDto);
    expect(swaggerProps(listEnvelopeOf(WidgetResponseDto), 'data').type).toBe(WidgetResponseDto);
    expect(swaggerProps(listEnvelopeOf(WidgetResponseDto), 'data').isArray).toBe(true);
    expect(swaggerProps(v2PageEnvelopeOf(WidgetResponseDto), 'data').type).toBe(v2PageOf(WidgetResponseDto));
    expect(swaggerProps(envelopeOf(WidgetResponseDto), 'code').example).toBe(0);
  });

  it('returns the same class for the same item, and refuses two different models under one name', () => {
    expect(envelopeOf(WidgetResponseDto)).toBe(envelopeOf(WidgetResponseDto));
    class WidgetDto {}
    expect(() => envelopeOf(WidgetDto)).toThrow(/WidgetEnvelopeDto is defined twice/);
    expect(() => v2PageOf(WidgetResponseDto, { size: { example: 5 } })).toThrow(/WidgetPageDto is defined twice/);
  });

  it('applies a page\'s own examples over the defaults', () => {
    class GadgetDto {}
    const page = v2PageOf(GadgetDto, { size: { example: 50 }, page: { description: 'pageNo - 1' } });
    expect(swaggerProps(page, 'size').example).toBe(50);
    expect(swaggerProps(page, 'page')).toMatchObject({ example: 0, description: 'pageNo - 1' });
    expect(swaggerProps(page, 'total').example).toBe(1);
  });
});
