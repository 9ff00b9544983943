# The Rock64's eMMC layout: the bootloader region, then boot A/B (vfat), rootfs A/B (squashfs) and /data (f2fs), GPT.
# Offsets and sizes are bytes, and also 512-byte sectors for sfdisk and U-Boot's block commands.
let
  KiB = 1024;
  MiB = 1024 * KiB;
  GiB = 1024 * MiB;
  sectorSize = 512;

  # A "16 GB" eMMC has a user area of at least 14.5 GiB (the Rock64 modules report 14.6 GiB); the table is laid out
  # for that minimum, so one image fits every module. /data ends 1 MiB before it, which leaves room for the GPT's
  # backup header at the end of any such disk.
  diskBytes = 14 * GiB + 512 * MiB;

  # Rockchip's boot ROM reads idbloader at sector 64 and U-Boot proper (u-boot.itb) at sector 16384 (8 MiB); the
  # first partition starts at 16 MiB. The boot-count environment sits in this raw region too (see uboot-env.nix).
  bootloader = {
    idbloaderOffset = 64 * sectorSize;
    ubootOffset = 8 * MiB;
    end = 16 * MiB;
  };

  types = {
    # GPT type GUIDs as sfdisk writes them.
    basicData = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";
    linux = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
  };

  # In disk order; `number` is the GPT partition number (so /dev/mmcblk1p<number>, /dev/vda<number>).
  specs = [
    { name = "boot-a"; size = 256 * MiB; type = types.basicData; fs = "vfat"; slot = "boot.0"; bootname = "A"; bootable = true; }
    { name = "boot-b"; size = 256 * MiB; type = types.basicData; fs = "vfat"; slot = "boot.1"; bootname = "B"; bootable = true; }
    { name = "rootfs-a"; size = 3 * GiB; type = types.linux; fs = "squashfs"; slot = "rootfs.0"; bootname = "A"; bootable = false; }
    { name = "rootfs-b"; size = 3 * GiB; type = types.linux; fs = "squashfs"; slot = "rootfs.1"; bootname = "B"; bootable = false; }
    { name = "data"; size = null; type = types.linux; fs = "f2fs"; slot = null; bootname = null; bootable = false; }
  ];

  count = builtins.length specs;

  # Lays the specs out one after the other from the end of the bootloader region; the last (size null) takes the rest.
  layout =
    i: start:
    if i == count then
      [ ]
    else
      let
        spec = builtins.elemAt specs i;
        size = if spec.size == null then diskBytes - MiB - start else spec.size;
        entry = spec // {
          number = i + 1;
          inherit start size;
          startSector = start / sectorSize;
          sizeSectors = size / sectorSize;
          device = "/dev/disk/by-partlabel/${spec.name}";
        };
      in
      [ entry ] ++ layout (i + 1) (start + size);

  table = layout 0 bootloader.end;
  byName = builtins.listToAttrs (map (p: { name = p.name; value = p; }) table);

  # sfdisk(8) input for the whole table; boot A and B carry the legacy-BIOS-bootable attribute, which is how U-Boot's
  # distro boot (`part list -bootable`) finds the partitions to look for boot.scr in.
  sfdiskLine =
    p:
    "start=${toString p.startSector}, size=${toString p.sizeSectors}, type=${p.type}, name=${p.name}"
    + (if p.bootable then ", attrs=LegacyBIOSBootable" else "");
  sfdisk = builtins.concatStringsSep "\n" (
    [
      "label: gpt"
      "unit: sectors"
      "first-lba: 34"
    ]
    ++ map sfdiskLine table
  ) + "\n";
in
{
  inherit diskBytes sectorSize bootloader table byName sfdisk;
}
