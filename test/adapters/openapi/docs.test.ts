// Every ```yaml block of docs/services/openapi.md is a real input, validated with the openapi type registered.
import openapiType from '../../../src/adapters/openapi/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { checkDocsPage } from '../../fixtures/http/docs-examples.js';

checkDocsPage('openapi.md', [openapiType as ServiceType<unknown>], 5);
