import QRCode from 'qrcode';

export interface QrCodeImages {
  /** `data:image/png;base64,…`, ready for an <img src>. */
  pngDataUrl: string;
  /** A standalone SVG document. */
  svg: string;
}

/** Draws a QR code locally (no third-party service sees the capture link). */
export async function createQrCode(text: string): Promise<QrCodeImages> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  const [pngDataUrl, svg] = await Promise.all([
    QRCode.toDataURL(text, { ...options, width: 320 }),
    QRCode.toString(text, { ...options, type: 'svg' }),
  ]);
  return { pngDataUrl, svg };
}

/** The QR code drawn with block characters, for a terminal. */
export function qrCodeForTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
