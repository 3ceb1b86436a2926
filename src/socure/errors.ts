/**
 * One error class per kind of failure, as in openai-node. Every error carries what Socure said
 * (status, referenceId, msg, body) and never the API key: messages are built only from response data.
 */
export interface SocureErrorDetails {
  status?: number;
  referenceId?: string;
  msg?: string;
  /** The parsed JSON body, or the raw text when the body was not JSON. */
  body?: unknown;
  cause?: unknown;
}

export class SocureError extends Error {
  readonly status: number | undefined;
  readonly referenceId: string | undefined;
  readonly msg: string | undefined;
  readonly body: unknown;

  constructor(message: string, details: SocureErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.referenceId = details.referenceId;
    this.msg = details.msg;
    this.body = details.body;
  }
}

/** A non-2xx answer from Socure. Subclasses narrow it by status. */
export class SocureApiError extends SocureError {}

/** 400: Socure names the offending fields in `data.parameters`. */
export class SocureBadRequestError extends SocureApiError {
  readonly parameters: string[];
  constructor(message: string, details: SocureErrorDetails & { parameters?: string[] }) {
    super(message, details);
    this.parameters = details.parameters ?? [];
  }
}
/** 401: the key is missing, wrong, or for another environment. */
export class SocureAuthenticationError extends SocureApiError {}
/** 403: usually the calling IP or domain is not on the account's allowlist. */
export class SocurePermissionDeniedError extends SocureApiError {}
export class SocureNotFoundError extends SocureApiError {}
export class SocureRateLimitError extends SocureApiError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: SocureErrorDetails & { retryAfterMs?: number }) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}
export class SocureServerError extends SocureApiError {}

/** The request never got an HTTP answer (refused, reset, DNS…). */
export class SocureConnectionError extends SocureError {}
/** No answer within `timeoutMs` (one attempt) or within the overall deadline. */
export class SocureTimeoutError extends SocureError {}

/** A 2xx answer that breaks the documented contract; `body` holds the raw response. */
export class SocureResponseValidationError extends SocureError {
  readonly issues: string[];
  constructor(message: string, details: SocureErrorDetails & { issues: string[] }) {
    super(message, details);
    this.issues = details.issues;
  }
}

/** Input refused before any network call. `field` is the request field (or option) at fault. */
export class SocureInputError extends SocureError {
  readonly field: string;
  /** What is wrong, without the field name. */
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

/** A module's rule is broken (unknown module, missing inputs, incompatible combination). */
export class SocureModuleRuleError extends SocureInputError {
  readonly module: string;
  readonly missing: string[];
  constructor(module: string, message: string, missing: string[] = []) {
    super('modules', `${module}: ${message}`);
    this.module = module;
    this.missing = missing;
  }
}

/**
 * The client is not set up for this call (e.g. an ID+ / DocV call with only a RiskOS key): refused before any
 * network call. An input error of the configuration, not of the request: `field` names the client option, `setting`
 * the variable that fixes it. The person cannot fix it by correcting a form.
 */
export class SocureConfigurationError extends SocureInputError {
  readonly setting: string;
  constructor(field: string, setting: string, reason: string) {
    super(field, reason);
    this.setting = setting;
    this.message = reason;
  }
}

/** What an ID+ / DocV call without an ID+ key throws. */
export const noIdPlusKeyError = () =>
  new SocureConfigurationError(
    'idPlusKey',
    'SOCURE_ID_PLUS_KEY',
    'no ID+ key configured: set SOCURE_ID_PLUS_KEY',
  );

/** What a RiskOS call without a RiskOS key throws. */
export const noRiskOsKeyError = () =>
  new SocureConfigurationError(
    'riskOsKey',
    'SOCURE_RISKOS_KEY',
    'no RiskOS key configured: set SOCURE_RISKOS_KEY',
  );
