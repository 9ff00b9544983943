# The Rock64 (RK3328) system that the image is built from: the AtomicNix modules plus the board's kernel, device
# tree and console. No bootloader module: U-Boot runs the A/B boot script of nix/lib, and nix/image.nix lays the
# slots out.
{
  config,
  lib,
  pkgs,
  modulesPath,
  ...
}:
{
  imports = [
    ./modules
    "${modulesPath}/profiles/minimal.nix"
  ];

  atomicnix.enable = true;
  # The public CA certificate of the bundles, if the release tree has one (never a key). Without it the build
  # stops with the assertion of nix/modules/rauc.nix.
  atomicnix.rauc.keyring = lib.mkDefault (if builtins.pathExists ./keys/ca.cert.pem then ./keys/ca.cert.pem else null);

  nixpkgs.hostPlatform = lib.mkDefault "aarch64-linux";
  boot.loader.grub.enable = false;
  boot.loader.generic-extlinux-compatible.enable = false;
  boot.kernelPackages = pkgs.linuxPackages_6_6;
  hardware.deviceTree.enable = true;
  hardware.deviceTree.name = "rockchip/rk3328-rock64.dtb";
  # The boot script adds console, root and rauc.slot; these are the rest of the command line (boot.env).
  boot.kernelParams = [ "panic=10" "oops=panic" ];
  boot.initrd.availableKernelModules = [
    "dw_mmc_rockchip"
    "mmc_block"
    "usbhid"
    "usb_storage"
    "r8152"
  ];

  networking.hostName = lib.mkDefault "atomicnix";
  time.timeZone = "UTC";
  documentation.enable = false;
  nix.enable = false;
  system.stateVersion = "24.11";
}
