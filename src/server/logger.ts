import pino, { type Logger } from 'pino';

/**
 * Logs are JSON lines with personal data and secrets redacted: never the ID+ key, webhook secrets,
 * Authorization headers, or a person's name, birth date, national id, address, phone or e-mail.
 */
const SENSITIVE_KEYS = [
  'idPlusKey',
  'riskOsKey',
  'apiKey',
  'secret',
  'password',
  'firstName',
  'surName',
  'fullName',
  'dob',
  'nationalId',
  'ssn',
  'email',
  'mobileNumber',
  'phoneNumber',
  'physicalAddress',
  'physicalAddress2',
  'address',
  'input',
  'payload',
];

// `*.x` only matches one level down; a top-level `log.info({ email })` needs the bare key as well.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((k) => `*.${k}`),
];

/**
 * `/s/<id>/<signature>` → `/s/<id>/…` (the signature is what makes a session URL private), the webhook path
 * secret likewise, and the query string dropped: a key sent as `?key=…` must not reach a log line.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/\?.*$/s, '?…')
    .replace(/^(\/s\/[^/]+\/)[^/?]+/, '$1…')
    .replace(/^(\/webhooks\/socure\/)[^/?]+/, '$1…');
}

/** The same for URLs inside free text (e.g. the embedded sandbox's "webhook … → <url> 200" lines). */
export function redactUrlsInText(text: string): string {
  return text
    .replace(/(\/s\/[^/\s]+\/)[^/?\s]+/g, '$1…')
    .replace(/(\/webhooks\/socure\/)[^/?\s]+/g, '$1…')
    .replace(/(https?:\/\/[^\s?]+)\?\S*/g, '$1?…');
}

const REDACT = { paths: REDACT_PATHS, censor: '[redacted]' };
const SERIALIZERS = {
  req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    { level: options.level ?? process.env.LOG_LEVEL ?? 'info', redact: REDACT, serializers: SERIALIZERS },
    options.destination,
  );
}

/** A child of any pino logger (e.g. one an embedding app passes in) with the redaction and serializers above. */
export function withRedaction(logger: Logger): Logger {
  return logger.child({}, { redact: REDACT, serializers: SERIALIZERS });
}
