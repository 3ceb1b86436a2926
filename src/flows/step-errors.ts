import {
  SocureConfigurationError,
  SocureConnectionError,
  SocureError,
  SocureInputError,
  SocureRateLimitError,
  SocureServerError,
  SocureTimeoutError,
} from '../socure/errors.js';

/** What a failed capability step leaves in the node's output (`{{node.error…}}`): safe to show a person. */
export interface StepError {
  /** A plain sentence for the person; never technical text or a value they typed. */
  message: string;
  /** The error class, e.g. SocureServerError. */
  kind: string;
  /** For input errors: the request field at fault and what is wrong with it (without its value). */
  field?: string;
  reason?: string;
}

const PLAIN_FAILURE =
  'We could not complete this step right now. Please try again in a moment; if it keeps happening, contact support.';

/**
 * Splits a capability failure into what the person may see (the output) and what only operators see (the
 * log line and the timeline). Only our own error classes' messages are used: they never hold the key.
 */
export function describeStepError(err: unknown): {
  output: StepError;
  /** Technical detail for the log and the timeline: no personal values. */
  detail: { kind: string; message: string; status?: number; referenceId?: string };
  retryable: boolean;
} {
  if (!(err instanceof SocureError)) {
    return {
      output: { message: PLAIN_FAILURE, kind: 'Error' },
      detail: { kind: 'Error', message: 'unexpected error (see the error log line)' },
      retryable: false,
    };
  }
  const detail = {
    kind: err.name,
    message: err.message,
    ...(err.status === undefined ? {} : { status: err.status }),
    ...(err.referenceId === undefined ? {} : { referenceId: err.referenceId }),
  };
  // The service lacks a key for this step (e.g. ID+ on a RiskOS-only deployment): nothing the person typed is at
  // fault, so no field is named; the operator reads the cause (which setting to set) in the log and the timeline.
  if (err instanceof SocureConfigurationError) {
    return { output: { message: PLAIN_FAILURE, kind: err.name }, detail, retryable: false };
  }
  if (err instanceof SocureInputError) {
    return {
      output: {
        message: `Please check the ${err.field} field (${err.reason}).`,
        kind: err.name,
        field: err.field,
        reason: err.reason,
      },
      detail,
      retryable: false,
    };
  }
  return { output: { message: PLAIN_FAILURE, kind: err.name }, detail, retryable: isTransient(err) };
}

/** Failures that may pass by themselves: Socure busy or down, the network, a timeout. */
function isTransient(err: unknown): boolean {
  return (
    err instanceof SocureRateLimitError ||
    err instanceof SocureServerError ||
    err instanceof SocureConnectionError ||
    err instanceof SocureTimeoutError
  );
}
