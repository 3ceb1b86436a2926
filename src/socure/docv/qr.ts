import QRCode from 'qrcode';

export interface QrCodeImages {
  /** `data:image/png;base64,…`, ready for an <img src>. */
  pngDataUrl: string;
  /** A standalone SVG document. */
  svg: string;
}

const OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 2 };

/** Draws a QR code locally (no third-party service sees the capture link), as PNG and SVG. */
export async function createQrCode(text: string): Promise<QrCodeImages> {
  const [pngDataUrl, svg] = await Promise.all([
    createQrPng(text),
    QRCode.toString(text, { ...OPTIONS, type: 'svg' }),
  ]);
  return { pngDataUrl, svg };
}

/** The PNG alone, as a 320 px data URL. */
export function createQrPng(text: string): Promise<string> {
  return QRCode.toDataURL(text, { ...OPTIONS, width: 320 });
}

/** The QR code drawn with block characters, for a terminal. */
export function qrCodeForTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
