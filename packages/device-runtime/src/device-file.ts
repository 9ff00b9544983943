/** One file of the device: a path relative to the device root, its full contents, and its permission bits. */
export interface DeviceFile {
  readonly path: string
  readonly contents: string
  readonly mode: number
}
