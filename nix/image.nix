# The Rock64 image and update artefacts, from an evaluated NixOS system (nixosConfigurations.rock64):
#
#   rootfs         the system closure as a zstd squashfs (a rootfs slot; mounted at /nix/.ro-store)
#   boot           a boot slot: vfat with Image, initrd, the device tree, boot.scr and boot.env
#   bootEnv        the initial boot-count environment (both copies), `mkenvimage -r`
#   diskImage      the whole eMMC: GPT of nix/lib, U-Boot, environment, boot A/B, rootfs A/B, /data (f2fs), zstd
#   bundleContent  manifest.raucm + images, everything of the RAUC bundle except its signature
#   signBundle     a program that signs bundleContent into a verity bundle with a key given at release time
#
# No private key is an input of any derivation: signing happens outside the store (`nix run .#sign-bundle`).
{
  pkgs,
  lib,
  system,
  version,
}:
let
  alib = system.config.atomicnix.lib;
  parts = alib.partitions.byName;
  env = alib.ubootEnv;
  toplevel = system.config.system.build.toplevel;
  kernel = system.config.boot.kernelPackages.kernel;
  initrd = system.config.system.build.initialRamdisk;
  dtb = "${system.config.hardware.deviceTree.package}/${system.config.hardware.deviceTree.name}";
  uboot = pkgs.ubootRock64;
  epoch = "1970-01-01 00:00:01";
  mib = bytes: toString (bytes / 1024 / 1024);

  rootfs = pkgs.callPackage "${pkgs.path}/nixos/lib/make-squashfs.nix" {
    fileName = "rootfs";
    storeContents = [ toplevel ];
    comp = "zstd -Xcompression-level 19";
  };

  bootScr = pkgs.runCommand "atomicnix-boot.scr" { nativeBuildInputs = [ pkgs.ubootTools ]; } ''
    cp ${pkgs.writeText "boot.txt" alib.bootScript} boot.txt
    mkimage -A arm64 -O linux -T script -C none -d boot.txt $out
  '';

  # `env import -t` format: one name=value line; the boot script appends it to the kernel command line.
  bootEnvText = pkgs.writeText "boot.env" ''
    ab_extra=init=${toplevel}/init ${lib.concatStringsSep " " system.config.boot.kernelParams}
  '';

  boot =
    pkgs.runCommand "atomicnix-boot.vfat"
      {
        nativeBuildInputs = [
          pkgs.dosfstools
          pkgs.mtools
          pkgs.libfaketime
        ];
      }
      ''
        faketime -f "${epoch}" mkfs.vfat --invariant -i 0x41544e58 -n BOOT -C $out ${toString (parts.boot-a.size / 1024)}
        for f in ${kernel}/Image:Image ${initrd}/initrd:initrd ${dtb}:rk3328-rock64.dtb ${bootScr}:boot.scr ${bootEnvText}:boot.env; do
          faketime -f "${epoch}" mcopy -i $out "''${f%%:*}" "::''${f##*:}"
        done
      '';

  bootEnv =
    pkgs.runCommand "atomicnix-boot-env.bin" { nativeBuildInputs = [ pkgs.ubootTools ]; } ''
      cat > env.txt <<'ENV'
      ${lib.concatStringsSep "\n" (lib.mapAttrsToList (k: v: "${k}=${v}") env.defaults)}
      ENV
      mkenvimage -r -s ${toString env.size} -o $out env.txt
    '';

  diskImage =
    pkgs.runCommand "atomicnix-rock64-${version}.img.zst"
      {
        nativeBuildInputs = [
          pkgs.util-linux
          pkgs.f2fs-tools
          pkgs.zstd
        ];
      }
      ''
        img=disk.img
        truncate -s ${toString alib.partitions.diskBytes} $img
        sfdisk --quiet $img < ${pkgs.writeText "sfdisk" alib.partitions.sfdisk}
        put() { dd if="$1" of=$img bs=512 seek="$2" conv=notrunc,sparse status=none; }
        put ${uboot}/idbloader.img ${toString (alib.partitions.bootloader.idbloaderOffset / 512)}
        put ${uboot}/u-boot.itb ${toString (alib.partitions.bootloader.ubootOffset / 512)}
        put ${bootEnv} ${toString (env.offset / 512)}
        put ${bootEnv} ${toString (env.redundOffset / 512)}
        # Both slots start with the same system, so a first rollback has somewhere to go.
        put ${boot} ${toString parts.boot-a.startSector}
        put ${boot} ${toString parts.boot-b.startSector}
        put ${rootfs} ${toString parts.rootfs-a.startSector}
        put ${rootfs} ${toString parts.rootfs-b.startSector}
        truncate -s ${toString parts.data.size} data.img
        mkfs.f2fs -q -l data -T 1 data.img
        put data.img ${toString parts.data.startSector}
        zstd -T0 -6 -q $img -o $out
      '';

  # The two images must fit their slots; the build says which and by how much.
  checkSize =
    name: image: part:
    pkgs.runCommand "atomicnix-${name}-fits" { } ''
      size=$(stat -c %s ${image})
      if [ "$size" -gt ${toString part.size} ]; then
        echo "${name} is $size bytes; its slot ${part.name} has ${toString part.size} (${mib part.size} MiB)" >&2
        exit 1
      fi
      touch $out
    '';

  bundleContent =
    let
      manifest = alib.raucManifest {
        inherit version;
        images = {
          rootfs.filename = "rootfs.squashfs";
          boot.filename = "boot.vfat";
        };
      };
    in
    pkgs.runCommand "atomicnix-bundle-content-${version}"
      {
        checks = [
          (checkSize "rootfs" rootfs parts.rootfs-a)
          (checkSize "boot" boot parts.boot-a)
        ];
      }
      ''
        mkdir $out
        cp ${rootfs} $out/rootfs.squashfs
        cp ${boot} $out/boot.vfat
        cp ${pkgs.writeText "manifest.raucm" manifest} $out/manifest.raucm
      '';

  signBundle = pkgs.writeShellApplication {
    name = "atomicnix-sign-bundle";
    runtimeInputs = [ pkgs.rauc pkgs.squashfsTools ];
    text = ''
      # Usage: atomicnix-sign-bundle --cert CERT.pem --key KEY.pem|pkcs11:URI --out FILE.raucb [--keyring CA.pem]
      cert= key= out= keyring=
      while [ $# -gt 0 ]; do
        case "$1" in
          --cert) cert=$2; shift 2 ;;
          --key) key=$2; shift 2 ;;
          --out) out=$2; shift 2 ;;
          --keyring) keyring=$2; shift 2 ;;
          *) echo "atomicnix-sign-bundle: unknown argument $1" >&2; exit 2 ;;
        esac
      done
      if [ -z "$cert" ] || [ -z "$key" ] || [ -z "$out" ]; then
        echo "usage: atomicnix-sign-bundle --cert CERT.pem --key KEY.pem|pkcs11:URI --out FILE.raucb [--keyring CA.pem]" >&2
        exit 2
      fi
      rauc bundle --cert "$cert" --key "$key" ${bundleContent} "$out"
      if [ -n "$keyring" ]; then rauc info --keyring "$keyring" "$out"; fi
    '';
  };
in
{
  inherit
    rootfs
    boot
    bootEnv
    diskImage
    bundleContent
    signBundle
    ;
}
