import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { controllerHandlers } from './common/controller-handlers';
import { declareCvInputs, dedupeParameters, unfillOptionalQueryExamples } from './openapi-inputs';

export const GATEWAY_EXTENSIONS_TAG = 'Gateway extensions';

/**
 * The last document this process built, with the route handlers it describes. Building one takes about a third of
 * an application's start (Swagger walks every route and DTO), so a gateway builds it at the first /api-docs request
 * (setupSwagger) and the openapi command when asked; the tests start an application per file in the same
 * worker process, each with the same controllers, hence the same document. Everything in it is read from the
 * handlers' and their DTOs' metadata, set once per process (declareCvInputs, read-forms.ts' twins): the same
 * handler functions, the same version, the same document. Handed out as a copy, so no application changes another's.
 */
let built: { version: string; handlers: Function[]; document: OpenAPIObject } | undefined;

const sameHandlers = (a: readonly Function[], b: readonly Function[]) => a.length === b.length && a.every((h, i) => h === b[i]);

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  declareCvInputs(app);
  const handlers = controllerHandlers(app).map((h) => h.handler);
  if (built?.version === version && sameHandlers(built.handlers, handlers)) return structuredClone(built.document);
  const document = buildDocument(app, version);
  built = { version, handlers, document: structuredClone(document) };
  return document;
}

function buildDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('cvsecurity-gateway')
    .setDescription(
      'The ZKBio CVSecurity third-party REST API, served by an open-source gateway. Every /api call takes the ' +
        'access_token query parameter (acc_token, an api-key or access_token header, Authorization: Bearer or the ' +
        'token alone as the Authorization header, and an access_token field of a form or JSON body are accepted too) and answers ' +
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
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controllerKey, methodKey) => `${controllerKey}_${methodKey}` });
  dedupeParameters(document);
  unfillOptionalQueryExamples(document);
  return document;
}

/**
 * Swagger UI at /api-docs and the document at /api-docs-json and -yaml. A factory is called at the first request
 * to any of them (SwaggerModule keeps what it returns), so a start does not walk every route and DTO for it.
 */
export function setupSwagger(app: INestApplication, document: OpenAPIObject | (() => OpenAPIObject)): void {
  SwaggerModule.setup('api-docs', app, document, { jsonDocumentUrl: 'api-docs-json', yamlDocumentUrl: 'api-docs-yaml' });
}
