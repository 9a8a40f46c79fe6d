/**
 * The data-lifecycle workflows: retention (`recordsPurge`, on a schedule) and erasure (`contactErasure`). Threadline's
 * workflows module exports them beside the bots; a bot author's own module (THREADLINE_WORKFLOWS) must export them
 * too: `export { contactErasure, contactErasureSweep, recordsPurge } from 'threadline/workflows'`.
 */
export { recordsPurge, type RecordsPurgeInput } from './records-purge';
export {
  contactErasure,
  contactErasureSweep,
  type ContactErasureInput,
  type ContactErasureResult,
} from './contact-erasure';
