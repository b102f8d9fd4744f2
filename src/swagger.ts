import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { declareCvInputs, dedupeParameters, unfillOptionalQueryExamples } from './openapi-inputs';

export const GATEWAY_EXTENSIONS_TAG = 'Gateway extensions';

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('cvsecurity-gateway')
    .setDescription(
      'The ZKBio CVSecurity third-party REST API, served by an open-source gateway. Every /api call takes the ' +
        'access_token query parameter (acc_token, an api-key or access_token header and Authorization: Bearer are ' +
        'accepted too) and answers ' +
        '{code, message, data}; code 0 is success, a negative code is a failure from the manual\'s appendix. ' +
        `Endpoints tagged "${GATEWAY_EXTENSIONS_TAG}" are the gateway's own, for what CVSecurity does in its UI.`,
    )
    .setVersion(version)
    .addApiKey({ type: 'apiKey', in: 'query', name: 'access_token' }, 'access_token')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'api-key' }, 'api-key')
    // The same opaque API token as access_token (no JWT: nothing in it can be read by a client).
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque token' }, 'bearer')
    .addSecurityRequirements('access_token')
    .build();
  declareCvInputs(app);
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controllerKey, methodKey) => `${controllerKey}_${methodKey}` });
  dedupeParameters(document);
  unfillOptionalQueryExamples(document);
  return document;
}

export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('api-docs', app, document, { jsonDocumentUrl: 'api-docs-json', yamlDocumentUrl: 'api-docs-yaml' });
}
