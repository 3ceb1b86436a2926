import { fillPlaceholders } from '../../shared/placeholders.js';

/**
 * The sandbox capture app's texts in English and Spanish: the transaction's `config.language` picks them (as
 * Socure's capture app does), `es…` → Spanish, anything else → English.
 */
const en = {
  sandboxNote:
    'Socure sandbox: nothing is verified for real. Photos are not stored; only their size and a digest are kept in memory.',
  step: 'Step {n} of {total}',
  'consent.title': 'Verify your identity',
  'consent.what':
    'You will take a photo of your driver’s license or passport and a selfie. They are compared to confirm it is you.',
  'consent.agree': 'By accepting, you agree that your images and data are processed to verify your identity.',
  'consent.accept': 'Accept and continue',
  'consent.decline': 'Decline',
  'documentType.title': 'Choose your document',
  'documentType.legend': 'Which document will you use?',
  'documentType.license': 'Driver’s license or state ID',
  'documentType.passport': 'Passport',
  continue: 'Continue',
  'front.title': 'Front of your document',
  'front.label': 'Photo of the front of your document',
  'front.short': 'Front',
  'back.title': 'Back of your document',
  'back.label': 'Photo of the back of your document',
  'back.short': 'Back',
  'selfie.title': 'Take a selfie',
  'selfie.label': 'Selfie (a photo of your face)',
  'selfie.short': 'Selfie',
  'upload.selfieHint': 'Face the camera in good light, without glasses or a hat.',
  'upload.documentHint': 'Place it on a dark surface in good light, with all four corners visible.',
  'upload.button': 'Upload',
  'review.title': 'Review and submit',
  'review.document': 'Document: {type}',
  'review.license': 'Driver’s license',
  'review.received': '{side}: photo received ({bytes} bytes)',
  'review.outcome': 'Simulated outcome (sandbox only)',
  'review.automatic': 'Automatic: {outcome}',
  'review.submit': 'Submit',
  'done.title': 'Thank you',
  'done.message': 'Your documents were submitted. You can return to where you started.',
  'declined.title': 'Verification declined',
  'declined.message': 'You declined. No photos were taken. You can close this page.',
  'expired.title': 'Session expired',
  'expired.message': 'This verification link has expired. Go back to where you started to get a new one.',
  'failed.title': 'Upload failed',
  'failed.message': 'Your documents could not be uploaded. Go back to where you started and try again.',
  'notFound.title': 'Link not valid',
  'notFound.message': 'This verification link is not valid. Check that you opened the whole link.',
  'outOfOrder.title': 'Not yet',
  'outOfOrder.heading': 'This step is not available yet',
  'outOfOrder.message': 'Please finish the earlier steps first.',
  'outOfOrder.continue': 'Continue where you left off',
  'badInput.title': 'Please try again',
  'badInput.back': 'Back',
  'badInput.consent': 'Choose Accept or Decline.',
  'badInput.outcome': 'Choose one of the listed outcomes.',
  'badInput.documentType': 'Choose a driver’s license or a passport.',
} as const;

export type CaptureTextKey = keyof typeof en;

const es: Record<CaptureTextKey, string> = {
  sandboxNote:
    'Sandbox de Socure: no se verifica nada de verdad. Las fotos no se guardan; solo se conservan en memoria su tamaño y un resumen.',
  step: 'Paso {n} de {total}',
  'consent.title': 'Verifique su identidad',
  'consent.what':
    'Tomará una foto de su licencia de conducir o pasaporte y una selfi. Se comparan para confirmar que es usted.',
  'consent.agree':
    'Al aceptar, usted acepta que sus imágenes y datos se procesen para verificar su identidad.',
  'consent.accept': 'Aceptar y continuar',
  'consent.decline': 'Rechazar',
  'documentType.title': 'Elija su documento',
  'documentType.legend': '¿Qué documento usará?',
  'documentType.license': 'Licencia de conducir o identificación estatal',
  'documentType.passport': 'Pasaporte',
  continue: 'Continuar',
  'front.title': 'Frente de su documento',
  'front.label': 'Foto del frente de su documento',
  'front.short': 'Frente',
  'back.title': 'Reverso de su documento',
  'back.label': 'Foto del reverso de su documento',
  'back.short': 'Reverso',
  'selfie.title': 'Tómese una selfi',
  'selfie.label': 'Selfi (una foto de su cara)',
  'selfie.short': 'Selfi',
  'upload.selfieHint': 'Mire a la cámara con buena luz, sin lentes ni sombrero.',
  'upload.documentHint':
    'Colóquelo sobre una superficie oscura con buena luz y con las cuatro esquinas visibles.',
  'upload.button': 'Subir',
  'review.title': 'Revisar y enviar',
  'review.document': 'Documento: {type}',
  'review.license': 'Licencia de conducir',
  'review.received': '{side}: foto recibida ({bytes} bytes)',
  'review.outcome': 'Resultado simulado (solo en el sandbox)',
  'review.automatic': 'Automático: {outcome}',
  'review.submit': 'Enviar',
  'done.title': 'Gracias',
  'done.message': 'Sus documentos fueron enviados. Puede volver a donde empezó.',
  'declined.title': 'Verificación rechazada',
  'declined.message': 'Usted rechazó. No se tomaron fotos. Puede cerrar esta página.',
  'expired.title': 'Sesión vencida',
  'expired.message': 'Este enlace de verificación venció. Vuelva a donde empezó para obtener uno nuevo.',
  'failed.title': 'No se pudieron subir las fotos',
  'failed.message': 'No se pudieron subir sus documentos. Vuelva a donde empezó e inténtelo de nuevo.',
  'notFound.title': 'Enlace no válido',
  'notFound.message': 'Este enlace de verificación no es válido. Verifique que abrió el enlace completo.',
  'outOfOrder.title': 'Todavía no',
  'outOfOrder.heading': 'Este paso todavía no está disponible',
  'outOfOrder.message': 'Termine primero los pasos anteriores.',
  'outOfOrder.continue': 'Continuar donde lo dejó',
  'badInput.title': 'Inténtelo de nuevo',
  'badInput.back': 'Volver',
  'badInput.consent': 'Elija Aceptar o Rechazar.',
  'badInput.outcome': 'Elija uno de los resultados de la lista.',
  'badInput.documentType': 'Elija una licencia de conducir o un pasaporte.',
};

export type CaptureLanguage = 'en' | 'es';
export type CaptureText = (key: CaptureTextKey, values?: Record<string, string | number>) => string;

/** The capture app's language for a DocV `config.language` (e.g. `en-us`, `es`, `es-mx`). */
export function captureLanguageOf(language: string | undefined): CaptureLanguage {
  return language?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function captureTexts(language: CaptureLanguage): CaptureText {
  const texts = language === 'es' ? es : en;
  return (key, values) => fillPlaceholders(texts[key], values);
}

export const CAPTURE_TEXTS = { en, es };
