// Every ```yaml block of docs/security.md is a real input (test/helpers/docs-examples.ts says how the
// markers work).
import { checkDocsExamples } from '../helpers/docs-examples.js';

checkDocsExamples('docs/security.md', { minimumBlocks: 6 });
