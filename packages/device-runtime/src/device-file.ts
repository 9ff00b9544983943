/**
 * One file of the device: a path relative to the device root, its full contents, and its permission bits. Rendered
 * files are text; a bundle's `files/` payload is bytes, kept exactly as the archive had them.
 */
export interface DeviceFile {
  readonly path: string
  readonly contents: string | Uint8Array
  readonly mode: number
}
