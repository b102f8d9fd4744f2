import { CvCode, CvError } from './cv-error';

/**
 * Dynamic QR codes (2.13.5 person/getQrCode, its v2 form, 2.17.3 visRegistration/getQrCode) are not served.
 * A QR code is a credential only if the reader decrypts and accepts it: the Security PUSH manual names the
 * readers' decryption schemes (SET OPTIONS QRCodeDecryptType 1-3, AES256 keyed by the date or a random key,
 * RSA1024) but not the payload a reader expects inside, and no command delivers QR credentials to a device.
 * A code made here would be accepted by no reader, so the endpoints say so instead of answering success.
 */
export function refuseQrCode(): never {
  throw new CvError(
    CvCode.NotImplemented,
    'Not implemented by this gateway: dynamic QR codes (the Security PUSH manual does not document the QR payload a reader accepts, so no reader would accept a code made here)',
  );
}
