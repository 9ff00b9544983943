# AtomicNix's image logic as plain Nix: no nixpkgs, so `nix-instantiate --eval --strict --json nix/lib -A NAME`
# evaluates it anywhere. The NixOS modules and the image derivations take every layout and text from here.
#
#   partitions       the eMMC layout (offsets and sizes in bytes and sectors, an sfdisk script)
#   ubootEnv         where the boot-count environment lives, its variables and a matching fw_env.config
#   raucSystemConf   /etc/rauc/system.conf (text)
#   raucManifest     a function { version, images } -> manifest.raucm (text)
#   bootScript       the Rock64 U-Boot script (text, compiled with mkimage -T script)
#   qemuBootScript   the same logic for QEMU's virt board
{
  # The device that holds the environment, as Linux names it (a disk image file in tests).
  envDevice ? "/dev/mmcblk1",
  # Where RAUC finds the CA on the device.
  keyringPath ? "/etc/rauc/ca.cert.pem",
}:
let
  partitions = import ./partitions.nix;
  ubootEnv = import ./uboot-env.nix { device = envDevice; };
  rauc = import ./rauc.nix { inherit partitions keyringPath; };
  scripts = import ./boot-script.nix { inherit ubootEnv partitions; };
in
{
  inherit partitions ubootEnv;
  inherit (rauc) compatible raucSystemConf raucManifest;
  bootScript = scripts.rock64;
  qemuBootScript = scripts.qemu;
}
