# Storage: every boot starts from the slot's read-only squashfs (the Nix store of the system), with a tmpfs root
# and a tmpfs upper layer over the store, so nothing written at run time survives a reboot except on /data
# (f2fs, fsync_mode=strict so that an fsync that returned is on the eMMC: the generations depend on it).
# The slot comes from the kernel command line that the boot script wrote (rauc.slot=A|B); the initrd links the
# slot's rootfs and boot partitions to stable names before anything is mounted.
{ config, lib, ... }:
let
  cfg = config.atomicnix;
  parts = cfg.lib.partitions.byName;
in
{
  options.atomicnix.storage.enable = lib.mkOption {
    type = lib.types.bool;
    default = true;
    description = "The slot-based storage layout (off in NixOS VM tests, whose disks the test framework lays out).";
  };

  config = lib.mkIf (cfg.enable && cfg.storage.enable) {
    boot.initrd.availableKernelModules = [
      "squashfs"
      "overlay"
      "f2fs"
      "vfat"
    ];
    boot.initrd.kernelModules = [ "overlay" ];
    boot.initrd.supportedFilesystems = [
      "squashfs"
      "f2fs"
      "vfat"
    ];

    # /dev survives into stage 2 (stage 1 moves it), so these links name the booted slot for the whole boot.
    boot.initrd.postDeviceCommands = ''
      atomicnix_slot=
      for arg in $(cat /proc/cmdline); do
        case "$arg" in
          rauc.slot=A) atomicnix_slot=a ;;
          rauc.slot=B) atomicnix_slot=b ;;
        esac
      done
      if [ -z "$atomicnix_slot" ]; then
        echo "atomicnix: no rauc.slot=A|B on the kernel command line; booting slot A"
        atomicnix_slot=a
      fi
      ln -sfn /dev/disk/by-partlabel/rootfs-$atomicnix_slot /dev/atomicnix-rootfs
      ln -sfn /dev/disk/by-partlabel/boot-$atomicnix_slot /dev/atomicnix-boot
    '';

    fileSystems = {
      "/" = {
        device = "none";
        fsType = "tmpfs";
        options = [
          "mode=0755"
          "size=512M"
        ];
      };
      "/nix/.ro-store" = {
        device = "/dev/atomicnix-rootfs";
        fsType = "squashfs";
        options = [ "ro" ];
        neededForBoot = true;
      };
      "/nix/.rw-store" = {
        device = "none";
        fsType = "tmpfs";
        options = [ "mode=0755" ];
        neededForBoot = true;
      };
      # As NixOS's own ISO image does it (the overlayfs module creates the upper and work directories).
      "/nix/store" = {
        overlay = {
          lowerdir = [ "/nix/.ro-store" ];
          upperdir = "/nix/.rw-store/store";
          workdir = "/nix/.rw-store/work";
        };
        neededForBoot = true;
      };
      ${cfg.dataDir} = {
        device = parts.data.device;
        fsType = "f2fs";
        options = [
          "fsync_mode=strict"
          "noatime"
        ];
        neededForBoot = true;
      };
      # The booted slot's boot partition, read-only: first boot reads /boot/config.toml from it.
      "/boot" = {
        device = "/dev/atomicnix-boot";
        fsType = "vfat";
        options = [
          "ro"
          "umask=0077"
        ];
        neededForBoot = true;
      };
    };

    # /data is formatted by the image build; a missing one is a broken device, not something to create here.
    boot.initrd.checkJournalingFS = false;
    system.activationScripts.atomicnixData = lib.stringAfter [ "specialfs" ] ''
      install -d -m 0755 ${cfg.dataDir}
    '';
  };
}
