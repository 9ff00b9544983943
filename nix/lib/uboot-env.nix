# Where the A/B boot-count environment lives: two redundant copies in the raw region before the first partition.
# Each copy is U-Boot's redundant layout: CRC-32 of the data (4 bytes, little-endian), a flags byte (a counter: the
# copy with the newer counter wins, 255 wraps to 0), then NUL-separated `name=value` strings padded to `size`. The boot
# script and libubootenv (fw_printenv/fw_setenv) each read the newest valid copy and write the other one, so a power
# cut during a write leaves the previous copy intact.
{ device }:
let
  inherit (import ./hex.nix) hex;
  partitions = import ./partitions.nix;
  KiB = 1024;
  MiB = 1024 * KiB;
  offset = 14 * MiB;
  redundOffset = offset + 64 * KiB;
  size = 32 * KiB;
in
assert redundOffset + size <= partitions.bootloader.end;
assert offset >= partitions.bootloader.ubootOffset + 4 * MiB;
{
  # The eMMC as Linux names it on the Rock64 (mainline device tree: mmc1 is the eMMC); U-Boot uses the device it
  # loaded the boot script from, so only Linux needs the name.
  inherit device offset redundOffset size;
  sectorSize = partitions.sectorSize;
  # RAUC's U-Boot contract plus the slot that health confirmation last committed.
  variables = [
    "BOOT_ORDER"
    "BOOT_A_LEFT"
    "BOOT_B_LEFT"
    "BOOT_COMMITTED"
  ];
  tries = 3;
  # The environment of a freshly flashed disk (both copies), e.g. for `mkenvimage -r`.
  defaults = {
    BOOT_ORDER = "A B";
    BOOT_A_LEFT = "3";
    BOOT_B_LEFT = "3";
    BOOT_COMMITTED = "A";
  };
  # libubootenv's /etc/fw_env.config: one line per copy, `device offset size` (hex), primary first.
  fwEnvConfig = ''
    # device offset size: the boot-count environment and its redundant copy (nix/lib/uboot-env.nix)
    ${device} ${hex offset} ${hex size}
    ${device} ${hex redundOffset} ${hex size}
  '';
}
