/**
 * What a terminal says of comparison photos (attendance manual 3.1, 8, 9, 12.1.1.8), wherever it says it:
 *
 *   - `BioPhotoFun` and `MultiBioPhotoSupport` of its options push (8) and of the INFO command's result (12.4.3,
 *     field sample cmd-info-biopro-sa40: both keys present, empty on firmware without comparison photos);
 *   - the function bits of a poll's INFO (9, value 10): bit 4 is the comparison photo function ("BioPhotoFun needs to
 *     be set to 1"), and five bits are pushed only by a visible-light terminal (VisilightFun=1). A SpeedFace-V5L on
 *     ZAM180 firmware says `11110` there and names neither key in its options (field samples getrequest-info-v5l-zam180,
 *     opt-speedface-v5l-zam180); three bits say nothing of comparison photos.
 *
 * Each report sets the keys it names (the terminal's last word wins: one that turns the option off says so where it
 * said it on). Pure: no I/O.
 */
import { parseMultiBioList, type KvMap } from '../../protocol';
import type { AttInfo } from './info';

/** A terminal's word on comparison photos: `fun` BioPhotoFun, `types` MultiBioPhotoSupport, `visible` five INFO bits. */
export interface BioPhotoWord {
  fun?: string;
  types?: string;
  visible?: boolean;
}

/** The visible-light face (MultiBioPhotoSupport position 9): the one comparison photo type the gateway issues. */
export const VISIBLE_FACE_PHOTO = 9;

/** The keys an options push or an INFO result names (empty values kept: "not supported"); null when it names neither. */
export function bioPhotoWordOfOptions(options: KvMap): BioPhotoWord | null {
  // Present but empty (`BioPhotoFun=`) is a word too: firmware that knows the key and takes none.
  const fun = options.get('BioPhotoFun');
  const types = options.get('MultiBioPhotoSupport');
  if (fun === undefined && types === undefined) return null;
  return { ...(fun !== undefined ? { fun: fun.trim().slice(0, 8) } : {}), ...(types !== undefined ? { types: types.trim().slice(0, 64) } : {}) };
}

/** What a poll's INFO function bits say (four bits or more); null when they say nothing of comparison photos. */
export function bioPhotoWordOfInfo(info: AttInfo | null): BioPhotoWord | null {
  const bits = info?.functions ?? '';
  if (!/^[01]{4,}$/.test(bits)) return null;
  return { fun: bits[3], visible: bits.length >= 5 };
}

/**
 * Whether the terminal takes visible-light face comparison photos: BioPhotoFun=1 and type 9 in MultiBioPhotoSupport;
 * a terminal that never named MultiBioPhotoSupport (firmware before the hybrid protocol) when its INFO says it is a
 * visible-light one, whose comparison photos are of the visible-light face.
 */
export function takesVisibleFacePhotos(word: BioPhotoWord | null | undefined): boolean {
  if (word?.fun?.trim() !== '1') return false;
  if (word.types === undefined) return word.visible === true;
  return parseMultiBioList(word.types)?.types.includes(VISIBLE_FACE_PHOTO) ?? false;
}
