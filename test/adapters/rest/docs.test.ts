// Every ```yaml block of docs/services/rest.md is a real input, validated with the rest type registered.
import restType from '../../../src/adapters/rest/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { checkDocsPage } from '../../fixtures/http/docs-examples.js';

checkDocsPage('rest.md', [restType as ServiceType<unknown>], 6);
